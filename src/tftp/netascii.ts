/**
 * netascii (RFC 764, used by RFC 1350): on the wire a line ends in CR LF and a lone CR is sent
 * as CR NUL. Outgoing, LF becomes CR LF and CR becomes CR NUL; incoming, the reverse.
 */
const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/**
 * Encodes `source[start, end)` into `target` from `targetStart`; returns the bytes written.
 * `target` needs room for twice the input. Stateless, so chunks can be encoded independently.
 */
export function encodeNetascii(
  source: Uint8Array,
  start: number,
  end: number,
  target: Uint8Array,
  targetStart: number,
): number {
  let out = targetStart;
  for (let i = start; i < end; i++) {
    const byte = source[i]!;
    if (byte === LF) {
      target[out++] = CR;
      target[out++] = LF;
    } else if (byte === CR) {
      target[out++] = CR;
      target[out++] = NUL;
    } else {
      target[out++] = byte;
    }
  }
  return out - targetStart;
}

/**
 * Decodes netascii arriving in blocks. A CR at the end of one block is held until the next
 * byte tells whether it was CR LF, CR NUL or a lone CR.
 */
export class NetasciiDecoder {
  private pendingCr = false;

  /** Decodes `source` into `target` (at least `source.length + 1` bytes free); returns bytes written. */
  decode(source: Uint8Array, target: Uint8Array, targetStart: number): number {
    let out = targetStart;
    for (let i = 0; i < source.length; i++) {
      const byte = source[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte === LF) {
          target[out++] = LF;
          continue;
        }
        target[out++] = CR;
        if (byte === NUL) continue;
      }
      if (byte === CR) this.pendingCr = true;
      else target[out++] = byte;
    }
    return out - targetStart;
  }

  /** Flushes a CR the stream ended with; returns bytes written (0 or 1). */
  finish(target: Uint8Array, targetStart: number): number {
    if (!this.pendingCr) return 0;
    this.pendingCr = false;
    target[targetStart] = CR;
    return 1;
  }
}
