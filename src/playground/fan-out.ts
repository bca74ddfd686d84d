// Runs one prompt against every model at once and reports each model's progress as events, in
// arrival order. Knows nothing of HTTP or the database: the stream handler wires those.
import type { Bindings } from "../env.ts";
import {
  type ChatMessage,
  costOf,
  estimateTokens,
  type ModelEntry,
  ProviderError,
  type ProviderErrorCode,
  providerFor,
  type Usage,
} from "../providers/index.ts";
import type { StreamEvent } from "./stream-events.ts";

export interface Answer {
  model: ModelEntry;
  /** The output bound it was sent. */
  maxTokens: number;
  status: "completed" | "error" | "cancelled";
  text: string;
  usage: Usage;
  estimated: boolean;
  cost: number;
  responseTime: number;
  timeToFirstToken: number | null;
  error: { code: string; message: string } | null;
}

/** What one model is asked, and the name its events carry. */
export interface ModelPlan {
  model: ModelEntry;
  /** The model's name in the events: its id, or its label in a blind stream. */
  name: string;
  /** A blind stream's model: its failures are told in words that cannot name it. */
  anonymous: boolean;
  /** Its own conversation: the system prompt, its earlier turns in the session, then this prompt. */
  messages: ChatMessage[];
  /** The bound on its output, sent upstream. */
  maxTokens: number;
}

export interface FanOutOptions {
  env: Bindings;
  temperature?: number;
  firstTokenTimeoutMs: number;
  streamTimeoutMs: number;
  /** Aborts when the client goes away: every upstream request is aborted with it. */
  signal: AbortSignal;
  /** Sends an event to the client. */
  emit: (event: StreamEvent) => void;
}

/** Asks every model at once; resolves when each has finished, failed or been cancelled. */
export const fanOut = (plans: ModelPlan[], options: FanOutOptions) => Promise.all(plans.map((plan) => answer(plan, options)));

async function answer({ model, name, anonymous, messages, maxTokens }: ModelPlan, options: FanOutOptions): Promise<Answer> {
  const { emit, signal } = options;
  const started = Date.now();
  const controller = new AbortController();
  const cancel = () => controller.abort(signal.reason);
  signal.addEventListener("abort", cancel, { once: true });
  if (signal.aborted) cancel();
  const timeLimit = (ms: number, what: string) =>
    setTimeout(() => controller.abort(new ProviderError("TIMEOUT", `${what} within ${ms / 1000} s`)), ms);
  const firstTokenTimer = timeLimit(options.firstTokenTimeoutMs, "no first token");
  const totalTimer = timeLimit(options.streamTimeoutMs, "the answer did not finish");

  let text = "";
  let usage: Usage | undefined;
  let finishReason: string | undefined;
  let firstPartAt: number | undefined;
  let failure: unknown;
  try {
    const parts = providerFor(model, options.env).stream({
      model: model.upstreamModel,
      messages,
      temperature: options.temperature,
      maxTokens,
      timeoutMs: options.firstTokenTimeoutMs,
      signal: controller.signal,
    });
    for await (const part of parts) {
      if (firstPartAt === undefined) {
        firstPartAt = Date.now();
        clearTimeout(firstTokenTimer);
        emit({ type: "status", model: name, status: "streaming" });
      }
      if (part.type === "text") {
        text += part.text;
        emit({ type: "chunk", model: name, content: part.text, timestamp: Date.now() });
      } else if (part.type === "usage") usage = part.usage;
      else finishReason = part.reason;
    }
    // An aborted stream may simply end: the abort's reason, not the missing finish, is what happened.
    controller.signal.throwIfAborted();
    if (!finishReason) throw new ProviderError("UPSTREAM_ERROR", "the upstream stream ended without a finish reason");
  } catch (error) {
    failure = error;
  } finally {
    clearTimeout(firstTokenTimer);
    clearTimeout(totalTimer);
    signal.removeEventListener("abort", cancel);
  }

  const ended = Date.now();
  const estimated = firstPartAt !== undefined && usage === undefined;
  const counted: Usage = usage ?? {
    inputTokens: estimated ? messages.reduce((sum, message) => sum + estimateTokens(message.content), 0) : 0,
    outputTokens: estimateTokens(text),
    cachedInputTokens: 0,
    reasoningTokens: 0,
  };
  const result: Answer = {
    model,
    maxTokens,
    status: "completed",
    text,
    usage: counted,
    estimated,
    cost: costOf(model, counted),
    responseTime: ended - started,
    timeToFirstToken: firstPartAt === undefined ? null : firstPartAt - started,
    error: null,
  };
  if (failure !== undefined) {
    const providerError = toProviderError(failure, signal);
    if (providerError) {
      // A provider's own words may name the model (the upstream's messages often do).
      const message = anonymous ? ANONYMOUS_FAILURES[providerError.code] : providerError.message;
      result.status = "error";
      result.error = { code: providerError.code, message };
      emit({ type: "error", model: name, code: providerError.code, message });
    } else {
      result.status = "cancelled";
    }
  }
  if (firstPartAt !== undefined) {
    emit({
      type: "metrics",
      model: name,
      inputTokens: counted.inputTokens,
      outputTokens: counted.outputTokens,
      tokensUsed: counted.inputTokens + counted.outputTokens,
      estimated,
      cost: result.cost,
      responseTime: result.responseTime,
      timeToFirstToken: result.timeToFirstToken,
    });
  }
  emit({ type: "status", model: name, status: result.status });
  return result;
}

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
