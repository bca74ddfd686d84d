// The Worker's lean Neon HTTP client (src/db/neon-http.ts) against the real driver: through drizzle,
// both must send the same requests and read back the same values, errors included.
import * as real from "@neondatabase/serverless";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/neon-http";
import { bigint, boolean, doublePrecision, integer, jsonb, numeric, pgTable, real as float4, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SqlEndpoint, startSqlEndpoint } from "../../dev/sql-endpoint.ts";
import * as lean from "../../src/db/neon-http.ts";

const things = pgTable("things", {
  id: uuid().primaryKey(),
  label: text().unique(),
  count: integer(),
  big: bigint({ mode: "bigint" }),
  bigNumber: bigint("big_number", { mode: "number" }),
  price: numeric({ mode: "number" }),
  exactPrice: numeric("exact_price"),
  ratio: float4(),
  precise: doublePrecision(),
  flag: boolean(),
  seenAt: timestamp("seen_at", { withTimezone: true, precision: 3 }),
  doc: jsonb(),
  tags: text().array(),
});

interface Captured {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

let endpoint: SqlEndpoint;
const sent = { real: [] as Captured[], lean: [] as Captured[] };

/** A fetch that keeps what it sends, so the two clients' requests can be compared. */
const recording = (into: Captured[]) => async (url: RequestInfo | URL, init?: RequestInit) => {
  const headers = Object.fromEntries(new Headers(init?.headers).entries());
  into.push({ url: String(url), headers, body: JSON.parse(String(init?.body)) });
  return fetch(url, init);
};

const clients = () => ({
  real: drizzle({ client: real.neon(endpoint.connectionString) }),
  lean: drizzle({ client: lean.neon(endpoint.connectionString) as unknown as real.NeonQueryFunction<false, false> }),
});

/** Runs the same work through both clients and returns both outcomes (value or error). */
async function both<T>(work: (db: ReturnType<typeof clients>["real"]) => Promise<T>) {
  const { real: realDb, lean: leanDb } = clients();
  const settle = (promise: Promise<T>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
  return { real: await settle(work(realDb)), lean: await settle(work(leanDb)) };
}

/** The connection string header without the application name the real driver adds. */
const comparable = (captured: Captured[]) =>
  captured.map(({ url, headers, body }) => {
    const connection = new URL(headers["neon-connection-string"] ?? "");
    connection.searchParams.delete("application_name");
    return { url, headers: { ...headers, "neon-connection-string": connection.href }, body };
  });

beforeAll(async () => {
  endpoint = await startSqlEndpoint();
  for (const [driver, into] of [[real.neonConfig, sent.real], [lean.neonConfig, sent.lean]] as const) {
    driver.fetchEndpoint = (host: string, port: number | string) => `http://${host}:${port}/sql`;
    driver.fetchFunction = recording(into);
  }
  await real.neon(endpoint.connectionString).query(`create table things (
    id uuid primary key, label text unique, count integer, big bigint, big_number bigint, price numeric,
    exact_price numeric, ratio real, precise double precision, flag boolean, seen_at timestamptz(3), doc jsonb, tags text[])`);
});

afterAll(async () => {
  await endpoint?.close();
});

describe("the lean Neon client", () => {
  it("writes and reads every type we use exactly as the real driver does", async () => {
    const row = (id: string, label: string) => ({
      id,
      label,
      count: -42,
      big: 9_007_199_254_740_993n,
      bigNumber: 1_234_567_890_123,
      price: 0.0000001234,
      exactPrice: "12345678901234567890.0123456789",
      ratio: 0.5,
      precise: Math.PI,
      flag: false,
      seenAt: new Date("2026-11-25T12:34:56.789Z"),
      doc: { nested: [1, "two", { three: null }], unicode: "東京 🎉" },
      tags: ["plain", "with, comma", 'with "quotes"', "back\\slash", "{braces}", "", "NULL", "東京"],
    });
    sent.real.length = 0;
    sent.lean.length = 0;
    await clients().real.insert(things).values(row("00000000-0000-4000-8000-000000000001", "real"));
    await clients().lean.insert(things).values(row("00000000-0000-4000-8000-000000000002", "lean"));
    const written = comparable(sent.lean)[0]!.body as { params: unknown[] };
    expect((comparable(sent.real)[0]!.body as { params: unknown[] }).params.slice(1)).toEqual(
      written.params.slice(1).map((value) => (value === "lean" ? "real" : value)),
    );

    const read = await both((db) => db.select().from(things).orderBy(things.label));
    expect(read.lean).toEqual(read.real);
    const [first] = (read.lean as { value: (typeof things.$inferSelect)[] }).value;
    expect(first).toMatchObject({ big: 9_007_199_254_740_993n, flag: false, tags: row("", "").tags, seenAt: row("", "").seenAt });
  });

  it("reads nulls, aggregates and raw SQL the same way", async () => {
    const results = await both(async (db) => {
      const aggregates = await db
        .select({ nothing: sql`null::text[]`, count: sql`count(*)`, sum: sql`sum(${things.count})`, any: sql`bool_or(${things.flag})` })
        .from(things);
      const { rows, command, rowCount, fields } = await db.execute(
        sql`select 1 as one, 'x'::text as letter, '{}'::text[] as empty, '{"a":1}'::json as doc`,
      );
      return { aggregates, rows, command, rowCount, fields: fields.map(({ name, dataTypeID }) => ({ name, dataTypeID })) };
    });
    expect(results.lean).toEqual(results.real);
  });

  it("sends a batch as one transaction in the same request", async () => {
    sent.real.length = 0;
    sent.lean.length = 0;
    const results = await both((db) =>
      db.batch([
        db.update(things).set({ count: 7 }).where(eq(things.label, "real")).returning({ count: things.count }),
        db.select({ label: things.label }).from(things).where(eq(things.count, 7)),
      ]),
    );
    expect(results.lean).toEqual(results.real);
    expect(comparable(sent.lean)).toEqual(comparable(sent.real));
    expect(sent.lean).toHaveLength(1);
  });

  it("reports a unique violation with the same fields", async () => {
    const results = await both((db) =>
      db.batch([db.insert(things).values({ id: "00000000-0000-4000-8000-000000000003", label: "real" })]),
    );
    const [realError, leanError] = [results.real, results.lean].map((outcome) => (outcome as { error: real.NeonDbError }).error);
    expect(leanError).toBeInstanceOf(Error);
    expect(leanError!.name).toBe("NeonDbError");
    for (const field of ["message", "code", "constraint", "table", "detail", "severity"] as const) {
      expect(leanError![field]).toEqual(realError![field]);
    }
  });

  it("reports an unreachable database as the real driver does", async () => {
    const unreachable = "postgres://user:pass@127.0.0.1:9/nothing";
    const settle = (promise: PromiseLike<unknown>) => Promise.resolve(promise).then(() => undefined, (error: Error) => error);
    const [realError, leanError] = [await settle(real.neon(unreachable).query("select 1")), await settle(lean.neon(unreachable).query("select 1"))];
    expect(leanError?.name).toBe("NeonDbError");
    expect(leanError?.message.startsWith("Error connecting to database")).toBe(realError?.message.startsWith("Error connecting to database"));
    expect((leanError as lean.NeonDbError).sourceError).toBeDefined();
  });
});
