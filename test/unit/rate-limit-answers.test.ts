// The words of a 429: "50 per hour", "try again in 2 minutes".
import { describe, expect, it } from "vitest";
import { inWords, per } from "../../src/meter/rate-limit-answers.ts";

describe("per", () => {
  it("names a window of exactly one unit by the unit alone", () => {
    expect([86_400, 3600, 60, 1].map(per)).toEqual(["day", "hour", "minute", "second"]);
  });

  it("counts a window in the largest unit that divides it", () => {
    expect([172_800, 7200, 900, 90, 7].map(per)).toEqual(["2 days", "2 hours", "15 minutes", "90 seconds", "7 seconds"]);
  });
});

describe("inWords", () => {
  it("tells a wait under a minute in seconds", () => {
    expect([1, 2, 59].map(inWords)).toEqual(["1 second", "2 seconds", "59 seconds"]);
  });

  it("rounds a longer wait up, so a client that waits that long gets through", () => {
    expect([60, 61, 95, 7140].map(inWords)).toEqual(["1 minute", "2 minutes", "2 minutes", "119 minutes"]);
    expect([7200, 7201].map(inWords)).toEqual(["2 hours", "3 hours"]);
  });
});
