/**
 * Retransmit timeout for one transfer (RFC 1123 4.2.3.2 asks for an adaptive one): smoothed
 * round-trip time as in RFC 6298, with Karn's rule (no samples across a retransmission) and
 * doubling back-off. A timeout negotiated with the client (RFC 2349) is used as is.
 */
export interface RetransmitSettings {
  /** Timeout before the first round-trip measurement. */
  initialMs: number;
  /** Floor of the adaptive timeout. */
  minMs: number;
  /** Ceiling of the adaptive timeout and of the back-off. */
  maxMs: number;
}

export class RetransmitTimeout {
  private smoothedMs = 0;
  private variationMs = 0;
  private currentMs: number;
  private readonly fixed: boolean;

  constructor(
    private readonly settings: RetransmitSettings,
    negotiatedSeconds?: number,
  ) {
    this.fixed = negotiatedSeconds !== undefined;
    this.currentMs = negotiatedSeconds !== undefined ? negotiatedSeconds * 1000 : settings.initialMs;
  }

  get ms(): number {
    return this.currentMs;
  }

  /**
   * How long the client itself may wait before it repeats a packet: the negotiated timeout, or
   * else the configured initial timeout. Our adaptive timeout says nothing about the client's.
   */
  get clientRetransmitMs(): number {
    return this.fixed ? this.currentMs : this.settings.initialMs;
  }

  /** Smoothed round-trip time, once measured. */
  get roundTripMs(): number | undefined {
    return this.smoothedMs === 0 ? undefined : this.smoothedMs;
  }

  /** Records a round trip of a packet sent once. */
  sample(roundTripMs: number): void {
    if (this.fixed) return;
    if (this.smoothedMs === 0) {
      this.smoothedMs = roundTripMs;
      this.variationMs = roundTripMs / 2;
    } else {
      this.variationMs = 0.75 * this.variationMs + 0.25 * Math.abs(this.smoothedMs - roundTripMs);
      this.smoothedMs = 0.875 * this.smoothedMs + 0.125 * roundTripMs;
    }
    this.currentMs = this.clamp(this.smoothedMs + 4 * this.variationMs);
  }

  backOff(): void {
    if (!this.fixed) this.currentMs = this.clamp(this.currentMs * 2);
  }

  private clamp(ms: number): number {
    return Math.min(this.settings.maxMs, Math.max(this.settings.minMs, ms));
  }
}
