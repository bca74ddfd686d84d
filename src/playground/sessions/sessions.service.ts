// Sessions and their conversations in the database: written by the stream, read here.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { accountQuery, requireAccount } from "../../auth/account.ts";
import type { Db } from "../../db/client.ts";
import { conversations, sessions, votes } from "../../db/schema.ts";
import { AppError } from "../../http/errors.ts";
import { isHidden, labelAt, shownAs } from "../blind.ts";
import { type Cursor, encodeCursor } from "./cursor.ts";

export type SessionRow = typeof sessions.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;

const notFound = () => new AppError("NOT_FOUND", 404, "session not found");

/**
 * A session as its owner sees it: a blind one's models by their labels until its first vote, in
 * the labels' order (the order the models were asked in would tell which is which).
 */
const toSession = ({ userId: _, blindModels, revealedAt, ...row }: SessionRow) => ({
  ...row,
  models: isHidden({ blindModels, revealedAt }) ? blindModels!.map((_, index) => labelAt(index)) : row.models,
  blind: blindModels !== null,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** A conversation as the API shows it: every column but its owner's and its session's, its model as `shown` names it. */
const toConversation = ({ sessionId: _, userId: __, ...row }: ConversationRow, shown: (modelId: string) => string) => ({
  ...row,
  modelName: shown(row.modelName),
  createdAt: row.createdAt.toISOString(),
});

/** The user, their session and its conversations, oldest first: the queries `getSession` batches. */
const sessionQueries = (db: Db, userId: string, sessionId: string) =>
  [
    accountQuery(db, userId),
    db
      .select()
      .from(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId))),
    db
      .select()
      .from(conversations)
      .where(and(eq(conversations.sessionId, sessionId), eq(conversations.userId, userId)))
      .orderBy(asc(conversations.turn), asc(conversations.modelName)),
  ] as const;

/** A session of the user with its conversations, oldest first, in one round trip; 404 when not theirs. */
export async function getSession(db: Db, userId: string, sessionId: string) {
  const [account, [session], turns] = await db.batch(sessionQueries(db, userId, sessionId));
  requireAccount(account);
  if (!session) throw notFound();
  return { session, conversations: turns };
}

/**
 * What `GET /playground/sessions/:id` shows: the session, its conversations and its votes, read in
 * one round trip. Within a turn, conversations are ordered by the name shown: ordered by the real
 * ids, a blind session's rows would tell them.
 */
export async function sessionDetail(db: Db, userId: string, sessionId: string) {
  const [account, [session], turns, cast] = await db.batch([
    ...sessionQueries(db, userId, sessionId),
    db
      .select(voteColumns)
      .from(votes)
      .where(and(eq(votes.sessionId, sessionId), eq(votes.userId, userId)))
      .orderBy(asc(votes.turn)),
  ]);
  requireAccount(account);
  if (!session) throw notFound();
  return detailOf(session, turns, cast);
}

/** What a session's view lists of each vote. */
export const voteColumns = { id: votes.id, turn: votes.turn, winner: votes.winner, createdAt: votes.createdAt };

/** A session, its conversations and its votes, as its owner sees them. */
export function detailOf(
  session: SessionRow,
  turns: ConversationRow[],
  cast: { id: string; turn: number; winner: string; createdAt: Date }[],
) {
  const shown = shownAs(session);
  return {
    ...toSession(session),
    conversations: turns
      .map((row) => toConversation(row, shown))
      .sort((first, second) => first.turn - second.turn || first.modelName.localeCompare(second.modelName)),
    // A session has votes only once it is revealed, so each winner is a model's id.
    votes: cast.map((vote) => ({ ...vote, createdAt: vote.createdAt.toISOString() })),
  };
}

/** A page of the user's sessions, newest first; the cursor is the last row's (createdAt, id). */
export async function listSessions(
  db: Db,
  userId: string,
  { limit, cursor, source }: { limit: number; cursor?: Cursor | undefined; source?: SessionRow["source"] | undefined },
) {
  const page = db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        source ? eq(sessions.source, source) : undefined,
        cursor
          ? sql`(${sessions.createdAt}, ${sessions.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
    .limit(limit + 1);
  const [account, rows] = await db.batch([accountQuery(db, userId), page]);
  requireAccount(account);
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return {
    sessions: shown.map(toSession),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

export async function deleteSession(db: Db, userId: string, sessionId: string) {
  const [account, deleted] = await db.batch([
    accountQuery(db, userId),
    db
      .delete(sessions)
      .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
      .returning({ id: sessions.id }),
  ]);
  requireAccount(account);
  if (deleted.length === 0) throw notFound();
}
