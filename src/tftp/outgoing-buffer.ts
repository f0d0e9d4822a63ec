/**
 * The bytes of a read transfer between the first unacknowledged block and the read-ahead
 * frontier, in one reused ring buffer filled in large chunks from a ContentReader. Blocks are
 * copied out synchronously: the per-packet path neither allocates nor awaits.
 *
 * The ring's size is a multiple of blksize, so a block never wraps around its end and nothing
 * is ever moved inside the buffer.
 */
import type { ContentReader } from "./content.ts";

export class OutgoingBuffer {
  private readonly ring: Buffer;
  /** Stream offset up to which data is loaded. */
  private loadedTo = 0;
  /** Stream offset before which the transfer needs nothing any more. */
  private releasedTo = 0;
  private reading = false;
  private ended: boolean;
  private failure: unknown;

  /**
   * @param retainBytes the most the transfer may still need behind its newest block (a window)
   * @param chunkBytes how much to read at a time
   * @param onLoaded called after each read completes (or fails), to resume sending
   */
  constructor(
    private readonly reader: ContentReader,
    blksize: number,
    retainBytes: number,
    private readonly chunkBytes: number,
    private readonly onLoaded: () => void,
  ) {
    const capacity = Math.ceil((retainBytes + chunkBytes) / blksize) * blksize;
    const knownSize = reader.size;
    // Content that fits entirely never wraps, so it needs no rounding to blksize.
    this.ring = Buffer.allocUnsafe(knownSize === undefined ? capacity : Math.min(capacity, knownSize));
    this.ended = knownSize === 0;
  }

  /** The error the reader failed with, once it failed. */
  get error(): unknown {
    return this.failure;
  }

  /** Length of the block at stream `offset`, or -1 when it is not loaded yet (a read is then started). */
  private loadedLength(offset: number, blksize: number): number {
    const available = this.loadedTo - offset;
    if (available >= blksize) return blksize;
    if (this.ended) return Math.max(0, available);
    this.readAhead();
    return -1;
  }

  /**
   * Copies the block starting at stream `offset` into `target`; returns its length (short or
   * zero for the last block), or -1 when its bytes are not loaded yet.
   */
  copyBlock(offset: number, blksize: number, target: Buffer, targetOffset: number): number {
    const length = this.loadedLength(offset, blksize);
    if (length > 0) {
      const start = offset % this.ring.length;
      this.ring.copy(target, targetOffset, start, start + length);
    }
    return length;
  }

  /**
   * Length of the block starting at stream `offset` (as copyBlock), without copying it: its
   * bytes are then `bytes[blockStart(offset), blockStart(offset) + length)`. They stay there
   * until the block is released.
   */
  blockLength(offset: number, blksize: number): number {
    return this.loadedLength(offset, blksize);
  }

  blockStart(offset: number): number {
    return offset % this.ring.length;
  }

  /** The ring itself, for sending blocks straight from it. */
  get bytes(): Buffer {
    return this.ring;
  }

  /** Marks everything before stream `offset` as acknowledged. */
  release(offset: number): void {
    if (offset > this.releasedTo) this.releasedTo = offset;
  }

  /** Starts reading the next chunk when there is room and no read in progress. */
  readAhead(): void {
    if (this.reading || this.ended || this.failure !== undefined) return;
    const capacity = this.ring.length;
    const free = capacity - (this.loadedTo - this.releasedTo);
    const size = this.reader.size;
    const reachesEnd = size !== undefined && this.releasedTo + capacity >= size;
    // Below half a chunk of room, wait for acknowledgements unless that room finishes the content.
    if (free === 0 || (free < this.chunkBytes >> 1 && this.loadedTo > 0 && !reachesEnd)) return;
    const start = this.loadedTo % capacity;
    const length = Math.min(free, capacity - start);
    this.reading = true;
    this.reader.read(this.ring, start, length).then(
      (count) => {
        this.reading = false;
        this.loadedTo += count;
        if (count === 0 || (size !== undefined && this.loadedTo >= size)) this.ended = true;
        this.onLoaded();
      },
      (error: unknown) => {
        this.reading = false;
        this.failure = error ?? new Error("content reader failed");
        this.onLoaded();
      },
    );
  }
}
