// An OpenAI request as the playground's turn: one model, its messages as the client sent them, one
// conversation in a session of its own (`source: "api"`). Pure, like the playground's plan.

import type { TurnPlan } from "../playground/stream/turn-plan.ts";
import { type ChatMessage, findModel, type ModelEntry, maxCostOf, type SamplingOptions } from "../providers/index.ts";
import type { ChatRequest } from "./chat.schemas.ts";
import { modelNotFound, OpenAIError } from "./openai-errors.ts";

type Message = ChatRequest["messages"][number];

/** A message's text: a string, or its text parts joined (other parts are refused by the schema). */
const textOf = (content: Message["content"]) =>
  typeof content === "string" ? content : (content ?? []).map((part) => ("text" in part ? String(part.text) : "")).join("");

/** The messages as the upstream takes them: `developer` (OpenAI's newer name for system) as `system`. */
const upstreamMessages = (messages: Message[]): ChatMessage[] =>
  messages.map(({ role, content }) => ({ role: role === "developer" ? "system" : role, content: textOf(content) }));

export interface ChatPlanInput {
  request: ChatRequest;
  userId: string;
  sessionId: string;
  startedAt: Date;
  defaultMaxTokens: number;
  /** Whether a model can answer now (its provider is configured). */
  isAvailable: (model: ModelEntry) => boolean;
}

/**
 * The turn an OpenAI request asks for, or the OpenAI error it deserves: a model that is not listed
 * by `/v1/models` is a 404, as OpenAI's is.
 *
 * @example
 * const plan = planChat({ request, userId, sessionId: crypto.randomUUID(), startedAt: new Date(), defaultMaxTokens: 4096, isAvailable });
 */
export function planChat({ request, userId, sessionId, startedAt, defaultMaxTokens, isAvailable }: ChatPlanInput): TurnPlan {
  const model = findModel(request.model);
  if (!model || !isAvailable(model)) throw modelNotFound(request.model);
  const lastUser = request.messages.findLast((message) => message.role === "user");
  if (!lastUser) throw new OpenAIError(400, "invalid_request_error", "invalid_value", "messages: must hold a user message", "messages");
  const prompt = textOf(lastUser.content);
  const system = request.messages
    .filter((message) => message.role === "system" || message.role === "developer")
    .map((message) => textOf(message.content));
  const messages = upstreamMessages(request.messages);
  const maxTokens = Math.min(request.max_completion_tokens ?? request.max_tokens ?? defaultMaxTokens, model.maxOutputTokens);
  return {
    session: { id: sessionId, userId, prompt, models: [model.id], blindModels: null, source: "api", createdAt: startedAt.toISOString() },
    models: [{ model, name: model.id, anonymous: false, messages, maxTokens, sampling: samplingOf(request) }],
    turn: { prompt, system: system.length > 0 ? system.join("\n\n") : null, temperature: request.temperature ?? null, startedAt },
    maxCostUsd: maxCostOf(model, messages, maxTokens),
  };
}

/** The sampling settings the request gives; the provider leaves out those it does not. */
const samplingOf = (request: ChatRequest): SamplingOptions => ({
  topP: request.top_p ?? undefined,
  stop: request.stop ?? undefined,
  seed: request.seed ?? undefined,
  presencePenalty: request.presence_penalty ?? undefined,
  frequencyPenalty: request.frequency_penalty ?? undefined,
  user: request.user ?? undefined,
});
