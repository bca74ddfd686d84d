// The sessions list's cursor: what encodeCursor gives decodes back, and nothing else decodes.
import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/playground/sessions/cursor.ts";

const id = "0b3f6a5e-2c1d-4e8f-9a7b-6c5d4e3f2a1b";
const base64 = (text: string) => btoa(text).replace(/=+$/, "");

describe("the sessions cursor", () => {
  it("decodes to the createdAt and id it was made from", () => {
    const cursor = { createdAt: new Date("2026-03-14T15:09:26.535Z"), id };

    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it("is plain base64, without padding", () => {
    expect(encodeCursor({ createdAt: new Date(0), id })).toMatch(/^[A-Za-z0-9+/]+$/);
  });

  it.each([
    ["garbage", "abc"],
    ["a string that is not base64", "not base64!"],
    ["a date that is not exactly ISO", base64(`2026-1-1|${id}`)],
    ["a date without milliseconds", base64(`2026-01-01T00:00:00Z|${id}`)],
    ["an id that is not a uuid", base64("2026-01-01T00:00:00.000Z|42")],
    ["an extra part", base64(`2026-01-01T00:00:00.000Z|${id}|more`)],
    ["the year 0", base64(`0000-01-01T00:00:00.000Z|${id}`)],
    ["the year 10000", base64(`+010000-01-01T00:00:00.000Z|${id}`)],
  ])("refuses %s", (_, value) => {
    expect(decodeCursor(value)).toBeUndefined();
  });
});
