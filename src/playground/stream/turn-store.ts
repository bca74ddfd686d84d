// A finished turn, kept: as a record the database can take again and again, written, or handed to
// the user's object when the database is away, or refused for good. Shared by the playground's
// stream and the OpenAI-compatible API.
import type { Context } from "hono";
import { constraintOf, describeFailure, isTransientFailure, SQL_STATE, sqlStateOf } from "../../db/errors.ts";
import { type TurnRecord, writeTurn } from "../../db/turns.ts";
import type { AppEnv } from "../../env.ts";
import { queueTurn } from "../../meter/stream-meter.ts";
import type { Answer } from "./fan-out.ts";
import type { StreamErrorCode } from "./stream.schemas.ts";
import type { TurnPlan } from "./turn-plan.ts";

/**
 * A finished turn as the database keeps it: a conversation per model, every id made now, so that
 * the same record can be written again later without writing anything twice.
 */
export function turnRecord({ session, turn }: TurnPlan, answers: Answer[]): TurnRecord {
  return {
    session,
    conversations: answers.map((answer) => ({
      id: crypto.randomUUID(),
      sessionId: session.id,
      userId: session.userId,
      modelName: answer.plan.model.id,
      userPrompt: turn.prompt,
      response: answer.text,
      system: turn.system,
      temperature: turn.temperature,
      maxTokens: answer.plan.maxTokens,
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

/** A turn that could not be kept, as the stream's last event says it. */
export type NotKept = { code: StreamErrorCode; message: string };

/**
 * Writes a finished turn. When the database is unreachable or failing, hands it to the user's
 * Durable Object, which writes it as soon as the database answers again. A write the database
 * refuses for what it holds is not queued (it would be refused for as long as it was retried): it
 * is our fault, logged once, and the stream ends with an error and no `done`, as it does when
 * neither the database nor the object can take the turn.
 */
export async function storeTurn(c: Context<AppEnv>, record: TurnRecord): Promise<"database" | "queued" | NotKept> {
  const { db, config, user, requestId } = c.var;
  try {
    await writeTurn(db, record);
    return "database";
  } catch (error) {
    if (!isTransientFailure(error)) return refused(requestId, error);
    console.error(
      `[${requestId}] the turn could not be written to the database (${describeFailure(error)}); handing it to the user's object`,
    );
  }
  try {
    await queueTurn(c.env, user.id, { id: crypto.randomUUID(), record, requestId, giveUpAt: Date.now() + config.databaseRetryMs });
    return "queued";
  } catch (error) {
    console.error(`[${requestId}] the turn is lost: the user's object could not take it either (${describeFailure(error)})`);
    return { code: "UNAVAILABLE", message: "the answers could not be kept: the database and the user's meter could not be reached" };
  }
}

/** What the stream says of a turn the database refused; an account deleted while it streamed is no fault of ours. */
function refused(requestId: string, error: unknown): NotKept {
  if (sqlStateOf(error) === SQL_STATE.foreignKeyViolation && constraintOf(error)?.endsWith("_user_id_users_id_fk")) {
    console.warn(`[${requestId}] the turn was not kept: its account no longer exists`);
    return { code: "UNAUTHENTICATED", message: "the answers could not be kept: this account no longer exists" };
  }
  console.error(`[${requestId}] our fault: the database refused the turn (${describeFailure(error)}); it is not kept or queued`);
  return { code: "INTERNAL", message: "the answers could not be kept: something went wrong on our side" };
}
