// Runs once, in Node, before the Worker's tests: a real Postgres (in-memory PGlite) behind the local
// SQL-over-HTTP endpoint with the migrations applied, and the scripted OpenAI-compatible upstream.
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../dev/migrate.ts";
import { startSqlEndpoint } from "../dev/sql-endpoint.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker's DATABASE_URL: the local endpoint on an in-memory database. */
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const database = await startSqlEndpoint();
  await applyMigrations(database.connectionString);
  project.provide("databaseUrl", database.connectionString);
  return async () => {
    await database.close();
  };
}
