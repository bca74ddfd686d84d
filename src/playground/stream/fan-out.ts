// Runs one prompt against every model at once and reports each model's progress as events, in
// arrival order. Knows nothing of HTTP or the database: the turn's runner wires those.
import type { Bindings } from "../../env.ts";
import { costOf, estimateTokens, ProviderError, type ProviderErrorCode, providerFor, type Usage } from "../../providers/index.ts";
import type { StreamEvent } from "./stream.schemas.ts";
import type { ModelPlan } from "./turn-plan.ts";

export interface Answer {
  plan: ModelPlan;
  status: "completed" | "error" | "cancelled";
  text: string;
  usage: Usage;
  estimated: boolean;
  cost: number;
  responseTime: number;
  timeToFirstToken: number | null;
  error: { code: string; message: string } | null;
  /** The upstream's reason for ending (`stop`, `length`, `content_filter`), when it gave one. */
  finishReason: string | null;
}

export interface FanOutOptions {
  env: Bindings;
  temperature: number | null;
  firstTokenTimeoutMs: number;
  streamTimeoutMs: number;
  /** Aborts when the client goes away: every upstream request is aborted with it. */
  signal: AbortSignal;
  /** Sends an event to the client. */
  emit: (event: StreamEvent) => void;
}

/** Asks every model at once; resolves when each has finished, failed or been cancelled. */
export const fanOut = (plans: ModelPlan[], options: FanOutOptions) => Promise.all(plans.map((plan) => answer(plan, options)));

/** What arrived from one model, however its stream ended. */
interface Received {
  text: string;
  usage?: Usage;
  finishReason?: string;
  firstPartAt?: number;
  /** Why it did not finish: undefined when it did. */
  failure?: unknown;
}

async function answer(plan: ModelPlan, options: FanOutOptions): Promise<Answer> {
  const started = Date.now();
  const received = await receive(plan, options);
  const ended = Date.now();
  const { text, usage, firstPartAt, failure, finishReason } = received;
  const estimated = firstPartAt !== undefined && usage === undefined;
  const counted: Usage = usage ?? {
    inputTokens: estimated ? plan.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0) : 0,
    outputTokens: estimateTokens(text),
    cachedInputTokens: 0,
    reasoningTokens: 0,
  };
  const result: Answer = {
    plan,
    status: "completed",
    text,
    usage: counted,
    estimated,
    cost: costOf(plan.model, counted),
    responseTime: ended - started,
    timeToFirstToken: firstPartAt === undefined ? null : firstPartAt - started,
    error: null,
    finishReason: finishReason ?? null,
  };
  if (failure !== undefined) Object.assign(result, failureOf(plan, failure, options));
  if (firstPartAt !== undefined) options.emit(metricsOf(plan.name, result));
  options.emit({ type: "status", model: plan.name, status: result.status });
  return result;
}

/**
 * Streams one model's answer, emitting its status and chunks as they come, under the first-token
 * and total time limits and the client's signal.
 */
async function receive({ model, name, messages, maxTokens, sampling }: ModelPlan, options: FanOutOptions): Promise<Received> {
  const { emit, signal } = options;
  const controller = new AbortController();
  const cancel = () => controller.abort(signal.reason);
  signal.addEventListener("abort", cancel, { once: true });
  if (signal.aborted) cancel();
  const received: Received = { text: "" };
  const timer = deadlines(controller, options, () => received.firstPartAt !== undefined);
  try {
    const parts = providerFor(model, options.env).stream({
      model: model.upstreamModel,
      messages,
      temperature: options.temperature ?? undefined,
      maxTokens,
      ...(sampling ? { sampling } : {}),
      timeoutMs: options.firstTokenTimeoutMs,
      signal: controller.signal,
    });
    for await (const part of parts) {
      if (received.firstPartAt === undefined) {
        received.firstPartAt = Date.now();
        emit({ type: "status", model: name, status: "streaming" });
      }
      if (part.type === "text") {
        received.text += part.text;
        emit({ type: "chunk", model: name, content: part.text, timestamp: Date.now() });
      } else if (part.type === "usage") received.usage = part.usage;
      else received.finishReason = part.reason;
    }
    // An aborted stream may simply end: the abort's reason, not the missing finish, is what happened.
    controller.signal.throwIfAborted();
    if (!received.finishReason) throw new ProviderError("UPSTREAM_ERROR", "the upstream stream ended without a finish reason");
  } catch (error) {
    received.failure = error;
  } finally {
    timer.clear();
    signal.removeEventListener("abort", cancel);
  }
  return received;
}

/**
 * The two time limits of an answer, on one timer: it fires at the first-token deadline, aborts
 * unless a first part has come, and else waits out the rest of the total limit.
 */
function deadlines(controller: AbortController, options: FanOutOptions, started: () => boolean) {
  const limit = (ms: number, what: string) => new ProviderError("TIMEOUT", `${what} within ${ms / 1000} s`);
  const { firstTokenTimeoutMs: first, streamTimeoutMs: total } = options;
  let timer = setTimeout(
    () => {
      if (!started()) return controller.abort(limit(first, "no first token"));
      timer = setTimeout(() => controller.abort(limit(total, "the answer did not finish")), Math.max(0, total - first));
    },
    Math.min(first, total),
  );
  return { clear: () => clearTimeout(timer) };
}

/** A failed model's status and error (told in an event), or `cancelled` when the client left. */
function failureOf({ name, anonymous }: ModelPlan, failure: unknown, options: FanOutOptions): Pick<Answer, "status" | "error"> {
  const providerError = toProviderError(failure, options.signal);
  if (!providerError) return { status: "cancelled", error: null };
  // A provider's own words may name the model (the upstream's messages often do).
  const message = anonymous ? ANONYMOUS_FAILURES[providerError.code] : providerError.message;
  options.emit({ type: "error", model: name, code: providerError.code, message });
  return { status: "error", error: { code: providerError.code, message } };
}

const metricsOf = (name: string, answer: Answer): StreamEvent => ({
  type: "metrics",
  model: name,
  inputTokens: answer.usage.inputTokens,
  outputTokens: answer.usage.outputTokens,
  tokensUsed: answer.usage.inputTokens + answer.usage.outputTokens,
  estimated: answer.estimated,
  cost: answer.cost,
  responseTime: answer.responseTime,
  timeToFirstToken: answer.timeToFirstToken,
});

/** What a blind stream says of a model's failure. */
const ANONYMOUS_FAILURES: Record<ProviderErrorCode, string> = {
  PROVIDER_NOT_CONFIGURED: "this model's provider is not configured on the server",
  UPSTREAM_AUTH: "the upstream refused our credentials",
  UPSTREAM_RATE_LIMITED: "the upstream is rate limiting requests",
  UPSTREAM_ERROR: "the upstream failed",
  TIMEOUT: "the model did not answer in time",
};

/** The failure to report, or undefined when the model was cancelled because the client left. */
function toProviderError(failure: unknown, clientSignal: AbortSignal): ProviderError | undefined {
  if (failure instanceof ProviderError) return failure;
  if (clientSignal.aborted) return undefined;
  console.error("a model failed unexpectedly:", failure instanceof Error ? `${failure.name}: ${failure.message}` : failure);
  return new ProviderError("UPSTREAM_ERROR", "the model failed unexpectedly");
}
