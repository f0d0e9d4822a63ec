/**
 * A TFTP client on a raw UDP socket, for packet-level tests and the windowsize benchmark.
 * Loopback only. Every wait is bounded.
 */
import { createSocket, type Socket } from "node:dgram";
import { ack, blockOf, data, errorOf, OP, type OptionList, oackOf, opcodeOf, rrq, wrq } from "./packets.ts";

export interface Received {
  packet: Buffer;
  port: number;
  address: string;
}

export class RawClient {
  private readonly queue: Received[] = [];
  private waiter: (() => void) | undefined;

  private constructor(
    private readonly socket: Socket,
    readonly host: string,
  ) {
    socket.on("message", (packet, from) => {
      this.queue.push({ packet, port: from.port, address: from.address });
      this.waiter?.();
    });
    socket.on("error", () => {}); // ICMP unreachable after a server socket closed
  }

  static async open(host = "127.0.0.1"): Promise<RawClient> {
    const socket = createSocket({ type: host.includes(":") ? "udp6" : "udp4", recvBufferSize: 8 << 20 });
    await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
    return new RawClient(socket, host);
  }

  get port(): number {
    return this.socket.address().port;
  }

  send(packet: Buffer, port: number): void {
    this.socket.send(packet, port, this.host);
  }

  /** The next packet; rejects when none arrives within `timeoutMs`, naming `what` was awaited. */
  async receive(timeoutMs = 3000, what = "a packet"): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; attempt < 1000; attempt++) {
      const next = this.queue.shift();
      if (next) return next;
      const left = deadline - Date.now();
      if (left <= 0) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.waiter = undefined;
    }
    throw new Error(`no packet within ${timeoutMs} ms (waiting for ${what})`);
  }

  /** The next `count` packets, in arrival order. */
  async receiveSeveral(count: number, timeoutMs = 3000): Promise<Received[]> {
    const packets: Received[] = [];
    for (let i = 0; i < count; i++) packets.push(await this.receive(timeoutMs));
    return packets;
  }

  /** Everything arriving during the next `ms` milliseconds. */
  async collect(ms: number): Promise<Received[]> {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return this.queue.splice(0);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export interface TransferOptions {
  blksize?: number;
  windowsize?: number;
  mode?: "octet" | "netascii";
  /** Options sent as they are, after the ones above. */
  extraOptions?: OptionList;
  host?: string;
  /** Silence after which the client repeats its last packet. */
  retransmitMs?: number;
  /** Overall limit. */
  deadlineMs?: number;
  /** Blocks (counted from 1, not wrapping) whose first DATA arrival the download discards. */
  dropOnce?: readonly number[];
  /** Blocks whose first ACK the download does not send, as if it were lost. */
  withholdAckOnce?: readonly number[];
}

export interface TransferResult {
  data: Buffer;
  oack?: [string, string][];
  error?: { code: number; message: string };
  /** Packets that came from another port than the transfer's. */
  strangers: number;
  /** Block numbers of the DATA packets that arrived (on the wire, so wrapping), in order. */
  arrivals: number[];
}

function requestOptions(options: TransferOptions): OptionList {
  const list: [string, string | number][] = [];
  if (options.blksize !== undefined) list.push(["blksize", options.blksize]);
  if (options.windowsize !== undefined) list.push(["windowsize", options.windowsize]);
  return [...list, ...(options.extraOptions ?? [])];
}

function negotiated(oack: [string, string][] | undefined, name: string, fallback: number): number {
  const entry = oack?.find(([key]) => key.toLowerCase() === name);
  return entry ? Number(entry[1]) : fallback;
}

/**
 * Downloads a file as an RFC 1350/2347/7440 client: ACKs every window, ACKs the last in-order
 * block when it sees a gap, repeats its last packet after silence.
 */
export async function download(serverPort: number, filename: string, options: TransferOptions = {}) {
  const host = options.host ?? "127.0.0.1";
  const socket = createSocket({ type: host.includes(":") ? "udp6" : "udp4", recvBufferSize: 8 << 20 });
  socket.on("error", () => {});
  await new Promise<void>((resolve) => socket.bind(0, host, () => resolve()));
  const client = { send: (packet: Buffer, port: number) => socket.send(packet, port, host) };
  const retransmitMs = options.retransmitMs ?? 500;
  try {
    return await new Promise<TransferResult>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const result: TransferResult = { data: Buffer.alloc(0), strangers: 0, arrivals: [] };
      const toDrop = new Set(options.dropOnce);
      const toWithhold = new Set(options.withholdAckOnce);
      let tid = 0;
      let blksize = 512;
      let windowsize = 1;
      let received = 0;
      let inWindow = 0;
      let last = rrq(filename, requestOptions(options), options.mode ?? "octet");
      let lastTarget = serverPort;
      let gapAcked = -1;
      const send = (packet: Buffer, port: number) => {
        last = packet;
        lastTarget = port;
        client.send(packet, port);
      };
      const finish = (error?: Error) => {
        clearInterval(watchdog);
        clearTimeout(deadline);
        if (error) reject(error);
        else {
          result.data = Buffer.concat(chunks);
          resolve(result);
        }
      };
      let silentTicks = 0;
      const watchdog = setInterval(() => {
        if (++silentTicks < 2) return;
        silentTicks = 0;
        client.send(last, lastTarget);
      }, retransmitMs / 2);
      const deadline = setTimeout(
        () => finish(new Error(`download of ${filename} not done within ${options.deadlineMs ?? 60_000} ms`)),
        options.deadlineMs ?? 60_000,
      );
      socket.on("message", (packet, from) => {
        if (tid === 0) tid = from.port;
        if (from.port !== tid) {
          result.strangers++;
          return;
        }
        silentTicks = 0;
        const opcode = opcodeOf(packet);
        if (opcode === OP.ERROR) {
          result.error = errorOf(packet);
          finish();
        } else if (opcode === OP.OACK && received === 0) {
          result.oack = oackOf(packet);
          blksize = negotiated(result.oack, "blksize", 512);
          windowsize = negotiated(result.oack, "windowsize", 1);
          send(ack(0), tid);
        } else if (opcode === OP.DATA) {
          const block = blockOf(packet);
          result.arrivals.push(block);
          if (block === ((received + 1) & 0xffff) && toDrop.delete(received + 1)) return;
          if (block !== ((received + 1) & 0xffff)) {
            if (gapAcked !== received) {
              gapAcked = received;
              inWindow = 0;
              send(ack(received), tid);
            }
            return;
          }
          received++;
          inWindow++;
          chunks.push(packet.subarray(4));
          const isLast = packet.length - 4 < blksize;
          if (isLast || inWindow >= windowsize) {
            inWindow = 0;
            if (!toWithhold.delete(received)) send(ack(received), tid);
          }
          if (isLast) finish();
        }
      });
      send(last, serverPort);
    });
  } finally {
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }
}

