// A share link's token: the share's id and a MAC under a key only the Worker holds.
import { describe, expect, it } from "vitest";
import { shareIdOf, shareToken } from "../../src/playground/shares/share-token.ts";

const SECRET = "a-secret-of-at-least-32-bytes-for-tests";
const shareId = "8c9d2f1e-4a3b-4c5d-9e8f-7a6b5c4d3e2f";

describe("share tokens", () => {
  it("give back the share they were made for, and are the same every time", async () => {
    const token = await shareToken(shareId, SECRET);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await shareToken(shareId, SECRET)).toBe(token);
    expect(await shareIdOf(token, SECRET)).toBe(shareId);
  });

  it("cannot be made from the share's id alone: another key, or any changed character, names no share", async () => {
    const token = await shareToken(shareId, SECRET);
    expect(await shareIdOf(token, "another-secret-of-at-least-32-bytes")).toBeUndefined();
    for (const position of [0, 10, 21, 30, 42]) {
      const changed = `${token.slice(0, position)}${token[position] === "A" ? "B" : "A"}${token.slice(position + 1)}`;
      expect(await shareIdOf(changed, SECRET)).toBeUndefined();
    }
    expect(await shareIdOf("short", SECRET)).toBeUndefined();
  });
});
