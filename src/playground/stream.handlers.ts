// The stream routes: validate, open the event stream, run the fan-out, store the answers, say done.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { streamSSE } from "hono/streaming";
import { insertSession, type TurnRecord, writeTurn } from "../db/turns.ts";
import type { AppEnv } from "../env.ts";
import { AppError, failureOf, invalidInput } from "../http/errors.ts";
import type { AppRouteHandler } from "../http/router.ts";
import { findModel, type ModelEntry, maxCostOf, roundUsd } from "../providers/index.ts";
import { admitStream, queueTurn } from "../ratelimit/user-meter.ts";
import { isHidden, modelOfLabel, shownAs, shuffled } from "./blind.ts";
import { eventWriter } from "./event-stream.ts";
import { fanOut, type ModelPlan } from "./fan-out.ts";
import type { StreamGetRoute, StreamPostRoute } from "./playground.routes.ts";
import type { StreamRequest } from "./playground.schemas.ts";
import { type ConversationRow, getSession, historyOf, type SessionRow, turnRecord } from "./sessions.service.ts";

/**
 * Answers 204 to a request carrying Last-Event-ID. A browser's EventSource reconnects by itself
 * when a stream ends; streams are not resumable, so a reconnect must not start a new session, and
 * 204 tells the browser to stop. Runs before auth and limits: it costs nothing.
 */
export const noReconnect = createMiddleware<AppEnv>(async function noReconnect(c, next) {
  if (c.req.header("Last-Event-ID") !== undefined) return c.body(null, 204);
  await next();
});

export const streamGet: AppRouteHandler<StreamGetRoute> = (c) => {
  const { token: _, ...request } = c.req.valid("query");
  return openStream(c, request);
};

export const streamPost: AppRouteHandler<StreamPostRoute> = (c) => openStream(c, c.req.valid("json"));

function catalogueEntries(ids: string[]): ModelEntry[] {
  const unknown = ids.filter((id) => !findModel(id));
  if (unknown.length > 0) {
    throw new AppError("UNKNOWN_MODEL", 400, `unknown model: ${unknown.join(", ")}; GET /playground/models lists them`, {
      details: unknown.map((id) => ({ path: "models", message: `unknown model ${id}` })),
    });
  }
  return ids.map((id) => findModel(id) as ModelEntry);
}

async function openStream(c: Context<AppEnv>, request: StreamRequest) {
  const { db, config, user } = c.var;
  const startedAt = new Date();
  // A new session costs no round trip before the first chunk. Going on with a session reads its
  // history first (which also proves it is the user's).
  let history: ConversationRow[] = [];
  let previous: SessionRow | undefined;
  if (request.sessionId) {
    ({ session: previous, conversations: history } = await getSession(db, user.id, request.sessionId));
    if (request.blind && previous.blindModels === null) {
      throw invalidInput("blind", "is chosen when a session starts: this session is not blind");
    }
  }
  // A hidden session's models may be named by their labels.
  const ids = request.models.map((name) => (previous && isHidden(previous) && modelOfLabel(previous, name)) || name);
  if (new Set(ids).size < ids.length) throw invalidInput("models", "must not name a model twice");
  const models = catalogueEntries(ids);
  const blindModels = previous
    ? previous.blindModels && [...previous.blindModels, ...shuffled(ids.filter((id) => !previous.blindModels!.includes(id)))]
    : request.blind
      ? shuffled(ids)
      : null;
  const blind = { blindModels, revealedAt: previous?.revealedAt ?? null };
  const shown = shownAs(blind);
  const session: TurnRecord["session"] = {
    id: request.sessionId ?? crypto.randomUUID(),
    userId: user.id,
    prompt: request.prompt,
    models: [...new Set([...(previous?.models ?? []), ...ids])],
    blindModels,
    createdAt: startedAt.toISOString(),
  };
  const plans: ModelPlan[] = models.map((model) => ({
    model,
    name: shown(model.id),
    anonymous: isHidden(blind),
    messages: [
      ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
      ...historyOf(history, model.id),
      { role: "user", content: request.prompt },
    ],
    // The request's bound as asked (the upstream refuses one over the model's maximum); the default never above it.
    maxTokens: request.maxTokens ?? Math.min(config.defaultMaxTokens, model.maxOutputTokens),
  }));
  const meter = await admitStream(
    c,
    plans.reduce((sum, plan) => sum + maxCostOf(plan.model, plan.messages, plan.maxTokens), 0),
  );
  if (!request.sessionId) {
    // A turn later, once the upstream requests are on their way: building and sending the insert
    // costs CPU that would otherwise delay them. The final write inserts it too, should this fail.
    setTimeout(() => insertSession(db, session).catch(() => undefined), 0);
  }

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
    const work = (async () => {
      try {
        events.send({ type: "session", sessionId: session.id });
        const answers = await fanOut(plans, {
          env: c.env,
          temperature: request.temperature,
          firstTokenTimeoutMs: config.firstTokenTimeoutMs,
          streamTimeoutMs: config.streamTimeoutMs,
          signal,
          emit: events.send,
        });
        const totalCost = roundUsd(answers.reduce((sum, answer) => sum + answer.cost, 0));
        const record = turnRecord(session, { ...request, startedAt }, answers);
        // Settled beside the write, so it costs the client no time.
        const [stored] = await Promise.all([storeTurn(c, record), meter.settle(totalCost)]);
        if (!stored) return;
        const totalTokens = answers.reduce((sum, answer) => sum + answer.usage.inputTokens + answer.usage.outputTokens, 0);
        events.send({ type: "done", sessionId: session.id, totalTokens, totalCost, stored });
      } finally {
        events.close();
      }
    })();
    // When the client leaves, the Worker keeps running until the cancelled answers are stored.
    c.executionCtx.waitUntil(work);
    await work;
  });
}

/**
 * Writes a finished turn; when the database cannot take it, hands it to the user's Durable
 * Object, which writes it as soon as the database answers again. Undefined when both fail: the
 * stream then ends without `done`, which tells the client the turn was not kept.
 */
async function storeTurn(c: Context<AppEnv>, record: TurnRecord): Promise<"database" | "queued" | undefined> {
  const { db, config, user, requestId } = c.var;
  try {
    await writeTurn(db, record);
    return "database";
  } catch (error) {
    console.error(`[${requestId}] the turn could not be written to the database (${failureOf(error)}); handing it to the user's object`);
  }
  try {
    await queueTurn(c.env, user.id, { id: crypto.randomUUID(), record, requestId, giveUpAt: Date.now() + config.databaseRetryMs });
    return "queued";
  } catch (error) {
    console.error(`[${requestId}] the turn is lost: the user's object could not take it either (${failureOf(error)})`);
    return undefined;
  }
}
