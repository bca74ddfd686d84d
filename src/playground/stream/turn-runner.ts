// Runs a planned turn: every model at once, then the turn stored (or queued in the user's object
// when the database cannot take it) and the spend settled. `runTurn` does it on the playground's
// event stream and says `done`; the OpenAI-compatible API runs the same `answerAndKeep`.
import type { Context } from "hono";
import { type SSEStreamingApi, streamSSE } from "hono/streaming";
import type { AppEnv } from "../../env.ts";
import type { StreamMeter } from "../../meter/stream-meter.ts";
import { roundUsd } from "../../usd.ts";
import { fanOut } from "./fan-out.ts";
import { eventWriter } from "./sse-writer.ts";
import type { StreamEvent } from "./stream.schemas.ts";
import type { TurnPlan } from "./turn-plan.ts";
import { storeTurn, turnRecord } from "./turn-store.ts";

/**
 * Asks every model of the turn at once, then keeps the turn and settles its spend side by side (so
 * settling costs the client no time). `signal` aborts every upstream request; `emit` hears every
 * model's events as they arrive.
 */
export async function answerAndKeep(
  c: Context<AppEnv>,
  plan: TurnPlan,
  meter: StreamMeter,
  { signal, emit }: { signal: AbortSignal; emit: (event: StreamEvent) => void },
) {
  const { config } = c.var;
  const answers = await fanOut(plan.models, {
    env: c.env,
    temperature: plan.turn.temperature,
    firstTokenTimeoutMs: config.firstTokenTimeoutMs,
    streamTimeoutMs: config.streamTimeoutMs,
    signal,
    emit,
  });
  const totalCost = roundUsd(answers.reduce((sum, answer) => sum + answer.cost, 0));
  const [stored] = await Promise.all([storeTurn(c, turnRecord(plan, answers)), meter.settle(totalCost)]);
  return { answers, totalCost, stored };
}

/**
 * The client's going away, as one signal: the request's (`enable_request_signal`) or the response
 * body's cancel, whichever the runtime reports first.
 */
export function clientGone(c: Context<AppEnv>, stream: SSEStreamingApi): AbortSignal {
  const gone = new AbortController();
  stream.onAbort(() => gone.abort(new DOMException("the client went away", "AbortError")));
  return AbortSignal.any([c.req.raw.signal, gone.signal]);
}

/** Proxies and local wrangler buffer or compress event streams unless told not to. */
export function unbuffered(c: Context<AppEnv>) {
  c.header("X-Accel-Buffering", "no");
  c.header("Content-Encoding", "identity");
}

/**
 * The playground's stream: every model's events go out as they arrive; when all have ended and the
 * turn is kept, `done` says where. When the client leaves, the upstream requests are aborted and the
 * Worker keeps running (`waitUntil`) until what arrived is stored as `cancelled`.
 */
export function runTurn(c: Context<AppEnv>, plan: TurnPlan, meter: StreamMeter) {
  unbuffered(c);
  return streamSSE(c, async (stream) => {
    const events = eventWriter(stream, { pingIntervalMs: c.var.config.pingIntervalMs });
    const sessionId = plan.session.id;
    const work = (async () => {
      try {
        events.send({ type: "session", sessionId });
        const { answers, totalCost, stored } = await answerAndKeep(c, plan, meter, { signal: clientGone(c, stream), emit: events.send });
        if (typeof stored !== "string") return events.send({ type: "error", ...stored });
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
