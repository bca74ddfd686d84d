// The test database as the Worker sees it, for what the API cannot show or set: rows gone after a
// delete, or several sessions made to share one creation time.
import { eq, inArray } from "drizzle-orm";
import { inject } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { conversations, sessions } from "../../src/db/schema.ts";

/** A client on the Worker's own database (its DATABASE_URL). */
const database = () => createDb(inject("databaseUrl"));

/** The conversation rows of a session, whoever owns it. */
export const conversationRowsOf = (sessionId: string) =>
  database().select().from(conversations).where(eq(conversations.sessionId, sessionId));

/** Gives every one of these sessions the same creation time. */
export async function setCreatedAt(sessionIds: string[], createdAt: Date) {
  await database().update(sessions).set({ createdAt }).where(inArray(sessions.id, sessionIds));
}
