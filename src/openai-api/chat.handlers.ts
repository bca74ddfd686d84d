// POST /v1/chat/completions: OpenAI's request as a one-model turn of the playground's engine (the
// same admission, fan-out, storage and settle), answered in OpenAI's shapes, whole or streamed.
import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../env.ts";
import type { AppRouteHandler } from "../http/router.ts";
import { admitStream, type StreamMeter } from "../meter/stream-meter.ts";
import { eventWriter } from "../playground/stream/sse-writer.ts";
import type { StreamEvent } from "../playground/stream/stream.schemas.ts";
import type { TurnPlan } from "../playground/stream/turn-plan.ts";
import { answerAndKeep, unbuffered } from "../playground/stream/turn-runner.ts";
import { isAvailable } from "../providers/index.ts";
import type { ChatRequest } from "./chat.schemas.ts";
import { planChat } from "./chat-plan.ts";
import { type Completion, chunkOf, closingChunks, completionOf, newCompletion } from "./chat-shapes.ts";
import { OpenAIError } from "./openai-errors.ts";
import type { ChatCompletionsRoute } from "./v1.routes.ts";

export const chatCompletions: AppRouteHandler<ChatCompletionsRoute> = async (c) => {
  const request = c.req.valid("json");
  const { config, user } = c.var;
  const plan = planChat({
    request,
    userId: user.id,
    sessionId: crypto.randomUUID(),
    startedAt: new Date(),
    defaultMaxTokens: config.defaultMaxTokens,
    isAvailable: (model) => isAvailable(model, c.env),
  });
  const meter = await admitStream(c, plan.maxCostUsd);
  const completion = newCompletion(plan.models[0]!.model.id);
  return request.stream ? streamed(c, plan, meter, completion, request) : whole(c, plan, meter, completion);
};

const upstreamFailed = (message: string) => new OpenAIError(502, "server_error", "upstream_error", message);

/** The completion in one answer, once the turn is kept (or queued). */
async function whole(c: Context<AppEnv>, plan: TurnPlan, meter: StreamMeter, completion: Completion) {
  const work = answerAndKeep(c, plan, meter, { signal: c.req.raw.signal, emit: () => {} });
  // A client that leaves aborts the upstream; the Worker goes on until what arrived is kept.
  c.executionCtx.waitUntil(work);
  const { answers, stored } = await work;
  const answer = answers[0]!;
  if (answer.status === "error") throw upstreamFailed(answer.error!.message);
  if (typeof stored !== "string" && stored.code === "UNAUTHENTICATED")
    throw new OpenAIError(401, "authentication_error", "invalid_api_key", stored.message);
  return c.json(completionOf(completion, answer), 200);
}

/**
 * The completion as OpenAI streams it. The response waits for the model's first part: a model that
 * fails before it is a 502, as an upstream error before any chunk is for OpenAI's own clients.
 */
async function streamed(c: Context<AppEnv>, plan: TurnPlan, meter: StreamMeter, completion: Completion, request: ChatRequest) {
  const relay = chunkRelay(completion);
  const gone = new AbortController();
  const work = answerAndKeep(c, plan, meter, { signal: AbortSignal.any([c.req.raw.signal, gone.signal]), emit: relay.emit });
  c.executionCtx.waitUntil(work);
  if ((await Promise.race([relay.started, work.then(() => false)])) === false) {
    const answer = (await work).answers[0]!;
    if (answer.status === "error") throw upstreamFailed(answer.error!.message);
  }
  unbuffered(c);
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => gone.abort(new DOMException("the client went away", "AbortError")));
    const writer = eventWriter<object | "[DONE]">(stream, { pingIntervalMs: c.var.config.pingIntervalMs, frame: dataLine });
    try {
      relay.attach(writer.send);
      const { answers } = await work;
      const answer = answers[0]!;
      if (answer.status === "completed") {
        for (const chunk of closingChunks(completion, answer, request.stream_options?.include_usage === true)) writer.send(chunk);
        writer.send("[DONE]");
      } else if (answer.status === "error") {
        writer.send({ error: { message: answer.error!.message, type: "server_error", param: null, code: "upstream_error" } });
      }
    } finally {
      writer.close();
    }
  });
}

const dataLine = (event: object | "[DONE]") => `data: ${typeof event === "string" ? event : JSON.stringify(event)}\n\n`;

/**
 * The model's events as chunks: held until the response's stream is open, then sent as they come.
 * `started` resolves when the model's first part arrives.
 */
function chunkRelay(completion: Completion) {
  let send: ((chunk: object) => void) | undefined;
  const held: object[] = [];
  let begin: (value: true) => void = () => {};
  const started = new Promise<true>((resolve) => (begin = resolve));
  const forward = (chunk: object) => (send ? send(chunk) : held.push(chunk));
  return {
    started,
    emit(event: StreamEvent) {
      if (event.type === "status" && event.status === "streaming") {
        forward(chunkOf(completion, { role: "assistant", content: "" }));
        begin(true);
      } else if (event.type === "chunk") forward(chunkOf(completion, { content: event.content }));
    },
    attach(sender: (chunk: object) => void) {
      for (const chunk of held.splice(0)) sender(chunk);
      send = sender;
    },
  };
}
