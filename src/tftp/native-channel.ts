/**
 * The sockets of a transfer whose data phase runs in the native read loop: the port connected
 * to the client belongs to native code, its stranger twin (ERROR 5) to this thread, as in
 * TransferChannel.
 */
import type { Socket, SocketType } from "node:dgram";
import { closeSocket, openStrangerSocket } from "./channel.ts";
import type { TftpErrorCode } from "./errors.ts";
import type { NativeHandle, NativeReadLoop } from "./native.ts";
import { encodeError } from "./packet.ts";

export class NativeTransferChannel {
  private closing: Promise<void> | undefined;

  private constructor(
    readonly loop: NativeReadLoop,
    readonly handle: NativeHandle,
    private readonly strangers: Socket,
  ) {}

  static async open(
    loop: NativeReadLoop,
    type: SocketType,
    localAddress: string,
    peerAddress: string,
    peerPort: number,
    onStranger: () => void,
  ): Promise<NativeTransferChannel> {
    const [handle, port] = loop.open(type === "udp6" ? 6 : 4, localAddress, peerAddress, peerPort);
    try {
      const strangers = await openStrangerSocket(type, port, localAddress, onStranger);
      return new NativeTransferChannel(loop, handle, strangers);
    } catch (error) {
      loop.close(handle);
      throw error;
    }
  }

  sendError(code: TftpErrorCode, message: string): void {
    if (!this.closing) this.loop.send(this.handle, encodeError(code, message));
  }

  /** Whether the transfer's thread handled all its port received and waits for more. */
  settled(): boolean {
    return this.closing !== undefined || this.loop.settled(this.handle);
  }

  /** Stops the transfer's thread if it still runs and closes both sockets. */
  close(): Promise<void> {
    if (!this.closing) {
      this.loop.close(this.handle);
      this.closing = closeSocket(this.strangers);
    }
    return this.closing;
  }
}
