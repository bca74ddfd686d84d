// The database the dev programs (launcher, migrate, seed, bench) work on, chosen as API.md says:
// DATABASE_URL from the environment or .dev.vars; a Neon URL is used directly, a Postgres on this
// machine or the embedded one (unset) is served over HTTP by the local SQL endpoint.
import { existsSync, readFileSync } from "node:fs";
import { parseEnv } from "node:util";
import { isLocalDatabase } from "../src/db/client.ts";
import { startSqlEndpoint } from "./sql-endpoint.ts";

/** Where the embedded database keeps its files between runs. */
const EMBEDDED_DATA_DIR = ".data/pglite";

/** `.dev.vars` (when present) under the process environment, which wins. */
export function readDevVars(file = ".dev.vars"): Record<string, string | undefined> {
  const fromFile = existsSync(file) ? parseEnv(readFileSync(file, "utf8")) : {};
  return { ...fromFile, ...process.env };
}

export interface Database {
  /** The URL the Worker and the Neon driver use: Neon's, or the local endpoint's. */
  connectionString: string;
  /** What it is, for people: "embedded Postgres in .data/pglite", … */
  description: string;
  close(): Promise<void>;
}

/** Opens the configured database, starting the local SQL endpoint where one is needed. */
export async function openDatabase(
  databaseUrl = readDevVars().DATABASE_URL || undefined,
  options: { port?: number } = {},
): Promise<Database> {
  if (databaseUrl && !isLocalDatabase(databaseUrl)) {
    return { connectionString: databaseUrl, description: `${new URL(databaseUrl).hostname}`, close: async () => {} };
  }
  const endpoint = await startSqlEndpoint(
    databaseUrl ? { databaseUrl, port: options.port } : { dataDir: EMBEDDED_DATA_DIR, port: options.port },
  );
  const description = databaseUrl
    ? `Postgres at ${new URL(databaseUrl).host}, served over HTTP at ${endpoint.url}`
    : `embedded Postgres in ${EMBEDDED_DATA_DIR}, served over HTTP at ${endpoint.url}`;
  return { connectionString: endpoint.connectionString, description, close: endpoint.close };
}
