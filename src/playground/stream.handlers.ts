// The stream routes: validate, open the event stream, run the fan-out, store the answers, say done.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../env.ts";
import { AppError } from "../http/errors.ts";
import type { AppRouteHandler } from "../http/router.ts";
import { type ChatMessage, findModel, type ModelEntry, roundUsd } from "../providers/index.ts";
import { eventWriter } from "./event-stream.ts";
import { fanOut } from "./fan-out.ts";
import type { StreamRequest } from "./playground.schemas.ts";
import type { StreamGetRoute, StreamPostRoute } from "./playground.routes.ts";
import { getSession, historyOf, type NewTurn, saveTurn, startSession } from "./sessions.service.ts";

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
  const models = catalogueEntries(request.models);
  const { db, config, user } = c.var;
  const turn: NewTurn = {
    sessionId: request.sessionId ?? crypto.randomUUID(),
    userId: user.id,
    prompt: request.prompt,
    models: request.models,
    startedAt: new Date(),
    system: request.system,
    temperature: request.temperature,
    maxTokens: request.maxTokens,
  };
  // A new session costs no round trip before the first chunk: its row is written beside the
  // upstream requests. Going on with a session reads its history first (and proves it is the user's).
  let history: Awaited<ReturnType<typeof getSession>>["conversations"] = [];
  let sessionWritten: Promise<unknown>;
  if (request.sessionId) {
    const found = await getSession(db, user.id, request.sessionId);
    history = found.conversations;
    turn.models = [...new Set([...found.session.models, ...request.models])];
    sessionWritten = Promise.resolve();
  } else {
    // A turn later, once the upstream requests are on their way: building and sending the insert costs
    // CPU that would otherwise delay them.
    sessionWritten = new Promise((resolve) => setTimeout(resolve, 0)).then(() => startSession(db, turn)).catch(() => undefined);
  }
  const messagesFor = (model: ModelEntry): ChatMessage[] => [
    ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
    ...historyOf(history, model.id),
    { role: "user", content: request.prompt },
  ];

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
        events.send({ type: "session", sessionId: turn.sessionId });
        const answers = await fanOut(models, {
          env: c.env,
          messagesFor,
          temperature: request.temperature,
          maxTokens: request.maxTokens,
          firstTokenTimeoutMs: config.firstTokenTimeoutMs,
          streamTimeoutMs: config.streamTimeoutMs,
          signal,
          emit: events.send,
        });
        await sessionWritten;
        try {
          await saveTurn(db, turn, answers);
        } catch (error) {
          // Without `done` the client knows the turn was not kept.
          console.error(`[${c.var.requestId}] the answers could not be stored:`, error instanceof Error ? error.message.split("\n")[0] : error);
          return;
        }
        const totalTokens = answers.reduce((sum, answer) => sum + answer.usage.inputTokens + answer.usage.outputTokens, 0);
        const totalCost = answers.reduce((sum, answer) => sum + answer.cost, 0);
        events.send({ type: "done", sessionId: turn.sessionId, totalTokens, totalCost: roundUsd(totalCost) });
      } finally {
        events.close();
      }
    })();
    // When the client leaves, the Worker keeps running until the cancelled answers are stored.
    c.executionCtx.waitUntil(work);
    await work;
  });
}
