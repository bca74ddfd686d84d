// Local stand-in for Neon's SQL-over-HTTP proxy, so `neon()` and drizzle's neon-http driver can reach PGlite or a local Postgres.
import { mkdirSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { messages, PGlite, protocol } from "@electric-sql/pglite";
import pg from "pg";

/** A running endpoint. */
export interface SqlEndpoint {
  /** e.g. http://127.0.0.1:54321 — the endpoint answers POST /sql */
  url: string;
  /** The connection string to give the Worker / neon(): postgres://local:local@127.0.0.1:<port>/playground
   *  (the Worker sends SQL for a localhost DATABASE_URL to http://<host>:<port>/sql). */
  connectionString: string;
  /** Number of HTTP requests (queries or batches) answered on /sql since start or the last reset. */
  roundTrips(): number;
  resetRoundTrips(): void;
  close(): Promise<void>;
}

/** Where the data lives and where to listen. */
export interface SqlEndpointOptions {
  /** A postgres:// URL of a real local Postgres to use through `pg`; when unset, PGlite is used. */
  databaseUrl?: string;
  /** PGlite data directory (e.g. ".data/pglite"); unset = in-memory. Ignored with databaseUrl. */
  dataDir?: string;
  port?: number; // 0 or unset = a free port
  host?: string; // default 127.0.0.1
}

type PgText = string | null;
interface Statement {
  query: string;
  params: PgText[];
}
interface FieldJson {
  name: string;
  tableID: number;
  columnID: number;
  dataTypeID: number;
  dataTypeSize: number;
  dataTypeModifier: number;
  format: "text";
}
/** One statement's answer, in the shape Neon's proxy gives with raw text output and array mode. */
interface QueryResultJson {
  fields: FieldJson[];
  rows: PgText[][];
  command: string;
  rowCount: number | null;
  rowAsArray: true;
}
/** A database reached one statement at a time through the extended protocol. */
interface Backend {
  query(statement: Statement): Promise<QueryResultJson>;
  /** Runs the statements in one transaction opened by `begin`, rolled back on the first error. */
  batch(begin: string, statements: Statement[]): Promise<QueryResultJson[]>;
  close(): Promise<void>;
}

class BadRequestError extends Error {}

// The fields Neon copies from a Postgres error into its 400 answer (and the driver into NeonDbError).
const errorFields = [
  "message",
  "code",
  "detail",
  "hint",
  "position",
  "internalPosition",
  "internalQuery",
  "where",
  "schema",
  "table",
  "column",
  "dataType",
  "constraint",
  "file",
  "line",
  "routine",
  "severity",
] as const;

const isolationLevels: Record<string, string> = {
  ReadUncommitted: "READ UNCOMMITTED",
  ReadCommitted: "READ COMMITTED",
  RepeatableRead: "REPEATABLE READ",
  Serializable: "SERIALIZABLE",
};

/**
 * Starts the endpoint: POST /sql speaks Neon's protocol; GET /stats, POST /stats/reset and GET /health serve tooling.
 * @example const endpoint = await startSqlEndpoint({ dataDir: ".data/pglite" });
 */
export async function startSqlEndpoint(options: SqlEndpointOptions = {}): Promise<SqlEndpoint> {
  const backend = options.databaseUrl ? openPostgres(options.databaseUrl) : await openPglite(options.dataDir);
  let roundTrips = 0;
  const outage: Outage = { unreachable: false };

  const server = createServer(async (request, response) => {
    const route = `${request.method} ${request.url?.split("?")[0]}`;
    let status = 200;
    let body: unknown = { ok: true };
    if (route === "POST /sql") {
      [status, body] = await answerSql(request, backend, outage);
      roundTrips++;
    } else if (route === "GET /stats") {
      body = { roundTrips };
    } else if (route === "POST /stats/reset") {
      roundTrips = 0;
      body = { roundTrips };
    } else if (route !== "GET /health") {
      [status, body] = [404, { message: "not found" }];
    }
    response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(body));
  });

  const host = options.host ?? "127.0.0.1";
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, host, resolve);
    });
  } catch (error) {
    await backend.close(); // an open PGlite or pool would keep the process alive
    throw error;
  }
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://${host}:${port}`,
    connectionString: `postgres://local:local@${host}:${port}/playground`,
    roundTrips: () => roundTrips,
    resetRoundTrips: () => {
      roundTrips = 0;
    },
    async close() {
      // Requests in flight finish first; idle keep-alive connections are dropped by close() itself (Node 19+).
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await backend.close();
    },
  };
}

