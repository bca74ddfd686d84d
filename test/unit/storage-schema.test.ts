// Which tables a meter object needs, from its name.
import { describe, expect, it } from "vitest";
import { subjectKindOf } from "../../src/meter/storage-schema.ts";

describe("subjectKindOf", () => {
  it("takes a user's object, or a nameless one, as a user's", () => {
    expect(subjectKindOf("user:0b3f6a5e-2c1d-4e8f-9a7b-6c5d4e3f2a1b")).toBe("user");
    expect(subjectKindOf(undefined)).toBe("user");
  });

  it("takes a client address's or an email's object as counting requests only", () => {
    expect(subjectKindOf("ip:203.0.113.7")).toBe("requests-only");
    expect(subjectKindOf("email:5e884898da28047151d0e56f8dc6292773603d0d")).toBe("requests-only");
  });
});
