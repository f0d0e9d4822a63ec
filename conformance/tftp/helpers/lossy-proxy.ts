/**
 * A UDP relay between one client and the server that drops, duplicates and reorders packets
 * in both directions, from a seeded generator so failures reproduce. Loopback only.
 */
import { createSocket, type Socket } from "node:dgram";
import { OP, opcodeOf } from "./packets.ts";

export interface Impairment {
  drop: number;
  duplicate: number;
  /** Share of packets held back 1-6 ms, so later ones overtake them. */
  reorder: number;
  seed: number;
}

function generator(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 0x1_0000_0000;
  };
}

async function bound(socket: Socket): Promise<Socket> {
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  socket.on("error", () => {});
  return socket;
}

export class LossyProxy {
  readonly counts = { forwarded: 0, dropped: 0, duplicated: 0, delayed: 0 };
  private readonly random: () => number;
  private readonly timers = new Set<NodeJS.Timeout>();
  private client: { port: number } | undefined;
  /** The server's transfer port, learned from its first answer. */
  private transferPort: number | undefined;
  private lastRequest: Buffer | undefined;

  private constructor(
    private readonly downstream: Socket,
    private readonly upstream: Socket,
    private readonly serverPort: number,
    private readonly impairment: Impairment,
  ) {
    this.random = generator(impairment.seed);
    downstream.on("message", (packet, from) => {
      this.client = { port: from.port };
      const opcode = opcodeOf(packet);
      const isRequest = opcode === OP.RRQ || opcode === OP.WRQ;
      // A repeated request belongs to the transfer already under way; only a new one starts over.
      if (isRequest && !this.lastRequest?.equals(packet)) {
        this.lastRequest = packet;
        this.transferPort = undefined;
      }
      const port = isRequest || this.transferPort === undefined ? this.serverPort : this.transferPort;
      this.impair(() => this.upstream.send(packet, port, "127.0.0.1"));
    });
    upstream.on("message", (packet, from) => {
      if (from.port !== this.serverPort) this.transferPort = from.port;
      const client = this.client;
      if (client) this.impair(() => this.downstream.send(packet, client.port, "127.0.0.1"));
    });
  }

  static async open(serverPort: number, impairment: Impairment): Promise<LossyProxy> {
    const downstream = await bound(createSocket("udp4"));
    const upstream = await bound(createSocket("udp4"));
    return new LossyProxy(downstream, upstream, serverPort, impairment);
  }

  /** The port clients talk to instead of the server's. */
  get port(): number {
    return this.downstream.address().port;
  }

  private impair(send: () => void): void {
    const { drop, duplicate, reorder } = this.impairment;
    if (this.random() < drop) {
      this.counts.dropped++;
      return;
    }
    this.counts.forwarded++;
    const copies = this.random() < duplicate ? 2 : 1;
    if (copies === 2) this.counts.duplicated++;
    for (let copy = 0; copy < copies; copy++) {
      if (this.random() < reorder) {
        this.counts.delayed++;
        const timer = setTimeout(
          () => {
            this.timers.delete(timer);
            send();
          },
          1 + Math.floor(this.random() * 6),
        );
        this.timers.add(timer);
      } else {
        send();
      }
    }
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    await Promise.all(
      [this.downstream, this.upstream].map((s) => new Promise<void>((resolve) => s.close(() => resolve()))),
    );
  }
}
