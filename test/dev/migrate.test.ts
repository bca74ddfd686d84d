// The migrations of `npm run dev` and `npm run db:migrate`: applied once, in one transaction, and
// applied as soon as a database that could not be reached answers.
import { fileURLToPath } from "node:url";
import { neon } from "@neondatabase/serverless";
import { readMigrationFiles } from "drizzle-orm/migrator";
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

const turn = (mode: "up" | "down" | "failing") => fetch(databaseSwitch.controlUrl, { method: "POST", body: JSON.stringify({ mode }) });

const tables = async () =>
  (await neon(endpoint.connectionString)`select table_name from information_schema.tables where table_schema = 'public' order by 1`).map(
    (row) => row.table_name,
  );

describe("migrations", () => {
  it("wait for a database that cannot be reached, and are applied once it answers", async () => {
    await turn("down");
    const reasons: string[] = [];
    let resolved = false;
    const migrated = migrateWhenReachable(databaseSwitch.connectionString, {
      onWaiting: (reason) => reasons.push(reason),
      maxPauseMs: 50,
    }).then((applied) => {
      resolved = true;
      return applied;
    });
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

describe("the migration to turns, blind sessions and votes", () => {
  it("numbers the turns of the conversations already kept", async () => {
    const database = await startSqlEndpoint();
    try {
      const sql = neon(database.connectionString);
      // A database as the first migration left it, with drizzle's record of it.
      const [first] = readMigrationFiles({ migrationsFolder: fileURLToPath(new URL("../../migrations", import.meta.url)) });
      for (const statement of first!.sql.filter((text) => text.trim())) await sql.query(statement);
      await sql`create schema drizzle`;
      await sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
      await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${first!.hash}, ${first!.folderMillis})`;
      const [user] = await sql`insert into users (email, password_hash) values ('old@example.com', 'x') returning id`;
      const sessionId = crypto.randomUUID();
      await sql`insert into sessions (id, user_id, prompt, models, status) values (${sessionId}, ${user!.id}, 'old', '{local/echo,local/lorem}', 'completed')`;
      for (const [model, at] of [
        ["local/echo", "2026-01-01T00:00:00Z"],
        ["local/lorem", "2026-01-01T00:00:00Z"],
        ["local/echo", "2026-01-02T00:00:00Z"],
      ]) {
        await sql`insert into conversations (id, session_id, user_id, model_name, user_prompt, status, created_at)
          values (${crypto.randomUUID()}, ${sessionId}, ${user!.id}, ${model}, 'old', 'completed', ${at})`;
      }

      expect(await applyMigrations(database.connectionString)).toBeGreaterThan(0);
      const turns = await sql`select model_name, turn from conversations order by created_at, model_name`;
      expect(turns.map((row) => `${row.turn} ${row.model_name}`)).toEqual(["1 local/echo", "1 local/lorem", "2 local/echo"]);
      const [session] = await sql`select blind_models, revealed_at from sessions`;
      expect(session).toEqual({ blind_models: null, revealed_at: null });
    } finally {
      await database.close();
    }
  });
});
