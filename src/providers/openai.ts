// Every OpenAI-compatible upstream (OpenAI, and by base URL Anthropic, Gemini, Groq, OpenRouter,
// Ollama), through the openai SDK, with its failures turned into ProviderErrors.
import OpenAI from "openai";
import type { ModelEntry } from "./catalogue.ts";
import { type ChatRequest, type Provider, ProviderError, type StreamPart } from "./provider.ts";

export interface OpenAISettings {
  apiKey: string;
  baseUrl: string | undefined;
  maxTokensField: "max_completion_tokens" | "max_tokens";
}

/** Seconds or an HTTP date in `retry-after`, or OpenAI's `retry-after-ms`, as milliseconds. */
function retryAfterMs(headers: Headers | undefined): number | undefined {
  const milliseconds = Number(headers?.get("retry-after-ms"));
  if (milliseconds > 0) return milliseconds;
  const value = headers?.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function toProviderError(error: unknown, signal: AbortSignal): unknown {
  // An abort of ours (the client left, a time limit) is not the upstream's failure: let the caller tell which.
  if (signal.aborted) return signal.reason;
  if (error instanceof OpenAI.APIConnectionError) {
    return new ProviderError("UPSTREAM_ERROR", "the upstream could not be reached", { retryable: true });
  }
  if (!(error instanceof OpenAI.APIError)) return new ProviderError("UPSTREAM_ERROR", "the upstream stream failed");
  const status = error.status ?? 0;
  if (status === 401 || status === 403) {
    // The upstream's own message may quote part of the key: say it in our words.
    return new ProviderError("UPSTREAM_AUTH", `the upstream refused our credentials (${status})`);
  }
  if (status === 429) {
    return new ProviderError("UPSTREAM_RATE_LIMITED", "the upstream is rate limiting requests", {
      retryable: true,
      retryAfterMs: retryAfterMs(error.headers),
    });
  }
  const detail = error.message.slice(0, 300);
  return new ProviderError("UPSTREAM_ERROR", `the upstream failed: ${detail}`, { retryable: status >= 500 });
}

/**
 * A provider for one model of an OpenAI-compatible upstream.
 *
 * @example
 * const provider = openAICompatible({ apiKey, baseUrl, maxTokensField: "max_completion_tokens" }, findModel("gpt-4o")!);
 */
export function openAICompatible(settings: OpenAISettings, model: ModelEntry): Provider {
  // Retries and time limits are the playground's, which knows whether a chunk was sent yet.
  const client = new OpenAI({ apiKey: settings.apiKey, baseURL: settings.baseUrl, maxRetries: 0, timeout: 24 * 3600_000 });
  return {
    async *stream(request: ChatRequest): AsyncGenerator<StreamPart> {
      try {
        const stream = await client.chat.completions.create(
          {
            model: model.upstreamModel,
            messages: request.messages,
            stream: true,
            stream_options: { include_usage: true },
            ...(request.temperature === undefined || model.reasoning ? {} : { temperature: request.temperature }),
            ...(request.maxTokens === undefined ? {} : { [settings.maxTokensField]: request.maxTokens }),
          },
          { signal: request.signal },
        );
        for await (const chunk of stream) {
          const choice = chunk.choices[0];
          if (choice?.delta?.content) yield { type: "text", text: choice.delta.content };
          if (chunk.usage) {
            yield {
              type: "usage",
              usage: {
                inputTokens: chunk.usage.prompt_tokens,
                outputTokens: chunk.usage.completion_tokens,
                cachedInputTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
                reasoningTokens: chunk.usage.completion_tokens_details?.reasoning_tokens ?? 0,
              },
            };
          }
          if (choice?.finish_reason) yield { type: "finish", reason: choice.finish_reason };
        }
      } catch (error) {
        throw toProviderError(error, request.signal);
      }
    },
  };
}
