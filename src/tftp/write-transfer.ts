/**
 * Receiving a file (WRQ). Blocks are acknowledged once per window (RFC 7440; every block at
 * windowsize 1). A gap inside a window is answered once with an ACK for the last block received
 * in order, so the client restarts from there. The final ACK is sent only after the file is in
 * place; the socket then lingers briefly to answer a repeated final block.
 */
import type { TransferChannel } from "./channel.ts";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";
import { NetasciiDecoder } from "./netascii.ts";
import { encodeAck, encodeOack, Opcode } from "./packet.ts";
import { shortPacket, unexpectedOpcode } from "./refusals.ts";
import { Transfer, type TransferSettings } from "./transfer.ts";
import { type UploadFile, uploadRefusal } from "./upload-file.ts";

export interface WriteTransferParameters {
  blksize: number;
  windowsize: number;
  oack: [string, string][];
  netascii: boolean;
  maxBytes: number;
}

export class WriteTransfer extends Transfer {
  private readonly decoder: NetasciiDecoder | undefined;
  private readonly windowBytes: number;
  /** Blocks received in order so far. */
  private received = 0;
  /** Block number of the last ACK sent (0 is the OACK or ACK 0). */
  private acknowledged = 0;
  /** Received count for which a repeated ACK was already sent. */
  private reacknowledged = -1;
  private awaitingRoom = false;
  private finishing: Promise<void> | undefined;
  private completed = false;
  private readonly ackPacket = encodeAck(0);
  /** When the ACK now being answered was sent (0 = not timed, e.g. it was a retransmission). */
  private ackSentAt = 0;
  /** What the client gets again on a timeout: the OACK or the latest ACK. */
  private answer: Buffer;

  constructor(
    channel: TransferChannel,
    settings: TransferSettings,
    private readonly upload: UploadFile,
    private readonly parameters: WriteTransferParameters,
  ) {
    super(channel, settings);
    this.decoder = parameters.netascii ? new NetasciiDecoder() : undefined;
    // One spare byte per window for a CR the netascii decoder held back.
    this.windowBytes = parameters.windowsize * parameters.blksize + 1;
    this.answer = parameters.oack.length > 0 ? encodeOack(parameters.oack) : this.ackPacket;
  }

  /**
   * After the final ACK the port stays open long enough for a client that missed it to repeat
   * its last block a few times: several of the client's retransmit intervals, at most 10 s.
   */
  override get lingerMs(): number {
    return this.completed ? Math.min(3 * this.settings.timeout.clientRetransmitMs, 10_000) : 0;
  }

  start(): void {
    this.sendAnswer();
  }

  handlePacket(packet: Buffer): void {
    if (packet.length < 4) {
      if (!this.ended) {
        this.failWith(shortPacket());
      }
      return;
    }
    const opcode = (packet[0]! << 8) | packet[1]!;
    if (this.ended) {
      // Lingering: the client did not get the final ACK and repeats the last block.
      if (this.completed && opcode === Opcode.DATA) this.channel.send(this.answer, this.answer.length);
      return;
    }
    if (opcode === Opcode.DATA) this.handleData(packet);
    else if (opcode === Opcode.ERROR) this.clientError(packet);
    else this.failWith(unexpectedOpcode("DATA", opcode));
  }

  private handleData(packet: Buffer): void {
    const { blksize, maxBytes } = this.parameters;
    const length = packet.length - 4;
    if (length > blksize) {
      this.failWith(
        new TftpRefusal(
          TftpErrorCode.IllegalOperation,
          `DATA block of ${length} bytes exceeds blksize ${blksize}`,
        ),
      );
      return;
    }
    if (this.awaitingRoom || this.finishing) return; // the client repeats it after we catch up
    const step = (((packet[2]! << 8) | packet[3]!) - this.received) & 0xffff;
    if (step !== 1) {
      // A duplicate (client missed our ACK) or a gap: repeat the ACK once, the timer does the rest.
      if (this.reacknowledged !== this.received) {
        this.reacknowledged = this.received;
        this.sendAck(this.received);
      }
      return;
    }
    if (this.bytes + length > maxBytes) {
      this.failWith(new TftpRefusal(TftpErrorCode.DiskFull, `Upload exceeds the limit of ${maxBytes} bytes`));
      return;
    }
    if (this.ackSentAt !== 0) {
      this.settings.timeout.sample(performance.now() - this.ackSentAt);
      this.ackSentAt = 0;
    }
    this.store(packet);
    this.received++;
    this.blocks = this.received;
    this.bytes += length;
    this.progressed();
    if (length < blksize) {
      this.complete();
      return;
    }
    if (this.received - this.acknowledged >= this.parameters.windowsize) this.acknowledgeWhenRoom();
    else this.armTimer();
  }

  private store(packet: Buffer): void {
    const { upload } = this;
    if (this.decoder) {
      upload.advance(this.decoder.decode(packet.subarray(4), upload.target, upload.offset));
    } else {
      packet.copy(upload.target, upload.offset, 4);
      upload.advance(packet.length - 4);
    }
  }

  /** Acknowledges once the next window fits in the upload buffer. */
  private acknowledgeWhenRoom(): void {
    if (this.upload.ensureRoom(this.windowBytes, () => this.roomAvailable())) {
      this.sendAck(this.received);
      return;
    }
    this.awaitingRoom = true;
    this.stopTimer();
  }

  private roomAvailable(): void {
    this.awaitingRoom = false;
    if (this.ended) return;
    if (this.upload.error !== undefined) {
      this.failWith(uploadRefusal(this.upload.error));
      return;
    }
    this.sendAck(this.received);
  }

  private complete(): void {
    this.stopTimer();
    if (this.decoder) this.upload.advance(this.decoder.finish(this.upload.target, this.upload.offset));
    this.finishing = this.upload.finish();
    this.finishing.then(
      () => {
        if (this.ended) return;
        this.completed = true;
        this.acknowledged = this.received;
        this.ackPacket.writeUInt16BE(this.received & 0xffff, 2);
        this.answer = this.ackPacket;
        this.channel.send(this.answer, this.answer.length);
        this.end("completed");
      },
      (error: unknown) => this.failWith(uploadRefusal(error)),
    );
  }

  private sendAck(block: number): void {
    this.acknowledged = block;
    this.ackPacket.writeUInt16BE(block & 0xffff, 2);
    this.answer = this.ackPacket;
    this.sendAnswer();
    this.ackSentAt = performance.now();
  }

  private sendAnswer(): void {
    this.channel.send(this.answer, this.answer.length);
    this.armTimer();
  }

  protected retransmit(): void {
    this.retransmits++;
    this.ackSentAt = 0; // Karn: no round-trip sample across a retransmission
    this.sendAnswer();
  }

  protected cleanUp(): Promise<void> {
    // A finishing upload either lands (the file was complete) or removes itself.
    return this.finishing ? this.finishing.catch(() => {}) : this.upload.discard();
  }
}
