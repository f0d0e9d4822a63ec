/**
 * The sockets of one transfer: its own port (the server's transfer ID), connected to the client
 * so the kernel filters and routes once, plus an unconnected twin bound to the same port
 * (SO_REUSEADDR) that receives only packets from other addresses, which get ERROR 5.
 */
import { createSocket, type Socket, type SocketType } from "node:dgram";
import { TftpErrorCode } from "./errors.ts";
import { encodeError, Opcode } from "./packet.ts";

export interface PacketHandler {
  /** A packet from the client. */
  handlePacket(packet: Buffer): void;
  /** The client's socket went away (ICMP port unreachable) or the socket failed. */
  handleSocketError(error: Error): void;
}

const ignoreAll: PacketHandler = { handlePacket() {}, handleSocketError() {} };

function bindSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(port, address, () => {
      socket.off("error", reject);
      resolve();
    });
  });
}

/**
 * The twin of a transfer's port: bound to the same port without a peer (SO_REUSEADDR), it gets
 * only packets from addresses other than the client's, and answers them with ERROR 5.
 */
export async function openStrangerSocket(
  type: SocketType,
  port: number,
  address: string,
  onStranger: () => void,
): Promise<Socket> {
  const strangers = createSocket({ type, reuseAddr: true });
  strangers.on("message", (packet, from) => {
    onStranger();
    if (packet.length >= 2 && packet.readUInt16BE(0) === Opcode.ERROR) return;
    strangers.send(
      encodeError(TftpErrorCode.UnknownTransferId, "Unknown transfer ID"),
      from.port,
      from.address,
    );
  });
  strangers.on("error", () => {}); // a stranger's unreachable port is no concern of the transfer
  try {
    await bindSocket(strangers, port, address);
  } catch (error) {
    await closeSocket(strangers);
    throw error;
  }
  return strangers;
}

export function closeSocket(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    try {
      socket.close(() => resolve());
    } catch {
      resolve(); // already closed
    }
  });
}

export class TransferChannel {
  private handler: PacketHandler = ignoreAll;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly peer: Socket,
    private readonly strangers: Socket,
  ) {
    peer.on("message", (packet) => this.handler.handlePacket(packet));
    peer.on("error", (error) => this.handler.handleSocketError(error));
  }

  /** Opens a new port on `localAddress` for a transfer with the client at `peerAddress:peerPort`. */
  static async open(
    type: SocketType,
    localAddress: string,
    peerAddress: string,
    peerPort: number,
    onStranger: () => void,
  ): Promise<TransferChannel> {
    const peer = createSocket({ type, reuseAddr: true });
    let strangers: Socket | undefined;
    try {
      await bindSocket(peer, 0, localAddress);
      strangers = await openStrangerSocket(type, peer.address().port, localAddress, onStranger);
      await new Promise<void>((resolve, reject) => {
        peer.once("error", reject);
        peer.connect(peerPort, peerAddress, () => {
          peer.off("error", reject);
          resolve();
        });
      });
    } catch (error) {
      await Promise.all([closeSocket(peer), strangers && closeSocket(strangers)]);
      throw error;
    }
    return new TransferChannel(peer, strangers);
  }

  attach(handler: PacketHandler): void {
    this.handler = handler;
  }

  /**
   * Sends `packet[0, length)` to the client. Returns false when the socket had to queue it and
   * still holds `packet`: the caller must then not write into that buffer again.
   */
  send(packet: Buffer, length: number): boolean {
    if (this.closing) return true;
    this.peer.send(length === packet.length ? packet : packet.subarray(0, length));
    return this.peer.getSendQueueCount() === 0;
  }

  /**
   * Sends `header` followed by `source[start, start + length)` as one datagram, gathered by the
   * kernel (sendmsg with two buffers): the payload is not copied in user space. Returns false,
   * as send() does, when the socket queued the packet and still holds `header`. Only for
   * `source` bytes that stay unchanged while queued; see canGather().
   */
  sendGathered(header: Buffer, source: Buffer, start: number, length: number): boolean {
    if (this.closing) return true;
    this.peer.send(length === 0 ? header : [header, source.subarray(start, start + length)]);
    return this.peer.getSendQueueCount() === 0;
  }

  /** Whether nothing waits in the socket's queue, so a gathered send goes out at once. */
  canGather(): boolean {
    return this.closing !== undefined || this.peer.getSendQueueCount() === 0;
  }

  sendError(code: TftpErrorCode, message: string): void {
    if (!this.closing) this.peer.send(encodeError(code, message));
  }

  /** Closes both sockets; resolves once they are closed. */
  close(): Promise<void> {
    this.handler = ignoreAll;
    this.closing ??= Promise.all([closeSocket(this.peer), closeSocket(this.strangers)]).then(() => {});
    return this.closing;
  }
}
