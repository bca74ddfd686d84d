// Runs once, in Node, before the Worker's tests: a real Postgres (in-memory PGlite) behind the local
// SQL-over-HTTP endpoint with the migrations applied, and the scripted OpenAI-compatible upstream.
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../dev/migrate.ts";
import { startSqlEndpoint } from "../dev/sql-endpoint.ts";
import { startScriptedUpstream } from "./upstream/scripted-upstream.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker's DATABASE_URL: the local endpoint on an in-memory database. */
    databaseUrl: string;
    /** The scripted OpenAI-compatible upstream: `/v1` for the Worker, `/scripts` for the tests. */
    upstreamUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await startSqlEndpoint();
  await applyMigrations(database.connectionString);
  const upstream = await startScriptedUpstream();
  project.provide("databaseUrl", database.connectionString);
  project.provide("upstreamUrl", upstream.url);
  return async () => {
    await upstream.close();
    await database.close();
  };
}
