import { EventEmitter } from "node:events";
import type { Socket } from "node:net";
import { Duplex } from "node:stream";

/**
 * The board's serial line as the driver sees it: one upstream connection (QEMU's serial
 * port, while the board is powered) and any number of client byte streams.
 *
 * Output that arrives while no client is connected is kept (up to `backlogBytes`, oldest bytes
 * dropped first) and handed to the next client that connects, so early boot output is not
 * lost. Output a client has received is not replayed to later clients: like a UART with a big
 * FIFO, each byte is read once. Client streams stay open across power cycles; input written
 * while the board is off is dropped, as on a real serial line.
 *
 * Emits `output` (the chunk) for each piece of the board's output, once it was handed to the
 * clients or kept in the backlog: a readiness signal for whoever waits on the counters.
 */
export class ConsoleHub extends EventEmitter<{ output: [chunk: Buffer] }> {
  private upstream: Socket | undefined;
  private readonly clients = new Set<Duplex>();
  /** Clients that asked us to wait; the upstream is paused until they want more. */
  private readonly full = new Set<Duplex>();
  private backlog: Buffer[] = [];
  private backlogSize = 0;
  private dropped = 0;
  private closed = false;

  constructor(private readonly backlogBytes: number) {
    super();
  }

  /** Bytes waiting for the next client. */
  get backlogLength(): number {
    return this.backlogSize;
  }

  /** Bytes dropped from the backlog because no client read them in time. */
  get droppedBytes(): number {
    return this.dropped;
  }

  get connectedClients(): number {
    return this.clients.size;
  }

  /** Connects QEMU's serial port; a previous upstream is let go. */
  attach(socket: Socket): void {
    this.detach();
    if (this.closed) {
      socket.destroy();
      return;
    }
    this.upstream = socket;
    socket.on("data", (chunk: Buffer) => this.deliver(chunk));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.upstream === socket) this.upstream = undefined;
    });
  }

  /** Disconnects the upstream (the board is off). */
  detach(): void {
    const socket = this.upstream;
    this.upstream = undefined;
    this.full.clear();
    socket?.destroy();
  }

  /** Forgets undelivered output (a new boot starts). */
  clearBacklog(): void {
    this.backlog = [];
    this.backlogSize = 0;
  }

  /** A new client byte stream: the backlog first, then live output; writes go to the board. */
  open(): Duplex {
    const hub = this;
    const client: Duplex = new Duplex({
      allowHalfOpen: false,
      read() {
        hub.full.delete(client);
        if (hub.full.size === 0) hub.upstream?.resume();
      },
      write(chunk: Buffer, _encoding, callback) {
        const upstream = hub.upstream;
        if (!upstream || upstream.destroyed) {
          callback();
          return;
        }
        // A board that goes away mid-write is not the client's error: the bytes are lost.
        upstream.write(chunk, () => callback());
      },
      final(callback) {
        hub.remove(client);
        callback();
      },
      destroy(error, callback) {
        hub.remove(client);
        callback(error);
      },
    });
    if (this.closed) {
      client.push(null);
      return client;
    }
    this.clients.add(client);
    for (const chunk of this.backlog) client.push(chunk);
    this.clearBacklog();
    return client;
  }

  /** Ends every client stream and lets the upstream go. */
  close(): void {
    this.closed = true;
    this.detach();
    for (const client of [...this.clients]) {
      this.clients.delete(client);
      client.push(null);
    }
    this.clearBacklog();
  }

  private deliver(chunk: Buffer): void {
    if (this.clients.size === 0) {
      this.keep(chunk);
    } else {
      for (const client of this.clients) {
        if (!client.push(chunk)) this.full.add(client);
      }
      if (this.full.size > 0) this.upstream?.pause();
    }
    this.emit("output", chunk);
  }

  private keep(chunk: Buffer): void {
    if (this.backlogBytes === 0) {
      this.dropped += chunk.length;
      return;
    }
    const piece = chunk.length > this.backlogBytes ? chunk.subarray(chunk.length - this.backlogBytes) : chunk;
    this.dropped += chunk.length - piece.length;
    this.backlog.push(piece);
    this.backlogSize += piece.length;
    while (this.backlogSize > this.backlogBytes) {
      const oldest = this.backlog[0]!;
      const excess = this.backlogSize - this.backlogBytes;
      if (oldest.length <= excess) {
        this.backlog.shift();
        this.backlogSize -= oldest.length;
        this.dropped += oldest.length;
      } else {
        this.backlog[0] = oldest.subarray(excess);
        this.backlogSize -= excess;
        this.dropped += excess;
      }
    }
  }

  private remove(client: Duplex): void {
    this.clients.delete(client);
    this.full.delete(client);
    if (this.full.size === 0) this.upstream?.resume();
  }
}
