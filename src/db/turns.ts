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

/**
 * Writes a turn in one transaction of two statements: the session, created or locked (an upsert
 * locks the row, so two continuations of one session written at once are written one after the
 * other and get two turn numbers); then every conversation (each at most once: its id is fixed) and,
 * in the same statement, the session's models, status and totals, derived from all its
 * conversations (those already kept and those this statement inserts) rather than added to, so that
 * a repeated write counts nothing twice.
 */
export async function writeTurn(db: Db, turn: TurnRecord) {
  const sessionId = turn.session.id;
  const createdAt = new Date(turn.session.createdAt);
  const nextTurn = sql<number>`(select coalesce(max(${conversations.turn}), 0) + 1 from ${conversations} where ${conversations.sessionId} = ${sessionId})`;
  const figures = {
    status: conversations.status,
    cost: conversations.cost,
    tokens: sql<number>`${conversations.inputTokens} + ${conversations.outputTokens}`.as("tokens"),
  };
  const inserted = db.$with("inserted").as(
    db
      .insert(conversations)
      .values(turn.conversations.map((row) => ({ ...row, turn: nextTurn, createdAt: new Date(row.createdAt) })))
      .onConflictDoNothing({ target: conversations.id })
      .returning(figures),
  );
  // The statement's snapshot holds the conversations kept before it, never those it inserts.
  const all = db.$with("all_answers").as(
    db
      .select()
      .from(inserted)
      .unionAll(db.select(figures).from(conversations).where(eq(conversations.sessionId, sessionId))),
  );
  const totals = db
    .select({
      count: sql<number>`count(*)`.as("count"),
      completed: sql<number>`count(*) filter (where ${all.status} = 'completed')`.as("completed"),
      failed: sql<number>`count(*) filter (where ${all.status} = 'error')`.as("failed"),
      cost: sql<string>`coalesce(sum(${all.cost}), 0)`.as("cost"),
      tokens: sql<number>`coalesce(sum(${all.tokens}), 0)`.as("tokens"),
    })
    .from(all)
    .as("totals");
  await db.batch([
    db
      .insert(sessions)
      .values({ ...turn.session, status: "streaming", createdAt, updatedAt: createdAt })
      .onConflictDoUpdate({ target: sessions.id, set: { updatedAt: sql`${sessions.updatedAt}` } }),
    db
      .with(inserted, all)
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
