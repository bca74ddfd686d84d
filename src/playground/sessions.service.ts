// Sessions and their conversations in the database: written by the stream, read by the sessions routes.
import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { conversations, sessions, votes } from "../db/schema.ts";
import type { TurnRecord } from "../db/turns.ts";
import { AppError } from "../http/errors.ts";
import type { ChatMessage } from "../providers/index.ts";
import { isHidden, labelAt } from "./blind.ts";
import type { Answer } from "./fan-out.ts";

export type SessionRow = typeof sessions.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;

const notFound = () => new AppError("NOT_FOUND", 404, "session not found");

/**
 * A session as its owner sees it: a blind one's models by their labels until its first vote, in
 * the labels' order (the order the models were asked in would tell which is which).
 */
export const toSession = (row: SessionRow) => ({
  id: row.id,
  prompt: row.prompt,
  models: isHidden(row) ? row.blindModels!.map((_, index) => labelAt(index)) : row.models,
  blind: row.blindModels !== null,
  status: row.status,
  totalCost: row.totalCost,
  totalTokens: row.totalTokens,
  createdAt: row.createdAt.toISOString(),
  updatedAt: row.updatedAt.toISOString(),
});

/** A conversation, its model shown as its session shows it (`shownAs`). */
export const toConversation = (row: ConversationRow, shown: (modelId: string) => string) => ({
  id: row.id,
  modelName: shown(row.modelName),
  turn: row.turn,
  userPrompt: row.userPrompt,
  response: row.response,
  inputTokens: row.inputTokens,
  outputTokens: row.outputTokens,
  cachedTokens: row.cachedTokens,
  reasoningTokens: row.reasoningTokens,
  cost: row.cost,
  responseTime: row.responseTime,
  timeToFirstToken: row.timeToFirstToken,
  estimated: row.estimated,
  status: row.status,
  error: row.error,
  system: row.system,
  temperature: row.temperature,
  maxTokens: row.maxTokens,
  createdAt: row.createdAt.toISOString(),
});

/** The user's session and its conversations, oldest first: the queries `getSession` batches. */
const sessionQueries = (db: Db, userId: string, sessionId: string) =>
  [
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
  const [[session], turns] = await db.batch(sessionQueries(db, userId, sessionId));
  if (!session) throw notFound();
  return { session, conversations: turns };
}

/** The same, with the session's votes, still in one round trip: what `GET /playground/sessions/:id` shows. */
export async function getSessionWithVotes(db: Db, userId: string, sessionId: string) {
  const [[session], turns, cast] = await db.batch([
    ...sessionQueries(db, userId, sessionId),
    db
      .select({ id: votes.id, turn: votes.turn, winner: votes.winner, createdAt: votes.createdAt })
      .from(votes)
      .where(and(eq(votes.sessionId, sessionId), eq(votes.userId, userId)))
      .orderBy(asc(votes.turn)),
  ]);
  if (!session) throw notFound();
  return { session, conversations: turns, votes: cast };
}

/** A vote as the session shows it: there is one only once the session is revealed, so the winner is an id. */
export const toVote = (row: { id: string; turn: number; winner: string; createdAt: Date }) => ({
  ...row,
  createdAt: row.createdAt.toISOString(),
});

/** Each model's earlier turns, as the messages it is sent again when the session goes on. */
export function historyOf(turns: ConversationRow[], modelId: string): ChatMessage[] {
  return turns
    .filter((turn) => turn.modelName === modelId && turn.response !== "")
    .flatMap((turn): ChatMessage[] => [
      { role: "user", content: turn.userPrompt },
      { role: "assistant", content: turn.response },
    ]);
}

/**
 * A finished turn as the database keeps it: a conversation per model, every id made now, so that
 * the same record can be written again later without writing anything twice.
 */
export function turnRecord(
  session: TurnRecord["session"],
  turn: { prompt: string; system?: string; temperature?: number; startedAt: Date },
  answers: Answer[],
): TurnRecord {
  return {
    session,
    conversations: answers.map((answer) => ({
      id: crypto.randomUUID(),
      sessionId: session.id,
      userId: session.userId,
      modelName: answer.model.id,
      userPrompt: turn.prompt,
      response: answer.text,
      system: turn.system ?? null,
      temperature: turn.temperature ?? null,
      maxTokens: answer.maxTokens,
      inputTokens: answer.usage.inputTokens,
      outputTokens: answer.usage.outputTokens,
      cachedTokens: answer.usage.cachedInputTokens,
      reasoningTokens: answer.usage.reasoningTokens,
      estimated: answer.estimated,
      cost: answer.cost,
      responseTime: answer.responseTime,
      timeToFirstToken: answer.timeToFirstToken,
      status: answer.status,
      error: answer.error?.message ?? null,
      createdAt: turn.startedAt.toISOString(),
    })),
  };
}

/** A page of the user's sessions, newest first; the cursor is the last row's (createdAt, id). */
export async function listSessions(db: Db, userId: string, limit: number, cursor: Cursor | undefined) {
  const rows = await db
    .select()
    .from(sessions)
    .where(
      and(
        eq(sessions.userId, userId),
        cursor
          ? sql`(${sessions.createdAt}, ${sessions.id}) < (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(desc(sessions.createdAt), desc(sessions.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    sessions: page.map(toSession),
    nextCursor: rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
  };
}

export async function deleteSession(db: Db, userId: string, sessionId: string) {
  const deleted = await db
    .delete(sessions)
    .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId)))
    .returning({ id: sessions.id });
  if (deleted.length === 0) throw notFound();
}

export interface Cursor {
  createdAt: Date;
  id: string;
}

export const encodeCursor = (cursor: Cursor) => btoa(`${cursor.createdAt.toISOString()}|${cursor.id}`).replace(/=+$/, "");

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor in a `cursor` query value, or undefined when it is not exactly one this API gave. */
export function decodeCursor(value: string): Cursor | undefined {
  let decoded: string;
  try {
    decoded = atob(value);
  } catch {
    return undefined;
  }
  const [createdAt = "", id = "", ...rest] = decoded.split("|");
  const date = new Date(createdAt);
  const exact =
    !Number.isNaN(date.getTime()) && date.getUTCFullYear() >= 1 && date.getUTCFullYear() <= 9999 && date.toISOString() === createdAt;
  return exact && rest.length === 0 && UUID.test(id) ? { createdAt: date, id } : undefined;
}
