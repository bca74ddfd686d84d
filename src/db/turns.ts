// A finished turn, written in one batch. The write can be repeated without changing anything a
// second time, so a turn the database could not take can wait in the user's Durable Object and be
// written later, however often that is tried.
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { conversations, type sessionSources, sessions } from "./schema.ts";

type ConversationRow = typeof conversations.$inferInsert;

/**
 * Everything a turn writes, made before the first attempt (the conversations' ids included) and
 * JSON-safe (times as ISO text), so it can be kept as it is and written again.
 */
export interface TurnRecord {
  session: {
    id: string;
    userId: string;
    prompt: string;
    models: string[];
    blindModels: string[] | null;
    source: (typeof sessionSources)[number];
    createdAt: string;
  };
  /** The turn's number is not here: it is the session's next when the turn is written. */
  conversations: (Omit<ConversationRow, "id" | "createdAt" | "turn"> & { id: string; createdAt: string })[];
}

/** The session row as a stream opens, so it is listed while it streams; nothing if it exists. */
export function insertSession(db: Db, session: TurnRecord["session"]) {
  const createdAt = new Date(session.createdAt);
  return db
    .insert(sessions)
    .values({ ...session, status: "streaming", createdAt, updatedAt: createdAt })
    .onConflictDoNothing();
}

/**
 * Writes a turn in one transaction: the session (should its first write have failed), every
 * conversation (each at most once: its id is fixed), and the session's models, status and totals,
 * derived from all its conversations in the database rather than added to, so that a repeated
 * write counts nothing twice. The turn is numbered here, after the session's last, under a lock on
 * the session's row: two continuations of one session written at once get two numbers.
 */
export async function writeTurn(db: Db, turn: TurnRecord) {
  const sessionId = turn.session.id;
  const nextTurn = sql<number>`(select coalesce(max(${conversations.turn}), 0) + 1 from ${conversations} where ${conversations.sessionId} = ${sessionId})`;
  const totals = db
    .select({
      count: sql<number>`count(*)`.as("count"),
      completed: sql<number>`count(*) filter (where ${conversations.status} = 'completed')`.as("completed"),
      failed: sql<number>`count(*) filter (where ${conversations.status} = 'error')`.as("failed"),
      cost: sql<string>`coalesce(sum(${conversations.cost}), 0)`.as("cost"),
      tokens: sql<number>`coalesce(sum(${conversations.inputTokens} + ${conversations.outputTokens}), 0)`.as("tokens"),
    })
    .from(conversations)
    .where(eq(conversations.sessionId, sessionId))
    .as("totals");
  await db.batch([
    insertSession(db, turn.session),
    db.select({ id: sessions.id }).from(sessions).where(eq(sessions.id, sessionId)).for("update"),
    db
      .insert(conversations)
      .values(turn.conversations.map((row) => ({ ...row, turn: nextTurn, createdAt: new Date(row.createdAt) })))
      .onConflictDoNothing({ target: conversations.id }),
    db
      .update(sessions)
      .set({
        models: turn.session.models,
        blindModels: turn.session.blindModels,
        status: sql`case when ${totals.completed} = ${totals.count} then 'completed' when ${totals.failed} = ${totals.count} then 'failed' else 'partial' end`,
        totalCost: sql`${totals.cost}`,
        totalTokens: sql`${totals.tokens}`,
        updatedAt: new Date(),
      })
      .from(totals)
      .where(eq(sessions.id, sessionId)),
  ]);
}
