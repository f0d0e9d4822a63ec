import { describe, expect, it } from "vitest";
import { RetransmitTimeout } from "./retransmit.ts";

const settings = { initialMs: 1000, minMs: 100, maxMs: 8000 };

describe("RetransmitTimeout", () => {
  it("starts at the initial timeout and adapts to measured round trips, above the floor", () => {
    const timeout = new RetransmitTimeout(settings);
    expect(timeout.ms).toBe(1000);
    for (let i = 0; i < 20; i++) timeout.sample(0.05);
    expect(timeout.ms).toBe(100);
    for (let i = 0; i < 50; i++) timeout.sample(400);
    expect(timeout.ms).toBeGreaterThan(400);
    expect(timeout.ms).toBeLessThan(1000);
  });

  it("doubles on back-off up to the ceiling", () => {
    const timeout = new RetransmitTimeout(settings);
    for (let i = 0; i < 10; i++) timeout.backOff();
    expect(timeout.ms).toBe(8000);
  });

  it("keeps a negotiated timeout as it is", () => {
    const timeout = new RetransmitTimeout(settings, 3);
    timeout.sample(1);
    timeout.backOff();
    expect(timeout.ms).toBe(3000);
    expect(timeout.roundTripMs).toBeUndefined();
  });

  it("expects the client to repeat after the negotiated timeout, or else the initial one", () => {
    const adaptive = new RetransmitTimeout(settings);
    for (let i = 0; i < 20; i++) adaptive.sample(0.05);
    expect(adaptive.clientRetransmitMs).toBe(1000);
    expect(new RetransmitTimeout(settings, 7).clientRetransmitMs).toBe(7000);
  });
});
