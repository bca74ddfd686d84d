// What wrangler deploys: the user's meter under its new name, still SQLite-backed. Deployed objects
// of the class's first name keep their state only through the `renamed_classes` migration, and
// wrangler derives the storage backend of a class by following the migrations: without the rename,
// UserMeter would not be a SQLite class and the deploy would be refused.

import { describe, expect, it } from "vitest";
import { unstable_getMiniflareWorkerOptions } from "wrangler";

describe("wrangler.toml", () => {
  it("binds the user's meter, reached from RateLimiter's SQLite storage by the rename", () => {
    const { workerOptions } = unstable_getMiniflareWorkerOptions("wrangler.toml");
    expect(workerOptions.durableObjects).toEqual({ USER_METER: { className: "UserMeter", useSQLite: true } });
  });
});
