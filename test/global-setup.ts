// Runs once, in Node, before the Worker's tests: a real Postgres (in-memory PGlite) behind the local
// SQL-over-HTTP endpoint with the migrations applied, a switch in front of it that tests can turn
// off, and the scripted OpenAI-compatible upstream.
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../dev/migrate.ts";
import { startSqlEndpoint } from "../dev/sql-endpoint.ts";
import { startDatabaseSwitch } from "./database-switch.ts";
import { startScriptedUpstream } from "./upstream/scripted-upstream.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker's DATABASE_URL: the local endpoint on an in-memory database. */
    databaseUrl: string;
    /** The scripted OpenAI-compatible upstream: `/v1` for the Worker, `/scripts` for the tests. */
    upstreamUrl: string;
    /** The same database through a switch (test/database-switch.ts): its DATABASE_URL and where to turn it. */
    databaseSwitch: { connectionString: string; controlUrl: string };
  }
}

export default async function setup(project: TestProject) {
  const database = await startSqlEndpoint();
  await applyMigrations(database.connectionString);
  const databaseSwitch = await startDatabaseSwitch(database.url);
  const upstream = await startScriptedUpstream();
  project.provide("databaseUrl", database.connectionString);
  project.provide("databaseSwitch", { connectionString: databaseSwitch.connectionString, controlUrl: databaseSwitch.controlUrl });
  project.provide("upstreamUrl", upstream.url);
  return async () => {
    await upstream.close();
    await databaseSwitch.close();
    await database.close();
  };
}
