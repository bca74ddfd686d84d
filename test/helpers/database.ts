// The test database as the Worker sees it, for what the API cannot show or set: rows gone after a
// delete, or several sessions made to share one creation time.
import { eq, inArray } from "drizzle-orm";
import { inject } from "vitest";
import { createDb } from "../../src/db/client.ts";
import { conversations, refreshTokens, sessions, users } from "../../src/db/schema.ts";

/** A client on the Worker's own database (its DATABASE_URL). */
const database = () => createDb(inject("databaseUrl"));

/** The conversation rows of a session, whoever owns it. */
export const conversationRowsOf = (sessionId: string) =>
  database().select().from(conversations).where(eq(conversations.sessionId, sessionId));

/** Gives every one of these sessions the same creation time. */
export async function setCreatedAt(sessionIds: string[], createdAt: Date) {
  await database().update(sessions).set({ createdAt }).where(inArray(sessions.id, sessionIds));
}

/** Deletes a user (and, by cascade, everything they own), as an operator or a GDPR request would. */
export async function deleteUser(userId: string) {
  await database().delete(users).where(eq(users.id, userId));
}

/** Makes every refresh token of a user expired, as if their login's time had run out. */
export async function expireRefreshTokens(userId: string) {
  await database()
    .update(refreshTokens)
    .set({ expiresAt: new Date(Date.now() - 1000) })
    .where(eq(refreshTokens.userId, userId));
}

type ConversationRow = typeof conversations.$inferInsert;

/**
 * A session of `userId` with these conversations, written straight to the database: for figures a
 * stream cannot be told to produce (times, token counts, dates).
 */
export async function insertAnswers(userId: string, answers: Partial<ConversationRow>[]) {
  const sessionId = crypto.randomUUID();
  const db = database();
  await db
    .insert(sessions)
    .values({ id: sessionId, userId, prompt: "designed", models: [...new Set(answers.map((row) => row.modelName ?? "designed"))] });
  await db.insert(conversations).values(
    answers.map((row, index) => ({
      id: crypto.randomUUID(),
      sessionId,
      userId,
      modelName: "designed",
      turn: index + 1,
      userPrompt: "designed",
      status: "completed" as const,
      ...row,
    })),
  );
  return sessionId;
}
