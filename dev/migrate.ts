// Applies migrations/ to a database: `npm run db:migrate` (DATABASE_URL, or the embedded one).
import { fileURLToPath } from "node:url";
import { neon } from "@neondatabase/serverless";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { configureDatabaseDriver } from "../src/db/client.ts";
import { isDatabaseUnreachable } from "../src/db/errors.ts";
import { openDatabase } from "./database.ts";

const MIGRATIONS_FOLDER = fileURLToPath(new URL("../migrations", import.meta.url));

/**
 * Applies the pending migrations in one transaction, so a failure leaves the database as it was.
 * Keeps drizzle's own bookkeeping table, so drizzle-kit sees the same history.
 * Returns how many migrations were applied.
 */
export async function applyMigrations(connectionString: string): Promise<number> {
  configureDatabaseDriver();
  const sql = neon(connectionString);
  await sql`create schema if not exists drizzle`;
  await sql`create table if not exists drizzle.__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`;
  const [last] = await sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`;
  const pending = readMigrationFiles({ migrationsFolder: MIGRATIONS_FOLDER }).filter(
    (migration) => !last || Number(last.created_at) < migration.folderMillis,
  );
  if (pending.length === 0) return 0;
  await sql.transaction(
    pending.flatMap((migration) => [
      ...migration.sql.filter((statement) => statement.trim()).map((statement) => sql.query(statement)),
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values (${migration.hash}, ${migration.folderMillis})`,
    ]),
  );
  return pending.length;
}

/** "it answered 503", or the connection's own failure. */
function reasonOf(error: unknown) {
  const message = error instanceof Error ? error.message.split("\n")[0]! : String(error);
  const status = /HTTP status (\d{3})/.exec(message)?.[1];
  return status ? `it answered ${status}` : message.slice(0, 200);
}

/**
 * Applies the pending migrations as soon as the database answers: at once when it does, otherwise
 * after `onWaiting` is told why, retrying with growing pauses (at most `maxPauseMs`). A migration
 * that fails in a database that answers is not retried: it rejects.
 */
export async function migrateWhenReachable(
  connectionString: string,
  { onWaiting, maxPauseMs = 30_000 }: { onWaiting: (reason: string) => void; maxPauseMs?: number },
): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await applyMigrations(connectionString);
    } catch (error) {
      if (!isDatabaseUnreachable(error)) throw error;
      if (attempt === 0) onWaiting(reasonOf(error));
      await new Promise((resolve) => setTimeout(resolve, Math.min(maxPauseMs, 1_000 * 2 ** attempt)));
    }
  }
}

if (import.meta.main) {
  const database = await openDatabase();
  try {
    const applied = await applyMigrations(database.connectionString);
    console.log(`${applied} migration(s) applied to ${database.description}`);
  } finally {
    await database.close();
  }
}
