// The models the playground offers, the providers that serve them, and their prices.
import type { Bindings } from "../env.ts";
import { roundUsd } from "../usd.ts";

/** OpenAI-compatible upstreams: a base URL and the variables holding its key and an override of it. */
export interface ProviderEntry {
  id: string;
  /** The variable holding the API key; absent for keyless servers (Ollama), which need a base URL instead. */
  keyVariable?: string;
  baseUrlVariable: string;
  /** Unset for `openai`: the SDK's default. */
  defaultBaseUrl?: string;
  /** Sends `max_completion_tokens` (OpenAI's own API) rather than the older `max_tokens` others accept. */
  maxTokensField: "max_completion_tokens" | "max_tokens";
}

export const PROVIDERS = {
  openai: { id: "openai", keyVariable: "OPENAI_API_KEY", baseUrlVariable: "OPENAI_BASE_URL", maxTokensField: "max_completion_tokens" },
  anthropic: {
    id: "anthropic",
    keyVariable: "ANTHROPIC_API_KEY",
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    defaultBaseUrl: "https://api.anthropic.com/v1/",
    maxTokensField: "max_tokens",
  },
  gemini: {
    id: "gemini",
    keyVariable: "GEMINI_API_KEY",
    baseUrlVariable: "GEMINI_BASE_URL",
    defaultBaseUrl: "https://generativelanguage.googleapis.com/v1beta/openai/",
    maxTokensField: "max_tokens",
  },
  groq: {
    id: "groq",
    keyVariable: "GROQ_API_KEY",
    baseUrlVariable: "GROQ_BASE_URL",
    defaultBaseUrl: "https://api.groq.com/openai/v1",
    maxTokensField: "max_tokens",
  },
  openrouter: {
    id: "openrouter",
    keyVariable: "OPENROUTER_API_KEY",
    baseUrlVariable: "OPENROUTER_BASE_URL",
    defaultBaseUrl: "https://openrouter.ai/api/v1",
    maxTokensField: "max_tokens",
  },
  ollama: { id: "ollama", baseUrlVariable: "OLLAMA_BASE_URL", maxTokensField: "max_tokens" },
} as const satisfies Record<string, ProviderEntry>;

type ProviderId = keyof typeof PROVIDERS | "local";

export interface ModelEntry {
  id: string;
  provider: ProviderId;
  /** The upstream's name for the model. */
  upstreamModel: string;
  label: string;
  /** US dollars per million tokens. */
  inputPricePerMTok: number;
  /** The price of input tokens served from the upstream's prompt cache, where it has one. */
  cachedInputPricePerMTok?: number;
  outputPricePerMTok: number;
  contextWindow: number;
  /** The most output tokens the model produces in one answer: the default bound sent upstream never exceeds it. */
  maxOutputTokens: number;
  /** Reasoning models take no temperature. */
  reasoning?: boolean;
}

type Prices = [input: number, cachedInput: number | undefined, output: number];

const model = (
  provider: ProviderId,
  upstreamModel: string,
  label: string,
  [input, cachedInput, output]: Prices,
  [contextWindow, maxOutputTokens]: [number, number],
  options: { id?: string; reasoning?: boolean } = {},
): ModelEntry => ({
  id: options.id ?? (provider === "openai" ? upstreamModel : `${provider}/${upstreamModel}`),
  provider,
  upstreamModel,
  label,
  inputPricePerMTok: input,
  ...(cachedInput === undefined ? {} : { cachedInputPricePerMTok: cachedInput }),
  outputPricePerMTok: output,
  contextWindow,
  maxOutputTokens,
  ...(options.reasoning ? { reasoning: true } : {}),
});

/**
 * Public list prices in USD per million tokens (input, cached input, output), checked 2026-11, and
 * each model's context window and output maximum in tokens.
 */
