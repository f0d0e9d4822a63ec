import type { Socket } from "node:net";
import { Duplex } from "node:stream";
import { UnavailableError } from "../../core/errors.ts";
import {
  DO,
  DONT,
  escapeIac,
  negotiation,
  OPT_BINARY,
  OPT_COM_PORT,
  OPT_ECHO,
  OPT_SGA,
  subnegotiation,
  TelnetDecoder,
  type TelnetEvent,
  WILL,
  WONT,
} from "./telnet.ts";

/** RFC 2217 client-to-server commands; the server answers with the same number + 100. */
const SET_BAUDRATE = 1;
const SET_DATASIZE = 2;
const SET_PARITY = 3;
const SET_STOPSIZE = 4;
const SET_CONTROL = 5;
const SERVER_OFFSET = 100;
const PARITY_NONE = 1;
const STOPSIZE_1 = 1;
/** SET-CONTROL values for the modem lines. */
export const CONTROL = { dtrOn: 8, dtrOff: 9, rtsOn: 11, rtsOff: 12 } as const;

/** How long the server gets to confirm a setting. */
export const RFC2217_REPLY_MS = 5000;

/** Options we agree to: we send binary, suppress go-ahead and speak COM-PORT; the server may echo. */
const WE_WILL = new Set([OPT_BINARY, OPT_SGA, OPT_COM_PORT]);
const THEY_MAY = new Set([OPT_BINARY, OPT_SGA, OPT_ECHO]);

/**
 * A serial port behind an RFC 2217 server (ser2net `telnet(rfc2217)`, pyserial's server…) as a
 * plain byte duplex: Telnet framing is removed from what is read and added to what is written.
 * `ready` settles once the server has confirmed the baud rate.
 */
export class Rfc2217Stream extends Duplex {
  readonly ready: Promise<void>;
  private readonly decoder = new TelnetDecoder();
  private readonly ours = new Map<number, boolean>();
  private readonly theirs = new Map<number, boolean>();
  private readonly waiting = new Map<number, { resolve: () => void; reject: (e: Error) => void }>();
  private comPortAgreed = false;

  constructor(
    private readonly socket: Socket,
    private readonly name: string,
    private readonly baudrate: number,
  ) {
    super({ allowHalfOpen: false });
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("end", () => this.push(null));
    socket.on("error", (error) => {
      this.rejectAll(error);
      this.destroy(error);
    });
    socket.on("close", () => {
      this.rejectAll(this.closedError());
      if (!this.readableEnded) this.push(null);
    });
    this.ready = this.reply(SET_BAUDRATE, "confirm the baud rate");
    this.ready.catch(() => {});
    socket.write(
      Buffer.concat([
        negotiation(WILL, OPT_BINARY),
        negotiation(DO, OPT_BINARY),
        negotiation(WILL, OPT_SGA),
        negotiation(DO, OPT_SGA),
        negotiation(WILL, OPT_COM_PORT),
      ]),
    );
    for (const opt of [OPT_BINARY, OPT_SGA, OPT_COM_PORT]) this.ours.set(opt, true);
    for (const opt of [OPT_BINARY, OPT_SGA]) this.theirs.set(opt, true);
  }

  /** Sets DTR or RTS through SET-CONTROL; resolves once the server confirms. */
  setControl(value: number): Promise<void> {
    const done = this.reply(SET_CONTROL, "confirm the modem-line change");
    this.socket.write(subnegotiation(OPT_COM_PORT, Buffer.from([SET_CONTROL, value])));
    return done;
  }

  override _read() {
    this.socket.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void) {
    if (this.socket.destroyed) return callback(this.closedError());
    this.socket.write(escapeIac(chunk), callback);
  }

  override _final(callback: (error?: Error | null) => void) {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void) {
    this.socket.destroy();
    callback(error);
  }

  private onData(chunk: Buffer) {
    const { data, events } = this.decoder.decode(chunk);
    for (const event of events) this.onEvent(event);
    if (data.length > 0 && !this.push(data)) this.socket.pause();
  }

  private onEvent(event: TelnetEvent) {
    if (event.type === "subnegotiation") {
      if (event.option !== OPT_COM_PORT) return;
      const command = (event.data[0] ?? 0) - SERVER_OFFSET;
      this.waiting.get(command)?.resolve();
      this.waiting.delete(command);
      return;
    }
    const { command, option } = event;
    if (command === DO || command === DONT) {
      const want = command === DO && WE_WILL.has(option);
      if (option === OPT_COM_PORT) this.onComPortAnswer(command === DO);
      if (this.ours.get(option) !== want || (command === DO && !want)) {
        this.ours.set(option, want);
        this.socket.write(negotiation(want ? WILL : WONT, option));
      }
    } else {
      const want = command === WILL && THEY_MAY.has(option);
      if (this.theirs.get(option) !== want || (command === WILL && !want)) {
        this.theirs.set(option, want);
        this.socket.write(negotiation(want ? DO : DONT, option));
      }
    }
  }

  /** Once the server agrees to COM-PORT-OPTION, the line settings are sent. */
  private onComPortAnswer(agreed: boolean) {
    if (!agreed) {
      this.rejectAll(
        new UnavailableError(
          `${this.name} refused the RFC 2217 COM-PORT option: it is a plain Telnet or TCP server; ` +
            "use socket:// for raw TCP, or enable RFC 2217 on the server (ser2net: telnet(rfc2217))",
        ),
      );
      this.destroy();
      return;
    }
    if (this.comPortAgreed) return;
    this.comPortAgreed = true;
    const baud = Buffer.alloc(4);
    baud.writeUInt32BE(this.baudrate);
    this.socket.write(
      Buffer.concat([
        subnegotiation(OPT_COM_PORT, Buffer.concat([Buffer.from([SET_BAUDRATE]), baud])),
        subnegotiation(OPT_COM_PORT, Buffer.from([SET_DATASIZE, 8])),
        subnegotiation(OPT_COM_PORT, Buffer.from([SET_PARITY, PARITY_NONE])),
        subnegotiation(OPT_COM_PORT, Buffer.from([SET_STOPSIZE, STOPSIZE_1])),
      ]),
    );
  }

  /** Resolves when the server answers `command`, fails after RFC2217_REPLY_MS or on close. */
  private reply(command: number, what: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(command);
        reject(
          new UnavailableError(
            `${this.name} did not ${what} within ${RFC2217_REPLY_MS} ms; is it an RFC 2217 server ` +
              "(ser2net: accepter telnet(rfc2217),tcp,…)? For a raw TCP port use socket://",
          ),
        );
      }, RFC2217_REPLY_MS);
      this.waiting.get(command)?.reject(this.closedError());
      this.waiting.set(command, {
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
    });
  }

  private rejectAll(error: Error) {
    for (const w of this.waiting.values()) w.reject(error);
    this.waiting.clear();
  }

  private closedError(): UnavailableError {
    return new UnavailableError(`${this.name} closed the connection`);
  }
}
