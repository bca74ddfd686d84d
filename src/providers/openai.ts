// Every OpenAI-compatible upstream (OpenAI, and by base URL Anthropic, Gemini, Groq, OpenRouter,
// Ollama): the streaming chat completions call, its server-sent events, and its failures as
// ProviderErrors. Written against the wire format rather than through the openai SDK, which would
// triple the Worker's size for the one call we make.
import type { ModelEntry } from "./catalogue.ts";
import { type ChatRequest, type Provider, ProviderError, type StreamPart } from "./provider.ts";

const OPENAI_BASE_URL = "https://api.openai.com/v1";

export interface OpenAISettings {
  apiKey: string;
  baseUrl: string | undefined;
  maxTokensField: "max_completion_tokens" | "max_tokens";
}

/** The parts of a `chat.completion.chunk` we read. */
interface Chunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    prompt_tokens_details?: { cached_tokens?: number };
    completion_tokens_details?: { reasoning_tokens?: number };
  } | null;
  error?: { message?: string };
}

/** Seconds or an HTTP date in `retry-after`, or OpenAI's `retry-after-ms`, as milliseconds. */
function retryAfterMs(headers: Headers): number | undefined {
  const milliseconds = Number(headers.get("retry-after-ms"));
  if (milliseconds > 0) return milliseconds;
  const value = headers.get("retry-after");
  if (!value) return undefined;
  const seconds = Number(value);
  if (!Number.isNaN(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** The upstream's own words for a failure, shortened; never for auth failures, which may quote the key. */
async function upstreamMessage(response: Response) {
  const text = await response.text().catch(() => "");
  try {
    return String((JSON.parse(text) as Chunk).error?.message ?? text).slice(0, 300);
  } catch {
    return text.slice(0, 300);
  }
}

async function failure(response: Response): Promise<ProviderError> {
  const { status } = response;
  if (status === 401 || status === 403) {
    await response.body?.cancel();
    return new ProviderError("UPSTREAM_AUTH", `the upstream refused our credentials (${status})`);
  }
  if (status === 429) {
    await response.body?.cancel();
    return new ProviderError("UPSTREAM_RATE_LIMITED", "the upstream is rate limiting requests", {
      retryable: true,
      retryAfterMs: retryAfterMs(response.headers),
    });
  }
  const retryable = status >= 500;
  return new ProviderError("UPSTREAM_ERROR", `the upstream failed (${status}): ${await upstreamMessage(response)}`, { retryable });
}

/** Splits server-sent event text, fed as it arrives, into the events' `data:` payloads. */
export class EventDataParser {
  private buffer = "";
  private data: string | undefined;

  /** The payloads of the events that `text` completed. */
  push(text: string): string[] {
    const payloads: string[] = [];
    const buffer = this.buffer + text;
    let start = 0;
    for (let newline = buffer.indexOf("\n"); newline >= 0; newline = buffer.indexOf("\n", start)) {
      const end = newline > start && buffer.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
      if (end === start) {
        // A blank line ends an event.
        if (this.data !== undefined) payloads.push(this.data);
        this.data = undefined;
      } else if (buffer.startsWith("data:", start)) {
        const value = buffer.slice(start + (buffer.charCodeAt(start + 5) === 32 ? 6 : 5), end);
        this.data = this.data === undefined ? value : `${this.data}\n${value}`;
      }
      start = newline + 1;
    }
    this.buffer = buffer.slice(start);
    return payloads;
  }
}

function parseChunk(data: string): Chunk {
  try {
    return JSON.parse(data) as Chunk;
  } catch {
    throw new ProviderError("UPSTREAM_ERROR", "the upstream sent an event that is not JSON");
  }
}

/** Adds the parts of one chunk to `parts`. */
function toParts(chunk: Chunk, parts: StreamPart[]) {
  if (chunk.error) throw new ProviderError("UPSTREAM_ERROR", `the upstream failed: ${String(chunk.error.message).slice(0, 300)}`);
  const choice = chunk.choices?.[0];
  if (choice?.delta?.content) parts.push({ type: "text", text: choice.delta.content });
  if (chunk.usage) {
    parts.push({
      type: "usage",
      usage: {
        inputTokens: chunk.usage.prompt_tokens,
        outputTokens: chunk.usage.completion_tokens,
        cachedInputTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0,
        reasoningTokens: chunk.usage.completion_tokens_details?.reasoning_tokens ?? 0,
      },
    });
  }
  if (choice?.finish_reason) parts.push({ type: "finish", reason: choice.finish_reason });
}

/**
 * A provider for one model of an OpenAI-compatible upstream. No retries or time limits here: the
 * playground owns those, since it knows whether a chunk was sent yet.
 *
 * @example
 * const provider = openAICompatible({ apiKey, baseUrl, maxTokensField: "max_completion_tokens" }, findModel("gpt-4o")!);
 */
export function openAICompatible(settings: OpenAISettings, model: ModelEntry): Provider {
  const url = `${(settings.baseUrl ?? OPENAI_BASE_URL).replace(/\/+$/, "")}/chat/completions`;
  return {
    async *stream(request: ChatRequest): AsyncGenerator<StreamPart[]> {
      const body = {
        model: model.upstreamModel,
        messages: request.messages,
        stream: true,
        stream_options: { include_usage: true },
        ...(request.temperature === undefined || model.reasoning ? {} : { temperature: request.temperature }),
        ...(request.maxTokens === undefined ? {} : { [settings.maxTokensField]: request.maxTokens }),
      };
      let connected = false;
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { Authorization: `Bearer ${settings.apiKey}`, "Content-Type": "application/json", Accept: "text/event-stream" },
          body: JSON.stringify(body),
          signal: request.signal,
        });
        if (!response.ok || !response.body) throw await failure(response);
        connected = true;
        const reader = response.body.getReader();
        const decoder = new TextDecoder();
        const parser = new EventDataParser();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          // Everything one read brought is handed on at once.
          const parts: StreamPart[] = [];
          for (const data of parser.push(decoder.decode(value, { stream: true }))) {
            if (data === "[DONE]") {
              if (parts.length > 0) yield parts;
              await reader.cancel();
              return;
            }
            toParts(parseChunk(data), parts);
          }
          if (parts.length > 0) yield parts;
        }
      } catch (error) {
        // An abort of ours (the client left, a time limit) is not the upstream's failure: its reason tells which.
        if (request.signal.aborted) throw request.signal.reason;
        if (error instanceof ProviderError) throw error;
        if (connected) throw new ProviderError("UPSTREAM_ERROR", "the upstream stream broke off");
        throw new ProviderError("UPSTREAM_ERROR", "the upstream could not be reached", { retryable: true });
      }
    },
  };
}