/**
 * Uploads `content` in lock-step or windows; resolves with the server's ERROR if it sent one,
 * rejects when `deadlineMs` (default 60 s) passes first.
 */
export async function upload(
  serverPort: number,
  filename: string,
  content: Buffer,
  options: TransferOptions = {},
) {
  const client = await RawClient.open(options.host);
  const deadlineMs = options.deadlineMs ?? 60_000;
  const deadline = Date.now() + deadlineMs;
  const retransmitMs = options.retransmitMs ?? 2000;
  /** The next packet, waiting no longer than the retransmit interval or the overall deadline. */
  const next = async (): Promise<Received | undefined> => {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`upload of ${filename} not done within ${deadlineMs} ms`);
    return client.receive(Math.min(retransmitMs, left)).catch(() => undefined);
  };
  try {
    const request = wrq(filename, requestOptions(options), options.mode ?? "octet");
    let first: Received | undefined;
    for (let attempt = 0; attempt < 20 && !first; attempt++) {
      client.send(request, serverPort);
      first = await next();
    }
    if (!first) throw new Error(`no answer to the write request for ${filename}`);
    if (opcodeOf(first.packet) === OP.ERROR) return { error: errorOf(first.packet), acked: 0 };
    const tid = first.port;
    const oack = opcodeOf(first.packet) === OP.OACK ? oackOf(first.packet) : undefined;
    const blksize = negotiated(oack, "blksize", 512);
    const windowsize = negotiated(oack, "windowsize", 1);
    const blockCount = Math.floor(content.length / blksize) + 1;
    let acked = 0;
    for (let round = 0; acked < blockCount && round < blockCount * 4 + 20; round++) {
      for (let block = acked + 1; block <= Math.min(acked + windowsize, blockCount); block++) {
        client.send(data(block, content.subarray((block - 1) * blksize, block * blksize)), tid);
      }
      const reply = await next();
      if (!reply || reply.port !== tid) continue;
      if (opcodeOf(reply.packet) === OP.ERROR) return { error: errorOf(reply.packet), acked, oack };
      if (opcodeOf(reply.packet) === OP.ACK) {
        const advance = (blockOf(reply.packet) - acked) & 0xffff;
        if (advance <= windowsize) acked += advance;
      }
    }
    return { acked, oack, blockCount };
  } finally {
    await client.close();
  }
}
