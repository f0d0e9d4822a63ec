/**
 * The Telnet framing that RFC 2217 runs on (RFC 854/855): IAC commands and option negotiation
 * are taken out of the received bytes, and 0xFF in data is escaped as IAC IAC. The decoder keeps
 * its state between chunks, so a command split over two reads is still understood.
 */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;

export const OPT_BINARY = 0;
export const OPT_ECHO = 1;
export const OPT_SGA = 3;
export const OPT_COM_PORT = 44;

/** Longest subnegotiation kept; RFC 2217 ones are a few bytes (signature strings up to ~200). */
const MAX_SUBNEGOTIATION = 1024;

export type TelnetEvent =
  | { type: "negotiate"; command: typeof DO | typeof DONT | typeof WILL | typeof WONT; option: number }
  | { type: "subnegotiation"; option: number; data: Buffer };

type State = "data" | "iac" | "option" | "sb" | "sb-iac";

export class TelnetDecoder {
  private state: State = "data";
  private command = 0;
  private sb: number[] = [];

  /** Splits received bytes into data and Telnet events, in order of arrival. */
  decode(chunk: Buffer): { data: Buffer; events: TelnetEvent[] } {
    if (this.state === "data" && !chunk.includes(IAC)) return { data: chunk, events: [] };
    const data = Buffer.allocUnsafe(chunk.length);
    let n = 0;
    const events: TelnetEvent[] = [];
    for (const byte of chunk) {
      switch (this.state) {
        case "data":
          if (byte === IAC) this.state = "iac";
          else data[n++] = byte;
          break;
        case "iac":
          if (byte === IAC) {
            data[n++] = IAC;
            this.state = "data";
          } else if (byte === DO || byte === DONT || byte === WILL || byte === WONT) {
            this.command = byte;
            this.state = "option";
          } else if (byte === SB) {
            this.sb = [];
            this.state = "sb";
          } else {
            this.state = "data"; // NOP, GA, BRK…: nothing to do for a serial line
          }
          break;
        case "option":
          events.push({ type: "negotiate", command: this.command as typeof DO, option: byte });
          this.state = "data";
          break;
        case "sb":
          if (byte === IAC) this.state = "sb-iac";
          else if (this.sb.length < MAX_SUBNEGOTIATION) this.sb.push(byte);
          break;
        case "sb-iac":
          if (byte === SE) {
            const [option = -1, ...rest] = this.sb;
            events.push({ type: "subnegotiation", option, data: Buffer.from(rest) });
            this.state = "data";
          } else {
            if (byte === IAC && this.sb.length < MAX_SUBNEGOTIATION) this.sb.push(IAC);
            this.state = "sb";
          }
          break;
      }
    }
    return { data: data.subarray(0, n), events };
  }
}

/** Data with every 0xFF doubled, as Telnet requires. */
export function escapeIac(data: Buffer): Buffer {
  const count = data.reduce((c, b) => (b === IAC ? c + 1 : c), 0);
  if (count === 0) return data;
  const out = Buffer.allocUnsafe(data.length + count);
  let n = 0;
  for (const byte of data) {
    out[n++] = byte;
    if (byte === IAC) out[n++] = IAC;
  }
  return out;
}

export function negotiation(command: number, option: number): Buffer {
  return Buffer.from([IAC, command, option]);
}

/** IAC SB option …payload IAC SE, with 0xFF in the payload escaped. */
export function subnegotiation(option: number, payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from([IAC, SB, option]), escapeIac(payload), Buffer.from([IAC, SE])]);
}
