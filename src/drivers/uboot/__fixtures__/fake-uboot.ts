import { PassThrough } from "node:stream";

export interface FakeUbootOptions {
  /** Keys needed before autoboot stops (each interrupt write counts once). */
  keysToStop?: number;
  /** Input bytes taken per write; the rest is lost, as in a small UART FIFO. */
  fifo?: number;
  /** Longest line; beyond it each character rings the bell. */
  maxLine?: number;
  /**
   * Interrupt keys (ESC) that reach the line editor after the prompt, as when the host sends one
   * more before it sees the prompt. Like U-Boot's editor, an ESC starts an escape sequence that
   * takes the next character, whatever it is (even Ctrl-C), into the line.
   */
  lateKeys?: number;
}

/**
 * A scripted U-Boot on in-memory streams: echoes input, runs `echo` (hush quoting, `""` removed,
 * `$?`), `false`, `true` and `;`, prints "Unknown command" for anything else.
 */
export class FakeUboot {
  readonly fromDevice = new PassThrough();
  readonly toDevice = new PassThrough();
  private line = "";
  private atPrompt = false;
  private keys = 0;
  private status = 0;
  private escaped = false;
  /** Lines run that were not a command this fake knows. */
  unknownCommands = 0;

  constructor(private readonly o: FakeUbootOptions = {}) {
    this.toDevice.on("data", (chunk: Buffer) => this.input(chunk.toString("latin1")));
  }

  powerOn(): void {
    this.atPrompt = false;
    this.keys = 0;
    this.print("\r\nU-Boot 2023.01 (fake)\r\n\r\nHit any key to stop autoboot:  2 ");
  }

  private print(text: string): void {
    this.fromDevice.write(Buffer.from(text, "latin1"));
  }

  private input(text: string): void {
    if (!this.atPrompt) {
      if (++this.keys >= (this.o.keysToStop ?? 1)) {
        this.atPrompt = true;
        this.print("\b\b\b 0\r\n=> ");
        for (let i = 0; i < (this.o.lateKeys ?? 0); i++) this.edit("\u001b");
      }
      return;
    }
    const taken = this.o.fifo ? text.slice(0, this.o.fifo) : text;
    this.print(this.edit(taken));
  }

  /** Feeds characters to the line editor; returns what it echoes. */
  private edit(text: string): string {
    let echo = "";
    for (const ch of text) {
      if (this.escaped || ch === "\u001b") {
        this.escaped = !this.escaped && ch === "\u001b";
        this.line += ch;
      } else if (ch === "\u0003") {
        this.line = "";
        echo += "<INTERRUPT>\r\n=> ";
      } else if (ch === "\n" || ch === "\r") {
        echo += `\r\n${this.run(this.line)}=> `;
        this.line = "";
      } else if (this.line.length >= (this.o.maxLine ?? 510)) {
        echo += "\u0007";
      } else {
        this.line += ch;
        echo += ch;
      }
    }
    return echo;
  }

  private run(line: string): string {
    let out = "";
    for (const part of line.split(";")) {
      const words = part.trim().split(/\s+/).filter(Boolean);
      if (words.length === 0) continue;
      const [name, ...args] = words;
      if (name === "echo") {
        out += `${args.join(" ").replaceAll('""', "").replaceAll("$?", String(this.status))}\r\n`;
        this.status = 0;
      } else if (name === "false" || name === "true") {
        this.status = name === "false" ? 1 : 0;
      } else {
        out += `Unknown command '${name}' - try 'help'\r\n`;
        this.unknownCommands++;
        this.status = 1;
      }
    }
    return out;
  }
}
