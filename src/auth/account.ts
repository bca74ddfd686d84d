// An access token outlives nothing: its user may have been deleted since it was signed. Every read
// proves the user is still there, in the same round trip as the read itself (a query batched with it).
import { eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { users } from "../db/schema.ts";
import { AppError } from "../http/errors.ts";

export const accountGone = () => new AppError("UNAUTHENTICATED", 401, "this account no longer exists");

/**
 * The query that finds the user, to batch with a route's own reads.
 *
 * @example
 * const [account, rows] = await db.batch([accountQuery(db, userId), db.select().from(sessions)]);
 * requireAccount(account);
 */
export const accountQuery = (db: Db, userId: string) => db.select({ id: users.id }).from(users).where(eq(users.id, userId));

/** Throws the 401 for a user who no longer exists, from what `accountQuery` found. */
export function requireAccount(found: readonly unknown[]): void {
  if (found.length === 0) throw accountGone();
}