/** Whether the last query found the database unreachable, so that an outage is logged once, not per query. */
interface Outage {
  unreachable: boolean;
}

async function answerSql(request: IncomingMessage, backend: Backend, outage: Outage): Promise<[number, unknown]> {
  try {
    const payload = parsePayload(await readBody(request));
    const answer = Array.isArray(payload)
      ? { results: await backend.batch(beginStatement(request.headers), payload) }
      : await backend.query(payload);
    if (outage.unreachable) console.log("sql endpoint: the database answers again");
    outage.unreachable = false;
    return [200, answer];
  } catch (error) {
    if (error instanceof BadRequestError) return [400, { message: error.message }];
    if (isPostgresError(error)) {
      return [400, Object.fromEntries(errorFields.map((field) => [field, error[field]]))];
    }
    // As Neon's proxy does when it cannot reach the database: a 5xx, which the driver reports as such.
    if (isConnectionError(error)) {
      if (!outage.unreachable) console.error(`sql endpoint: the database cannot be reached (${error.code})`);
      outage.unreachable = true;
      return [503, { message: "the database cannot be reached" }];
    }
    console.error("sql endpoint:", error);
    return [500, { message: error instanceof Error ? error.message : String(error) }];
  }
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** A single `{ query, params }` or the statements of a batch `{ queries: [...] }`; the driver sends no JSON content type. */
function parsePayload(text: string): Statement | Statement[] {
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new BadRequestError("request body is not JSON");
  }
  if (isRecord(payload) && typeof payload.query !== "string" && Array.isArray(payload.queries)) return payload.queries.map(toStatement);
  return toStatement(payload);
}

function toStatement(value: unknown): Statement {
  if (!isRecord(value) || typeof value.query !== "string") throw new BadRequestError("expected { query, params } or { queries }");
  const params = value.params ?? [];
  if (!Array.isArray(params)) throw new BadRequestError("params must be an array");
  return { query: value.query, params: params.map(toPgText) };
}

// The driver sends text already; other JSON values are turned into text the way Neon's proxy does.
function toPgText(value: unknown): PgText {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return `{${value.map(toArrayElement).join(",")}}`;
  return JSON.stringify(value);
}

function toArrayElement(value: unknown): string {
  if (Array.isArray(value)) return toPgText(value) as string;
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return `"${text.replace(/[\\"]/g, "\\$&")}"`;
}

function beginStatement(headers: IncomingHttpHeaders): string {
  let begin = "BEGIN";
  const level = headers["neon-batch-isolation-level"];
  if (typeof level === "string") {
    const isolation = isolationLevels[level];
    if (!isolation) throw new BadRequestError("invalid isolation level");
    begin += ` ISOLATION LEVEL ${isolation}`;
  }
  // Like Neon, only the exact value "true" turns these on.
  if (headers["neon-batch-read-only"] === "true") begin += " READ ONLY";
  if (headers["neon-batch-deferrable"] === "true") begin += " DEFERRABLE";
  return begin;
}

/** Neon reports the command tag's first word and its trailing row count ("INSERT 0 3" → INSERT, 3; "CREATE TABLE" → CREATE, null). */
function fromCommandTag(tag: string): Pick<QueryResultJson, "command" | "rowCount"> {
  const words = tag.split(" ");
  const count = words.length > 1 ? words[words.length - 1] : undefined;
  return { command: words[0] ?? "", rowCount: count && /^\d+$/.test(count) ? Number(count) : null };
}

function toField(field: Omit<FieldJson, "format">): FieldJson {
  const { name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier } = field;
  return { name, tableID, columnID, dataTypeID, dataTypeSize, dataTypeModifier, format: "text" };
}

