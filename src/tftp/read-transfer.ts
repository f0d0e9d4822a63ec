/**
 * Sending a file (RRQ). Blocks are numbered from 1 and roll over from 65535 to 0; internally
 * they are counted without wrapping. With windowsize W (RFC 7440) up to W blocks are in flight;
 * an ACK for a block inside the window restarts sending right after it. Duplicate ACKs never
 * cause a resend (RFC 1123 4.2.3.1: no Sorcerer's Apprentice); only the timer does.
 */
import type { TransferChannel } from "./channel.ts";
import type { ContentReader } from "./content.ts";
import { TftpErrorCode, TftpRefusal } from "./errors.ts";
import { OutgoingBuffer } from "./outgoing-buffer.ts";
import { allocateDataPacket, encodeOack, Opcode } from "./packet.ts";
import { readFailed, shortPacket, unexpectedOpcode } from "./refusals.ts";
import { Transfer, type TransferSettings } from "./transfer.ts";

/** Read-ahead: few large file reads instead of one per block, and at least 16 blocks each. */
const MIN_READ_CHUNK_BYTES = 256 * 1024;
const READ_CHUNK_BLOCKS = 16;
/**
 * From this block size on, blocks go out straight from the read-ahead buffer (a gathered send
 * with the 4-byte header) instead of being copied into the packet: copying 64 KiB costs more
 * than the two small objects a gathered send allocates. Below, the copy is the cheaper one.
 */
const GATHER_MIN_BLKSIZE = 4096;

export interface ReadTransferParameters {
  blksize: number;
  windowsize: number;
  /** OACK entries; empty when the request carried no accepted option. */
  oack: [string, string][];
}

export class ReadTransfer extends Transfer {
  private readonly data: OutgoingBuffer;
  private readonly blksize: number;
  private readonly windowsize: number;
  private readonly oack: Buffer | undefined;
  /** The DATA packet, reused for every block (its header alone when blocks are gathered). */
  private packet: Buffer;
  private readonly gather: boolean;
  private awaitingOptionAck: boolean;
  /** Highest block the client acknowledged (0 = none). */
  private acked = 0;
  /** Highest block sent since the window (re)started. */
  private sent = 0;
  /** Number of the final (short) block once it is known. */
  private lastBlock = Number.POSITIVE_INFINITY;
  private lastBlockLength = 0;
  /** Block whose round trip is being timed (0 = none) and when it was sent. */
  private timedBlock = 0;
  private timedSince = 0;
  private waitingForData = false;

  constructor(
    channel: TransferChannel,
    settings: TransferSettings,
    private readonly reader: ContentReader,
    parameters: ReadTransferParameters,
  ) {
    super(channel, settings);
    this.blksize = parameters.blksize;
    this.windowsize = parameters.windowsize;
    this.gather = this.blksize >= GATHER_MIN_BLKSIZE;
    this.packet = allocateDataPacket(this.gather ? 0 : this.blksize);
    this.oack = parameters.oack.length > 0 ? encodeOack(parameters.oack) : undefined;
    this.awaitingOptionAck = this.oack !== undefined;
    const chunkBytes = Math.max(MIN_READ_CHUNK_BYTES, READ_CHUNK_BLOCKS * this.blksize);
    this.data = new OutgoingBuffer(reader, this.blksize, this.windowsize * this.blksize, chunkBytes, () =>
      this.onDataLoaded(),
    );
  }

  start(): void {
    this.data.readAhead();
    if (this.oack) this.sendOack();
    else this.pump();
  }

  /** A client that gave up on our OACK to ask again (UEFI PXE) counts as a size probe. */
  override abort(message: string, tellClient: boolean): void {
    if (this.awaitingOptionAck && !tellClient) {
      this.end("size-probe", new TftpRefusal(TftpErrorCode.NotDefined, message));
      return;
    }
    super.abort(message, tellClient);
  }

