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

describe("the migration to blind votes and answer lengths", () => {
  it("marks the vote that revealed a blind session blind, and keeps each player's output tokens in order", async () => {
    const database = await startSqlEndpoint();
    try {
      const sql = neon(database.connectionString);
      // A database as the four migrations before it left it, with drizzle's record of them.
      const migrations = readMigrationFiles({ migrationsFolder: fileURLToPath(new URL("../../migrations", import.meta.url)) });
      const before = migrations.slice(
        0,
        migrations.findIndex((migration) => migration.sql.some((text) => text.includes('"blind" boolean'))),
      );
      await sql`create schema drizzle`;
      await sql`create table drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
      for (const migration of before) {
        for (const statement of migration.sql.filter((text) => text.trim())) await sql.query(statement);
        await sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`;
      }
      const [user] = await sql`insert into users (email, password_hash) values ('voter@example.com', 'x') returning id`;
      const sessionId = crypto.randomUUID();
      const revealedAt = "2026-03-01T10:00:00.000Z";
      await sql`insert into sessions (id, user_id, prompt, models, status, blind_models, revealed_at)
        values (${sessionId}, ${user!.id}, 'old', '{local/lorem,local/echo}', 'completed', '{local/lorem,local/echo}', ${revealedAt})`;
      for (const [turn, model, tokens] of [
        [1, "local/echo", 12],
        [1, "local/lorem", 345],
        [2, "local/echo", 6],
        [2, "local/lorem", 78],
      ] as const) {
        await sql`insert into conversations (id, session_id, user_id, model_name, turn, user_prompt, status, output_tokens)
          values (${crypto.randomUUID()}, ${sessionId}, ${user!.id}, ${model}, ${turn}, 'old', 'completed', ${tokens})`;
      }
      await sql`insert into votes (session_id, user_id, turn, winner, models, created_at)
        values (${sessionId}, ${user!.id}, 1, 'local/lorem', '{local/echo,local/lorem}', ${revealedAt}),
               (${sessionId}, ${user!.id}, 2, 'tie', '{local/echo,local/lorem}', '2026-03-01T10:05:00.000Z')`;

      expect(await applyMigrations(database.connectionString)).toBeGreaterThan(0);
      const votes = await sql`select turn, blind, output_tokens from votes order by turn`;
      expect(votes).toEqual([
        { turn: 1, blind: true, output_tokens: [12, 345] },
        { turn: 2, blind: false, output_tokens: [6, 78] },
      ]);
    } finally {
      await database.close();
    }
  });
});
