// What every model provider offers the playground: a stream of typed parts under an AbortSignal.

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Sampling settings an OpenAI-compatible client may send, passed on as they are. */
export interface SamplingOptions {
  topP?: number;
  stop?: string | string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  /** The end user, as the client names them to the upstream. */
  user?: string;
}

export interface ChatRequest {
  /** The upstream's own name for the model, e.g. `gpt-4o-mini`. */
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  sampling?: SamplingOptions;
  /** How long one attempt may wait for the upstream's answer to begin. */
  timeoutMs: number;
  signal: AbortSignal;
}

/** Token counts as the upstream reported them; cached and reasoning tokens are parts of input and output. */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

export type StreamPart = { type: "text"; text: string } | { type: "usage"; usage: Usage } | { type: "finish"; reason: string };

export interface Provider {
  /**
   * Streams the answer as its parts arrive. Throws `ProviderError` for upstream failures, or the
   * signal's reason when aborted; may simply end when aborted.
   */
  stream(request: ChatRequest): AsyncIterable<StreamPart>;
}

export const PROVIDER_ERROR_CODES = [
  "PROVIDER_NOT_CONFIGURED",
  "UPSTREAM_AUTH",
  "UPSTREAM_RATE_LIMITED",
  "UPSTREAM_ERROR",
  "TIMEOUT",
] as const;
export type ProviderErrorCode = (typeof PROVIDER_ERROR_CODES)[number];

/**
 * A model's failure, told to the client in an `error` event.
 *
 * @example
 * throw new ProviderError("UPSTREAM_RATE_LIMITED", "the upstream is rate limiting requests");
 */
export class ProviderError extends Error {
  override name = "ProviderError";
  readonly code: ProviderErrorCode;

  constructor(code: ProviderErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

/** A rough count for text no upstream counted: about four characters a token, as OpenAI's guide says. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

/** Waits `ms`, or throws the signal's reason as soon as it aborts. */
export function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