  handlePacket(packet: Buffer): void {
    if (packet.length < 4) {
      this.failWith(shortPacket());
      return;
    }
    const opcode = (packet[0]! << 8) | packet[1]!;
    if (opcode === Opcode.ACK) this.handleAck((packet[2]! << 8) | packet[3]!);
    else if (opcode === Opcode.ERROR) {
      // An ERROR in answer to the OACK is how UEFI PXE probes the size before asking again.
      this.clientError(packet, this.awaitingOptionAck ? "size-probe" : "aborted");
    } else {
      this.failWith(unexpectedOpcode("an ACK", opcode));
    }
  }

  private handleAck(wireBlock: number): void {
    if (this.awaitingOptionAck) {
      if (wireBlock !== 0) return;
      this.awaitingOptionAck = false;
      this.progressed();
      this.pump();
      return;
    }
    const advance = (wireBlock - this.acked) & 0xffff;
    // Zero is a duplicate, more than was sent is stale or bogus: neither triggers a send.
    if (advance === 0 || advance > this.sent - this.acked) return;
    this.acked += advance;
    this.blocks = this.acked;
    this.bytes = this.acked * this.blksize;
    this.progressed();
    if (this.timedBlock !== 0 && this.acked >= this.timedBlock) {
      this.settings.timeout.sample(performance.now() - this.timedSince);
      this.timedBlock = 0;
    }
    if (this.acked >= this.lastBlock) {
      this.bytes = (this.acked - 1) * this.blksize + this.lastBlockLength;
      this.end("completed");
      return;
    }
    // Restart right after the acknowledged block when the client missed part of the window.
    this.sent = this.acked;
    this.data.release(this.acked * this.blksize);
    this.pump();
  }

  /** Sends blocks until the window is full, the last block is out, or data must be loaded. */
  private pump(): void {
    const limit = Math.min(this.acked + this.windowsize, this.lastBlock);
    while (this.sent < limit) {
      const block = this.sent + 1;
      const length = this.sendBlock(block);
      if (length < 0) {
        this.waitingForData = true;
        break;
      }
      this.sent = block;
      if (this.timedBlock === 0) {
        this.timedBlock = block;
        this.timedSince = performance.now();
      }
      if (length < this.blksize) {
        // The short block ends the file: the window must not run on past it.
        this.lastBlock = block;
        this.lastBlockLength = length;
        break;
      }
    }
    if (this.sent > this.acked) this.armTimer();
    this.data.readAhead();
  }

  /** Sends one DATA block; returns its length, or -1 when its bytes are still being read. */
  private sendBlock(block: number): number {
    const offset = (block - 1) * this.blksize;
    // A queued packet may go out after its block was released and overwritten: copy then.
    if (this.gather && this.channel.canGather()) {
      const length = this.data.blockLength(offset, this.blksize);
      if (length < 0) return -1;
      const header = this.packet;
      header[2] = (block >> 8) & 0xff;
      header[3] = block & 0xff;
      if (!this.channel.sendGathered(header, this.data.bytes, this.data.blockStart(offset), length)) {
        this.packet = allocateDataPacket(0);
      }
      return length;
    }
    const packet = this.gather ? allocateDataPacket(this.blksize) : this.packet;
    const length = this.data.copyBlock(offset, this.blksize, packet, 4);
    if (length < 0) return -1;
    packet[2] = (block >> 8) & 0xff;
    packet[3] = block & 0xff;
    if (!this.channel.send(packet, length + 4) && !this.gather)
      this.packet = allocateDataPacket(this.blksize);
    return length;
  }

  private onDataLoaded(): void {
    if (this.ended) return;
    const failure = this.data.error;
    if (failure !== undefined) {
      this.failWith(failure instanceof TftpRefusal ? failure : readFailed(messageOf(failure)));
      return;
    }
    if (this.waitingForData) {
      this.waitingForData = false;
      this.pump();
    }
  }

  private sendOack(): void {
    this.channel.send(this.oack!, this.oack!.length);
    this.armTimer();
  }

  protected retransmit(): void {
    this.retransmits++;
    this.timedBlock = 0; // Karn: no round-trip sample across a retransmission
    if (this.awaitingOptionAck) {
      this.sendOack();
      return;
    }
    this.sent = this.acked;
    this.pump();
  }

  protected cleanUp(): Promise<void> {
    return this.reader.close();
  }
}

function messageOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === "string") return code;
  return error instanceof Error ? error.message : String(error);
}
