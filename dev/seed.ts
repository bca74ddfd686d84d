// Adds a demo user to the database: `npm run db:seed`. Running it again changes nothing.
import { neon } from "@neondatabase/serverless";
import { hashPassword } from "../src/auth/passwords.ts";
import { openDatabase } from "./database.ts";
import { applyMigrations } from "./migrate.ts";

export const DEMO_USER = { email: "demo@example.com", password: "playground-demo", name: "Demo User" };

const database = await openDatabase();
try {
  await applyMigrations(database.connectionString);
  const sql = neon(database.connectionString);
  const passwordHash = await hashPassword(DEMO_USER.password);
  const created = await sql`
    insert into users (email, name, password_hash) values (${DEMO_USER.email}, ${DEMO_USER.name}, ${passwordHash})
    on conflict do nothing returning id`;
  console.log(`${created.length ? "Added" : "Kept"} the demo user in ${database.description}.`);
  console.log(`Log in with: email ${DEMO_USER.email}, password ${DEMO_USER.password}`);
} finally {
  await database.close();
}
