import { neon, neonConfig } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-http";

export type Db = ReturnType<typeof createDb>;

/** How long one query or batch may take before the database counts as down. */
const QUERY_DEADLINE_MS = 10_000;

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/**
 * True when `databaseUrl` names a Postgres on this machine, which the Worker reaches through the
 * local SQL-over-HTTP endpoint (`dev/sql-endpoint.ts`) listening at that host and port.
 */
export const isLocalDatabase = (databaseUrl: string) => LOCAL_HOSTS.has(new URL(databaseUrl).hostname);

let configured = false;

/**
 * Sets the Neon driver's two global settings, once: a database on this machine is reached at its
 * local SQL-over-HTTP endpoint (any other host where the driver would send it), and every query
 * has a deadline. `createDb` calls it; a program that uses the driver directly calls it first.
 */
export function configureDatabaseDriver() {
  if (configured) return;
  configured = true;
  const neonEndpoint = neonConfig.fetchEndpoint;
  neonConfig.fetchEndpoint = (host, port, options) => {
    if (LOCAL_HOSTS.has(host)) return `http://${host}:${port}/sql`;
    return typeof neonEndpoint === "function" ? neonEndpoint(host, port, options) : neonEndpoint;
  };
  neonConfig.fetchFunction = fetchWithDeadline;
}

/**
 * The driver's fetch, under a deadline that covers the whole answer and ends with it: a timer left
 * running would keep a Durable Object busy for its length after every query.
 */
async function fetchWithDeadline(input: RequestInfo | URL, init?: RequestInit) {
  const deadline = new AbortController();
  const timer = setTimeout(
    () => deadline.abort(new DOMException("the database did not answer in time", "TimeoutError")),
    QUERY_DEADLINE_MS,
  );
  try {
    const response = await fetch(input, { ...init, signal: deadline.signal });
    const body = await response.arrayBuffer();
    return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A drizzle client over Neon's HTTP protocol: one round trip per query or batch.
 *
 * @example
 * const db = createDb(env.DATABASE_URL);
 * const [user] = await db.select().from(users).where(eq(users.id, id));
 */
export function createDb(databaseUrl: string) {
  configureDatabaseDriver();
  // No schema: we write queries with the builders, and the relational API's set-up would cost every request.
  return drizzle({ client: neon(databaseUrl) });
}
