// Protocol fidelity of the local SQL-over-HTTP endpoint, proven through the real neon() client and drizzle's neon-http driver.
import { NeonDbError, type NeonQueryFunction, neon, neonConfig } from "@neondatabase/serverless";
import { DrizzleQueryError, eq, like } from "drizzle-orm";
import { drizzle, type NeonHttpDatabase } from "drizzle-orm/neon-http";
import { bigint, boolean, integer, jsonb, numeric, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqlEndpoint, startSqlEndpoint } from "../../dev/sql-endpoint.ts";

// Unset: an in-memory PGlite. Set to a postgres:// URL to run the same stories against a real Postgres through `pg`.
const databaseUrl = process.env.SQL_ENDPOINT_DATABASE_URL;

const samples = pgTable("samples", {
  id: uuid("id").primaryKey().defaultRandom(),
  label: text("label").unique(),
  count: integer("count"),
  bigValue: bigint("big_value", { mode: "bigint" }),
  bigNumber: bigint("big_number", { mode: "number" }),
  price: numeric("price", { mode: "number" }),
  exactPrice: numeric("exact_price"),
  flag: boolean("flag"),
  seenAt: timestamp("seen_at", { withTimezone: true }),
  doc: jsonb("doc"),
  tags: text("tags").array(),
  emptyTags: text("empty_tags").array(),
  ref: uuid("ref"),
});

const createSamples = `create table samples (
  id uuid primary key default gen_random_uuid(),
  label text unique,
  count integer,
  big_value bigint,
  big_number bigint,
  price numeric,
  exact_price numeric,
  flag boolean,
  seen_at timestamptz,
  doc jsonb,
  tags text[],
  empty_tags text[],
  ref uuid
)`;

let endpoint: SqlEndpoint;
let sql: NeonQueryFunction<false, false>;
let db: NeonHttpDatabase;

beforeAll(async () => {
  endpoint = await startSqlEndpoint({ databaseUrl });
  neonConfig.fetchEndpoint = (host, port) => `http://${host}:${port}/sql`;
  sql = neon(endpoint.connectionString);
  db = drizzle({ client: sql });
  await sql.query("drop table if exists samples");
  await sql.query(createSamples);
});

afterAll(async () => {
  await endpoint?.close();
});

describe("values through drizzle", () => {
  it("round-trips every column type as the right JS type, and null in each", async () => {
    const full = {
      label: "héllo, wörld ✓",
      count: -2147483648,
      bigValue: 9007199254740993n,
      bigNumber: Number.MAX_SAFE_INTEGER,
      price: 12.5,
      exactPrice: "12345678901234567890.123456789",
      flag: true,
      seenAt: new Date("2024-02-29T23:59:59.123Z"),
      doc: { nested: [1, [2, "three"], { deep: null }], unicode: "日本語 — 🎉", quote: 'say "hi" \\ ok' },
      tags: ["plain", "with,comma", 'with "quotes"', "{braces}", "back\\slash", "ünïcödé 🎉", "", "NULL", " spaced "],
      emptyTags: [],
      ref: "0b5f6f3a-2f4e-4e63-9a3c-8c1d2e3f4a5b",
    };
    const [inserted] = await db.insert(samples).values(full).returning();
    expect(inserted).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), ...full });

    const [selected] = await db.select().from(samples).where(eq(samples.id, inserted!.id));
    expect(selected).toEqual(inserted);
    expect(typeof selected!.bigValue).toBe("bigint");
    expect(selected!.seenAt!.getTime()).toBe(full.seenAt.getTime());

    const [nulls] = await db.insert(samples).values({}).returning();
    const { id, ...rest } = nulls!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Object.values(rest).every((value) => value === null)).toBe(true);
  });

  it("binds booleans, numbers and dates as parameters", async () => {
    await db.insert(samples).values({ label: "params", flag: false, count: 7, seenAt: new Date("2025-01-01T00:00:00.001Z") });
    const rows = await db.select({ label: samples.label }).from(samples).where(eq(samples.flag, false));
    expect(rows).toEqual([{ label: "params" }]);
    const byDate = await db
      .select({ count: samples.count })
      .from(samples)
      .where(eq(samples.seenAt, new Date("2025-01-01T00:00:00.001Z")));
    expect(byDate).toEqual([{ count: 7 }]);
  });
});