export const MODELS: readonly ModelEntry[] = [
  model("openai", "gpt-3.5-turbo", "GPT-3.5 Turbo", [0.5, undefined, 1.5], [16_385, 4_096]),
  model("openai", "gpt-4o-mini", "GPT-4o mini", [0.15, 0.075, 0.6], [128_000, 16_384]),
  model("openai", "gpt-4o", "GPT-4o", [2.5, 1.25, 10], [128_000, 16_384]),
  model("openai", "gpt-4.1-nano", "GPT-4.1 nano", [0.1, 0.025, 0.4], [1_047_576, 32_768]),
  model("openai", "gpt-4.1-mini", "GPT-4.1 mini", [0.4, 0.1, 1.6], [1_047_576, 32_768]),
  model("openai", "gpt-4.1", "GPT-4.1", [2, 0.5, 8], [1_047_576, 32_768]),
  model("openai", "gpt-5-nano", "GPT-5 nano", [0.05, 0.005, 0.4], [400_000, 128_000], { reasoning: true }),
  model("openai", "gpt-5-mini", "GPT-5 mini", [0.25, 0.025, 2], [400_000, 128_000], { reasoning: true }),
  model("openai", "gpt-5", "GPT-5", [1.25, 0.125, 10], [400_000, 128_000], { reasoning: true }),
  model("openai", "o4-mini", "o4-mini", [1.1, 0.275, 4.4], [200_000, 100_000], { reasoning: true }),
  model("openai", "o3", "o3", [2, 0.5, 8], [200_000, 100_000], { reasoning: true }),
  model("anthropic", "claude-haiku-4-5", "Claude Haiku 4.5", [1, 0.1, 5], [200_000, 64_000]),
  model("anthropic", "claude-sonnet-4-5", "Claude Sonnet 4.5", [3, 0.3, 15], [200_000, 64_000]),
  model("gemini", "gemini-2.5-flash", "Gemini 2.5 Flash", [0.3, 0.075, 2.5], [1_048_576, 65_536]),
  model("gemini", "gemini-2.5-pro", "Gemini 2.5 Pro", [1.25, 0.31, 10], [1_048_576, 65_536]),
  model("groq", "llama-3.3-70b-versatile", "Llama 3.3 70B (Groq)", [0.59, undefined, 0.79], [131_072, 32_768]),
  model("groq", "llama-3.1-8b-instant", "Llama 3.1 8B (Groq)", [0.05, undefined, 0.08], [131_072, 131_072]),
  model("openrouter", "meta-llama/llama-3.3-70b-instruct", "Llama 3.3 70B (OpenRouter)", [0.13, undefined, 0.4], [131_072, 16_384]),
  model("ollama", "llama3.2", "Llama 3.2 (Ollama)", [0, undefined, 0], [131_072, 32_768]),
  model("local", "echo", "Echo (offline)", [0, undefined, 0], [32_768, 32_768]),
  model("local", "lorem", "Lorem ipsum (offline)", [0, undefined, 0], [32_768, 32_768]),
];

const MODELS_BY_ID = new Map(MODELS.map((entry) => [entry.id, entry]));

export const findModel = (id: string) => MODELS_BY_ID.get(id);

const variable = (env: Bindings, name: string | undefined) => {
  const value = name ? env[name] : undefined;
  return typeof value === "string" && value !== "" ? value : undefined;
};

/** Where and how to reach a provider, or undefined when it is not configured. */
export function providerSettings(entry: ProviderEntry, env: Bindings) {
  const apiKey = variable(env, entry.keyVariable);
  const baseUrl = variable(env, entry.baseUrlVariable) ?? entry.defaultBaseUrl;
  const configured = entry.keyVariable ? apiKey !== undefined : baseUrl !== undefined;
  return configured ? { apiKey: apiKey ?? "none", baseUrl, maxTokensField: entry.maxTokensField } : undefined;
}

export const isAvailable = (entry: Pick<ModelEntry, "provider">, env: Bindings) =>
  entry.provider === "local" || providerSettings(PROVIDERS[entry.provider], env) !== undefined;

/**
 * The cost of one answer in US dollars, rounded to the database's 10 decimal places. Cached input
 * tokens are part of the input tokens and cost the cached price where the model has one.
 */
export function costOf(entry: ModelEntry, usage: { inputTokens: number; cachedInputTokens: number; outputTokens: number }) {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cachedPrice = entry.cachedInputPricePerMTok ?? entry.inputPricePerMTok;
  const microDollars =
    (usage.inputTokens - cached) * entry.inputPricePerMTok + cached * cachedPrice + usage.outputTokens * entry.outputPricePerMTok;
  return roundUsd(microDollars / 1_000_000);
}

/** Tokens a chat format adds per message (role, separators) and to prime the reply: more than any provider uses. */
const TOKENS_PER_MESSAGE = 8;
const TOKENS_PER_REQUEST = 8;

const utf8 = new TextEncoder();

/**
 * The most an answer can cost, in US dollars: an upper bound of the input tokens (a token is at
 * least one byte of UTF-8 for the byte-level tokenizers these models use, plus the chat format's
 * own tokens) at the full input price, and every output token the request allows.
 *
 * @example
 * const reserved = maxCostOf(findModel("gpt-4o")!, messages, 4096);
 */
export function maxCostOf(entry: ModelEntry, messages: readonly { content: string }[], maxOutputTokens: number) {
  let inputTokens = TOKENS_PER_REQUEST;
  for (const message of messages) inputTokens += utf8.encode(message.content).length + TOKENS_PER_MESSAGE;
  return (inputTokens * entry.inputPricePerMTok + maxOutputTokens * entry.outputPricePerMTok) / 1_000_000;
}
