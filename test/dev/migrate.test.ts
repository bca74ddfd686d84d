// The migrations of `npm run dev` and `npm run db:migrate`: applied once, in one transaction, and
// applied as soon as a database that could not be reached answers.
import { neon } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyMigrations, migrateWhenReachable } from "../../dev/migrate.ts";
import { type SqlEndpoint, startSqlEndpoint } from "../../dev/sql-endpoint.ts";
import { startDatabaseSwitch } from "../database-switch.ts";

let endpoint: SqlEndpoint;
let databaseSwitch: Awaited<ReturnType<typeof startDatabaseSwitch>>;

beforeAll(async () => {
  endpoint = await startSqlEndpoint();
  databaseSwitch = await startDatabaseSwitch(endpoint.url);
});
afterAll(async () => {
  await databaseSwitch.close();
  await endpoint.close();
});

const turn = (mode: "up" | "down" | "failing") =>
  fetch(databaseSwitch.controlUrl, { method: "POST", body: JSON.stringify({ mode }) });

const tables = async () =>
  (await neon(endpoint.connectionString)`select table_name from information_schema.tables where table_schema = 'public' order by 1`).map(
    (row) => row.table_name,
  );

describe("migrations", () => {
  it("wait for a database that cannot be reached, and are applied once it answers", async () => {
    await turn("down");
    const reasons: string[] = [];
    let resolved = false;
    const migrated = migrateWhenReachable(databaseSwitch.connectionString, { onWaiting: (reason) => reasons.push(reason), maxPauseMs: 50 }).then(
      (applied) => {
        resolved = true;
        return applied;
      },
    );
    await expect.poll(() => reasons.length).toBe(1);
    expect(resolved).toBe(false);
    expect(await tables()).toEqual([]);

    await turn("up");
    expect(await migrated).toBeGreaterThan(0);
    expect(await tables()).toEqual(expect.arrayContaining(["conversations", "refresh_tokens", "sessions", "users"]));
    expect(reasons).toHaveLength(1);
    // Applied once: nothing is pending afterwards.
    expect(await applyMigrations(endpoint.connectionString)).toBe(0);
  });
});