describe("answers the neon() client parses by type OID", () => {
  it("gives fields, command and row count, and raw text the client turns into JS values", async () => {
    const result = await sql.query(
      "select $1::int as small, $2::bigint as big, $3::numeric as exact, $4::boolean as yes, $5::jsonb as doc, $6::text[] as list, $7::bytea as bytes, $8::text as nothing",
      [41, 9007199254740993n, "0.1", true, { a: [1, "é"] }, ["x,y", '"q"'], Buffer.from([0, 1, 255]), null],
      { fullResults: true },
    );
    expect(result.command).toBe("SELECT");
    expect(result.rowCount).toBe(1);
    expect(result.fields.map((field) => [field.name, field.dataTypeID])).toEqual([
      ["small", 23],
      ["big", 20],
      ["exact", 1700],
      ["yes", 16],
      ["doc", 3802],
      ["list", 1009],
      ["bytes", 17],
      ["nothing", 25],
    ]);
    const [row] = result.rows;
    expect(row).toMatchObject({
      small: 41,
      big: "9007199254740993",
      exact: "0.1",
      yes: true,
      doc: { a: [1, "é"] },
      list: ["x,y", '"q"'],
      nothing: null,
    });
    expect([...(row!.bytes as Uint8Array)]).toEqual([0, 1, 255]);
  });

  it("keeps the session's TimeZone UTC", async () => {
    const [row] = await sql`select current_setting('TimeZone') as zone, '2024-01-01T12:00:00+02:00'::timestamptz::text as shown`;
    expect(row).toEqual({ zone: "UTC", shown: "2024-01-01 10:00:00+00" });
  });

  it("answers DDL with no fields and no rows", async () => {
    const created = await sql.query("create table ddl_probe (id int)", [], { fullResults: true });
    expect(created).toMatchObject({ command: "CREATE", rowCount: null, fields: [], rows: [] });
    const inserted = await sql.query("insert into ddl_probe values (1), (2)", [], { fullResults: true });
    expect(inserted).toMatchObject({ command: "INSERT", rowCount: 2, fields: [], rows: [] });
    const dropped = await sql.query("drop table ddl_probe", [], { fullResults: true });
    expect(dropped).toMatchObject({ command: "DROP", rowCount: null, fields: [], rows: [] });
  });

  it("refuses a multi-statement string", async () => {
    const error = await sql.query("select 1; select 2").catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NeonDbError);
    expect((error as NeonDbError).code).toBe("42601");
  });
});

describe("errors", () => {
  it("reports a unique violation as a NeonDbError with its code and constraint", async () => {
    await db.insert(samples).values({ label: "taken" });
    const error = await db
      .insert(samples)
      .values({ label: "taken" })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DrizzleQueryError);
    const cause = (error as DrizzleQueryError).cause;
    expect(cause).toBeInstanceOf(NeonDbError);
    expect(cause).toMatchObject({ code: "23505", constraint: "samples_label_key", table: "samples", severity: "ERROR" });
    expect((cause as NeonDbError).detail).toContain("(label)=(taken)");
  });
});

describe("batches", () => {
  it("runs a batch as one transaction whose statements see each other", async () => {
    const [inserted, visible] = await db.batch([
      db.insert(samples).values({ label: "batch-ok" }).returning({ label: samples.label }),
      db.select({ label: samples.label }).from(samples).where(eq(samples.label, "batch-ok")),
    ]);
    expect(inserted).toEqual([{ label: "batch-ok" }]);
    expect(visible).toEqual([{ label: "batch-ok" }]);
  });

  it("rolls back the earlier statements when one in the middle fails", async () => {
    const error = await db
      .batch([
        db.insert(samples).values({ label: "batch-first" }),
        db.insert(samples).values({ label: "taken" }),
        db.insert(samples).values({ label: "batch-last" }),
      ])
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NeonDbError);
    expect((error as NeonDbError).code).toBe("23505");
    const left = await db.select().from(samples).where(like(samples.label, "batch-%"));
    expect(left.map((row) => row.label)).toEqual(["batch-ok"]);
  });

  it("opens the transaction with the requested isolation level, read only and deferrable", async () => {
    const [settings] = await sql.transaction(
      [
        sql`select current_setting('transaction_isolation') as isolation, current_setting('transaction_read_only') as read_only, current_setting('transaction_deferrable') as deferrable`,
      ],
      { isolationLevel: "Serializable", readOnly: true, deferrable: true },
    );
    expect(settings).toEqual([{ isolation: "serializable", read_only: "on", deferrable: "on" }]);

    const error = await sql
      .transaction([sql`insert into samples (label) values ('read-only')`], { readOnly: true })
      .catch((caught: unknown) => caught);
    expect((error as NeonDbError).code).toBe("25006");
  });
});

describe("counting and housekeeping", () => {
  it("counts one round trip per query and one per batch", async () => {
    endpoint.resetRoundTrips();
    await sql.query("select 1");
    await db.select().from(samples).limit(1);
    await db.batch([db.select().from(samples).limit(1), db.select().from(samples).limit(1)]);
    expect(endpoint.roundTrips()).toBe(3);

    const stats = await fetch(`${endpoint.url}/stats`);
    expect(stats.status).toBe(200);
    expect(await stats.json()).toEqual({ roundTrips: 3 });
    const reset = await fetch(`${endpoint.url}/stats/reset`, { method: "POST" });
    expect(reset.status).toBe(200);
    expect(endpoint.roundTrips()).toBe(0);
  });

  it("answers a malformed body with 400 and a message", async () => {
    for (const body of ["{not json", JSON.stringify({ nothing: true }), JSON.stringify({ query: "select 1", params: "x" })]) {
      const response = await fetch(`${endpoint.url}/sql`, { method: "POST", body });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: expect.any(String) });
    }
  });

  it("refuses an unknown isolation level", async () => {
    const response = await fetch(`${endpoint.url}/sql`, {
      method: "POST",
      headers: { "Neon-Batch-Isolation-Level": "Chaos" },
      body: JSON.stringify({ queries: [{ query: "select 1", params: [] }] }),
    });
    expect(response.status).toBe(400);
  });

  it("answers health, and 404 for an unknown path", async () => {
    expect((await fetch(`${endpoint.url}/health`)).status).toBe(200);
    const missing = await fetch(`${endpoint.url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "not found" });
  });
});
