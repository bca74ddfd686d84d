// Runs a planned turn on an open event stream: every model at once, then the turn stored (or
// queued in the user's object when the database cannot take it), the spend settled, and `done`.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import { constraintOf, describeFailure, isTransientFailure, SQL_STATE, sqlStateOf } from "../../db/errors.ts";
import { type TurnRecord, writeTurn } from "../../db/turns.ts";
import type { AppEnv } from "../../env.ts";
import { queueTurn, type StreamMeter } from "../../meter/stream-meter.ts";
import { roundUsd } from "../../providers/index.ts";
import { type Answer, fanOut } from "./fan-out.ts";
import { eventWriter } from "./sse-writer.ts";
import type { StreamErrorCode } from "./stream.schemas.ts";
import type { TurnPlan } from "./turn-plan.ts";

/**
 * The stream's response. Every model's events go out as they arrive; when all have ended, the turn
 * is written and the spend settled side by side, and `done` says where the turn was kept. When the
 * client leaves, the upstream requests are aborted and the Worker keeps running (`waitUntil`) until
 * what arrived is stored as `cancelled`.
 */
export function runTurn(c: Context<AppEnv>, plan: TurnPlan, meter: StreamMeter) {
  const { config } = c.var;
  // Proxies and local wrangler buffer or compress event streams unless told not to.
  c.header("X-Accel-Buffering", "no");
  c.header("Content-Encoding", "identity");
  return streamSSE(c, async (stream) => {
    // The client's going away reaches every upstream request: the request's signal
    // (enable_request_signal) and the response body's cancel, whichever the runtime reports first.
    const clientGone = new AbortController();
    stream.onAbort(() => clientGone.abort(new DOMException("the client went away", "AbortError")));
    const signal = AbortSignal.any([c.req.raw.signal, clientGone.signal]);
    const events = eventWriter(stream, { pingIntervalMs: config.pingIntervalMs });
    const sessionId = plan.session.id;
    const work = (async () => {
      try {
        events.send({ type: "session", sessionId });
        const answers = await fanOut(plan.models, {
          env: c.env,
          temperature: plan.turn.temperature,
          firstTokenTimeoutMs: config.firstTokenTimeoutMs,
          streamTimeoutMs: config.streamTimeoutMs,
          signal,
          emit: events.send,
        });
        const totalCost = roundUsd(answers.reduce((sum, answer) => sum + answer.cost, 0));
        // Settled beside the write, so it costs the client no time.
        const [stored] = await Promise.all([storeTurn(c, turnRecord(plan, answers)), meter.settle(totalCost)]);
        if (typeof stored !== "string") {
          events.send({ type: "error", ...stored });
          return;
        }
        const totalTokens = answers.reduce((sum, answer) => sum + answer.usage.inputTokens + answer.usage.outputTokens, 0);
        events.send({ type: "done", sessionId, totalTokens, totalCost, stored });
      } finally {
        events.close();
      }
    })();
    c.executionCtx.waitUntil(work);
    await work;
  });
}

/**
 * A finished turn as the database keeps it: a conversation per model, every id made now, so that
 * the same record can be written again later without writing anything twice.
 */
function turnRecord({ session, turn }: TurnPlan, answers: Answer[]): TurnRecord {
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
type NotKept = { code: StreamErrorCode; message: string };

/**
 * Writes a finished turn. When the database is unreachable or failing, hands it to the user's
 * Durable Object, which writes it as soon as the database answers again. A write the database
 * refuses for what it holds is not queued (it would be refused for as long as it was retried): it
 * is our fault, logged once, and the stream ends with an error and no `done`, as it does when
 * neither the database nor the object can take the turn.
 */
async function storeTurn(c: Context<AppEnv>, record: TurnRecord): Promise<"database" | "queued" | NotKept> {
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