async function openPglite(dataDir: string | undefined): Promise<Backend> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // With a data directory PGlite runs initdb on first use and reopens the same cluster afterwards.
  const db = new PGlite(dataDir);
  await db.waitReady;

  // PGlite is one connection: every request waits its turn, and a batch holds it for its whole transaction.
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const turn = tail.then(work);
    tail = turn.catch(() => undefined);
    return turn;
  };

  // The wire protocol directly, as Neon's proxy speaks it: values travel as text both ways, so nothing needs
  // PGlite's JS parsers or serializers, and the full row description survives. One Parse only ever holds one
  // statement, which is how multi-statement strings get refused.
  const { serialize } = protocol;
  const run = async ({ query, params }: Statement): Promise<{ result: QueryResultJson; idle: boolean }> => {
    const wire = [
      serialize.parse({ text: query }),
      serialize.bind({ values: params }),
      serialize.describe({ type: "P" }),
      serialize.execute(),
      serialize.sync(),
    ];
    const { messages: replies } = await db.execProtocol(Buffer.concat(wire));
    const result: QueryResultJson = { fields: [], rows: [], command: "", rowCount: null, rowAsArray: true };
    let idle = true;
    for (const reply of replies) {
      if (reply instanceof messages.RowDescriptionMessage) result.fields = reply.fields.map(toField);
      else if (reply instanceof messages.DataRowMessage) result.rows.push(reply.fields);
      else if (reply instanceof messages.CommandCompleteMessage) Object.assign(result, fromCommandTag(reply.text));
      else if (reply instanceof messages.ReadyForQueryMessage) idle = reply.status === "I";
    }
    return { result, idle };
  };
  const control = (query: string) => run({ query, params: [] });

  await control("SET TIME ZONE 'UTC'");
  return {
    query: (statement) =>
      exclusive(async () => {
        const { result, idle } = await run(statement);
        // A stray BEGIN must not leave the one shared session inside a transaction (Neon drops such connections).
        if (!idle) await control("ROLLBACK");
        return result;
      }),
    batch: (begin, statements) =>
      exclusive(async () => {
        await control(begin);
        try {
          const results: QueryResultJson[] = [];
          for (const statement of statements) results.push((await run(statement)).result);
          await control("COMMIT");
          return results;
        } catch (error) {
          await control("ROLLBACK");
          throw error;
        }
      }),
    close: () => exclusive(() => db.close()),
  };
}

function openPostgres(databaseUrl: string): Backend {
  const pool = new pg.Pool({ connectionString: databaseUrl, options: "-c TimeZone=UTC" });
  // An idle client losing its server emits "error" on the pool; unhandled, that would end the process.
  pool.on("error", (error) => console.error("sql endpoint: idle Postgres client:", error.message));
  // Keep every value as Postgres's text output: the client parses by type OID itself.
  const rawText = { getTypeParser: () => (value: string) => value };
  const run = async (client: pg.Pool | pg.PoolClient, { query, params }: Statement): Promise<QueryResultJson> => {
    // queryMode "extended" (absent from @types/pg) makes even a query without params go through Parse/Bind,
    // so a multi-statement string is refused as it is by Neon.
    const config = { text: query, values: params, rowMode: "array" as const, types: rawText, queryMode: "extended" };
    const result = await client.query<PgText[]>(config);
    const { fields, rows, command, rowCount } = result;
    return { fields: fields.map(toField), rows, command: command ?? "", rowCount, rowAsArray: true };
  };

  return {
    query: (statement) => run(pool, statement),
    async batch(begin, statements) {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query(begin);
        const results: QueryResultJson[] = [];
        for (const statement of statements) results.push(await run(client, statement));
        await client.query("COMMIT");
        return results;
      } catch (error) {
        // A client that cannot even roll back is dropped from the pool rather than reused.
        await client.query("ROLLBACK").catch((rollbackError: Error) => (broken = rollbackError));
        throw error;
      } finally {
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A failure to reach the database at all (refused, unknown host, timed out, cut off). */
function isConnectionError(error: unknown): error is Error & { code: string } {
  const code = (error as { code?: unknown } | undefined)?.code;
  return error instanceof Error && typeof code === "string" && /^E[A-Z]+$/.test(code) && !("severity" in error);
}

/** Errors Postgres reported (pg's and PGlite's DatabaseError alike carry a SQLSTATE and a severity). */
function isPostgresError(error: unknown): error is Error & Record<(typeof errorFields)[number], unknown> {
  return error instanceof Error && typeof (error as { code?: unknown }).code === "string" && "severity" in error;
}
