import type { EventEmitter } from "node:events";
import { accessSync, constants, readdirSync, readFileSync } from "node:fs";
import type { Duplex } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Test helpers for the QEMU driver tests (not part of the package's API).
 */

export const UBOOT_BIN = "/usr/lib/u-boot/qemu_arm64/u-boot.bin";

/** Why the QEMU tests cannot run here, or undefined when they can. */
export function qemuSkipReason(): string | undefined {
  const path = (process.env.PATH ?? "").split(":");
  const qemu = path.some((dir) => {
    try {
      accessSync(`${dir}/qemu-system-aarch64`, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
  if (!qemu) return "qemu-system-aarch64 is not installed (Debian: apt-get install -y qemu-system-arm)";
  try {
    accessSync(UBOOT_BIN, constants.R_OK);
  } catch {
    return `${UBOOT_BIN} is missing (Debian: apt-get install -y u-boot-qemu)`;
  }
  return undefined;
}

/** A U-Boot board config for `qemu-system-aarch64 -machine virt` under TCG. */
export const ubootBoard = {
  arch: "aarch64",
  machine: "virt",
  cpu: "cortex-a57",
  accel: "tcg",
  mem: "128M",
  smp: 1,
  bios: UBOOT_BIN,
  stop_timeout: 2,
} as const;

/**
 * Pids of live processes whose command line contains `marker` (and, if given, whose program
 * name contains `program`). Zombies do not count: where the init process does not reap
 * orphans (as in many containers), a killed orphan stays a zombie.
 */
export function liveProcessesWith(marker: string, program = ""): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      if (!cmdline.includes(marker) || !cmdline.split("\0")[0]!.includes(program)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z")) continue;
      pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/** Polls (at most `ms`, every 50 ms) until no live process has `marker`; returns those left. */
export async function waitUntilGone(marker: string, ms: number): Promise<number[]> {
  let left = liveProcessesWith(marker);
  for (let waited = 0; left.length > 0 && waited < ms; waited += 50) {
    await sleep(50);
    left = liveProcessesWith(marker);
  }
  return left;
}

/** Keeps at most this much console text; older text is dropped. */
const MAX_TEXT = 256 * 1024;

/**
 * Reads a console byte stream and waits for text in it: a tiny stand-in for the expect
 * engine. Each wait consumes the text up to the end of its match.
 */
export class ConsoleReader {
  private text = "";
  private ended = false;
  private wake: (() => void) | undefined;

  constructor(readonly stream: Duplex) {
    stream.setEncoding("latin1");
    stream.on("data", (chunk: string) => {
      this.text = (this.text + chunk).slice(-MAX_TEXT);
      this.notify();
    });
    stream.on("end", () => {
      this.ended = true;
      this.notify();
    });
    stream.on("error", () => {});
  }

  /** Waits until `pattern` appears; returns the text up to and including it. */
  async until(pattern: string | RegExp, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.find(pattern);
      if (found !== undefined) {
        const consumed = this.text.slice(0, found);
        this.text = this.text.slice(found);
        return consumed;
      }
      const left = deadline - Date.now();
      if (this.ended || left <= 0) {
        const why = this.ended ? "the stream ended" : `${timeoutMs} ms passed`;
        throw new Error(
          `waited for ${String(pattern)}, but ${why}; last output: ${JSON.stringify(this.text.slice(-400))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  send(text: string): void {
    this.stream.write(text);
  }

  private find(pattern: string | RegExp): number | undefined {
    if (typeof pattern === "string") {
      const at = this.text.indexOf(pattern);
      return at < 0 ? undefined : at + pattern.length;
    }
    const match = new RegExp(pattern.source, pattern.flags.replace("g", "")).exec(this.text);
    return match ? match.index + match[0].length : undefined;
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

/**
 * Resolves once `condition` holds, checking it now and after each `event` of `emitter`;
 * rejects after `timeoutMs` with what it waited for.
 */
export function whenEvent(
  emitter: EventEmitter,
  event: string,
  condition: () => boolean,
  what: string,
  timeoutMs: number,
): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!condition()) return;
      clearTimeout(timer);
      emitter.off(event, check);
      resolve();
    };
    const timer = setTimeout(() => {
      emitter.off(event, check);
      reject(new Error(`waited ${timeoutMs} ms for ${what} (checked on each "${event}" event)`));
    }, timeoutMs);
    emitter.on(event, check);
  });
}
