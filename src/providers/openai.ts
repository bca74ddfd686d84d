// Every OpenAI-compatible upstream (OpenAI, and by base URL Anthropic, Gemini, Groq, OpenRouter,
// Ollama) through the `openai` SDK: its client, retries, timeout, stream decoding and typed errors.
// What the SDK does not know stays ours: no retry after the first chunk (it retries only before a
// response), the first-token deadline (the fan-out's), and our error codes.
import type OpenAI from "openai";
import type { ModelEntry } from "./catalogue.ts";
import { type ChatRequest, type Provider, ProviderError, type SamplingOptions, type StreamPart } from "./provider.ts";

export interface OpenAISettings {
  apiKey: string;
  /** Unset: the SDK's default, OpenAI's own API. */
  baseUrl: string | undefined;
  maxTokensField: "max_completion_tokens" | "max_tokens";
}

/** Tries before the first chunk: the SDK retries a 408, 409, 429, 5xx or lost connection, honouring retry-after. */
const MAX_RETRIES = 2;

/**
 * The SDK, loaded when a stream first needs it: its module defines a class for every API it covers,
 * work that would otherwise slow every start of the Worker and of the users' Durable Objects.
 */
let sdk: Promise<typeof import("openai")> | undefined;
const loadSdk = () => (sdk ??= import("openai"));

/** One client per base URL and key, built once per isolate: a client holds no request or user state. */
const clients = new Map<string, OpenAI>();

async function clientFor(settings: OpenAISettings): Promise<OpenAI> {
  const key = `${settings.baseUrl ?? ""}\n${settings.apiKey}`;
  let client = clients.get(key);
  if (!client) {
    const { default: OpenAI } = await loadSdk();
    client = new OpenAI({
      apiKey: settings.apiKey,
      baseURL: settings.baseUrl ?? "https://api.openai.com/v1",
      maxRetries: MAX_RETRIES,
      // OpenAI's account settings must not travel to the other providers' hosts.
      organization: null,
      project: null,
    });
    clients.set(key, client);
  }
  return client;
}

/** The upstream's own words for a failure (the SDK's `APIError`), shortened. */
const upstreamWords = (error: { error?: unknown; message: string }) => {
  const body = error.error as { message?: unknown } | undefined;
  return String(body?.message ?? error.message).slice(0, 300);
};

/** The SDK's failure as ours; never the upstream's words for an auth failure, which may quote the key. */
async function toProviderError(error: unknown, connected: boolean): Promise<ProviderError> {
  const { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } = await loadSdk();
  if (error instanceof ProviderError) return error;
  if (error instanceof APIConnectionTimeoutError) return new ProviderError("TIMEOUT", "the upstream did not answer in time");
  if (error instanceof APIConnectionError && !(error instanceof APIUserAbortError)) {
    return new ProviderError("UPSTREAM_ERROR", "the upstream could not be reached");
  }
  if (error instanceof APIError && error.status !== undefined) {
    if (error.status === 401 || error.status === 403) {
      return new ProviderError("UPSTREAM_AUTH", `the upstream refused our credentials (${error.status})`);
    }
    if (error.status === 429) return new ProviderError("UPSTREAM_RATE_LIMITED", "the upstream is rate limiting requests");
    return new ProviderError("UPSTREAM_ERROR", `the upstream failed (${error.status}): ${upstreamWords(error)}`);
  }
  // An `error` event inside the stream.
  if (error instanceof APIError) return new ProviderError("UPSTREAM_ERROR", `the upstream failed: ${upstreamWords(error)}`);
  if (error instanceof SyntaxError) return new ProviderError("UPSTREAM_ERROR", "the upstream sent an event that is not JSON");
  return new ProviderError("UPSTREAM_ERROR", connected ? "the upstream stream broke off" : "the upstream could not be reached");
}

/** The sampling settings in the upstream's own words; those not given are not sent. */
function upstreamSampling(sampling: SamplingOptions | undefined) {
  if (!sampling) return {};
  const fields = {
    top_p: sampling.topP,
    stop: sampling.stop,
    seed: sampling.seed,
    presence_penalty: sampling.presencePenalty,
    frequency_penalty: sampling.frequencyPenalty,
    user: sampling.user,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

/**
 * A provider for one model of an OpenAI-compatible upstream.
 *
 * @example
 * const provider = openAICompatible({ apiKey, baseUrl, maxTokensField: "max_completion_tokens" }, findModel("gpt-4o")!);
 */
export function openAICompatible(settings: OpenAISettings, model: ModelEntry): Provider {
  return {
    async *stream(request: ChatRequest): AsyncGenerator<StreamPart> {
      let connected = false;
      try {
        const client = await clientFor(settings);
        const chunks = await client.chat.completions.create(
          {
            model: model.upstreamModel,
            messages: request.messages,
            stream: true,
            stream_options: { include_usage: true },
            ...(request.temperature === undefined || model.reasoning ? {} : { temperature: request.temperature }),
            ...(request.maxTokens === undefined ? {} : { [settings.maxTokensField]: request.maxTokens }),
            ...upstreamSampling(request.sampling),
          },
          { signal: request.signal, timeout: request.timeoutMs },
        );
        connected = true;
        for await (const chunk of chunks) {
          const choice = chunk.choices[0];
          if (choice?.delta?.content) yield { type: "text", text: choice.delta.content };
          const { usage } = chunk;
          if (usage) {
            yield {
              type: "usage",
              usage: {
                inputTokens: usage.prompt_tokens,
                outputTokens: usage.completion_tokens,
                cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
                reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
              },
            };
          }
          if (choice?.finish_reason) yield { type: "finish", reason: choice.finish_reason };
        }
      } catch (error) {
        // An abort of ours (the client left, a time limit) is not the upstream's failure: its reason tells which.
        if (request.signal.aborted) throw request.signal.reason;
        throw await toProviderError(error, connected);
      }
    },
  };
}
