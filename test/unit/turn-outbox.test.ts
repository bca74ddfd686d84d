// The pauses between tries of a queued turn: doubling, capped at a minute in the first hour and ten
// minutes after it, and shortened by a random fifth at most.
import { describe, expect, it } from "vitest";
import { retryPause } from "../../src/meter/turn-outbox.ts";

const HOUR_MS = 3_600_000;
const longest = () => 1;
const shortest = () => 0;

describe("retryPause", () => {
  it("doubles from 10 s up to a minute during the first hour", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => retryPause(attempt, 0, longest))).toEqual([10_000, 20_000, 40_000, 60_000, 60_000]);
    expect(retryPause(10, HOUR_MS - 1, longest)).toBe(60_000);
  });

  it("goes up to ten minutes once the turn has waited an hour", () => {
    expect(retryPause(6, HOUR_MS, longest)).toBe(320_000);
    expect(retryPause(10, HOUR_MS, longest)).toBe(600_000);
  });

  it("is shortened by the jitter by a fifth at most", () => {
    expect([1, 2, 3, 4].map((attempt) => retryPause(attempt, 0, shortest))).toEqual([8_000, 16_000, 32_000, 48_000]);
    expect(retryPause(10, HOUR_MS, shortest)).toBe(480_000);
    expect(retryPause(1, 0, () => 0.5)).toBe(9_000);
  });

  it("tries the first time again within 10 s, whatever the random value", () => {
    for (const random of [0, 0.25, 0.999_999, 1]) {
      const pause = retryPause(1, 0, () => random);
      expect(pause).toBeGreaterThanOrEqual(8_000);
      expect(pause).toBeLessThanOrEqual(10_000);
    }
  });
});
