import { z } from "@hono/zod-openapi";
import { conversationStatuses, sessionStatuses } from "../db/schema.ts";

export const ModelSchema = z
  .object({
    id: z.string().openapi({ example: "gpt-4o-mini" }),
    provider: z.string().openapi({ example: "openai" }),
    label: z.string(),
    inputPricePerMTok: z.number().openapi({ description: "US dollars per million input tokens" }),
    cachedInputPricePerMTok: z.number().optional(),
    outputPricePerMTok: z.number(),
    contextWindow: z.number().int(),
    maxOutputTokens: z.number().int().openapi({ description: "The most output tokens one answer can have; DEFAULT_MAX_TOKENS is lowered to it" }),
    available: z.boolean().openapi({ description: "False where the provider's key is not set on the server" }),
  })
  .openapi("Model");

export const SessionSchema = z
  .object({
    id: z.uuid(),
    prompt: z.string(),
    models: z.array(z.string()),
    status: z.enum(sessionStatuses),
    totalCost: z.number(),
    totalTokens: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Session");

export const ConversationSchema = z
  .object({
    id: z.uuid(),
    modelName: z.string(),
    userPrompt: z.string(),
    response: z.string(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    cachedTokens: z.number().int(),
    reasoningTokens: z.number().int(),
    cost: z.number(),
    responseTime: z.number().int(),
    timeToFirstToken: z.number().int().nullable(),
    estimated: z.boolean(),
    status: z.enum(conversationStatuses),
    error: z.string().nullable(),
    system: z.string().nullable(),
    temperature: z.number().nullable(),
    maxTokens: z.number().int().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("Conversation");

const usageFigures = {
  requests: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cost: z.number(),
};

export const UsageSchema = z
  .object({
    totals: z.object(usageFigures),
    byModel: z.array(
      z.object({
        model: z.string(),
        ...usageFigures,
        avgResponseTime: z.number().int(),
        avgTimeToFirstToken: z.number().int().nullable(),
      }),
    ),
    spend: z
      .object({
        limitUsd: z.number().nullable().openapi({ description: "Null when the cap is off" }),
        usedUsd: z.number().openapi({ description: "Settled in the current window" }),
        reservedUsd: z.number().openapi({ description: "Held by streams still running" }),
        windowSeconds: z.number().int(),
        resetsAt: z.iso.datetime().nullable().openapi({ description: "When the oldest spend leaves the window" }),
      })
      .openapi({ description: "The spend limit's live state" }),
  })
  .openapi("Usage");

const MAX_MODELS = 6;
const MAX_PROMPT = 32_000;

const models = z
  .array(z.string().min(1).max(100))
  .min(1, "must name at least one model")
  .max(MAX_MODELS, `must name at most ${MAX_MODELS} models`)
  .refine((ids) => new Set(ids).size === ids.length, "must not name a model twice");

const streamFields = {
  prompt: z.string().min(1, "must not be empty").max(MAX_PROMPT, `must be at most ${MAX_PROMPT} characters`),
  sessionId: z.uuid("must be a session id").optional(),
  system: z.string().max(MAX_PROMPT, `must be at most ${MAX_PROMPT} characters`).optional(),
};

export const StreamBodySchema = z
  .object({
    ...streamFields,
    models,
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
  })
  .openapi("StreamRequest");

/** The same fields for `EventSource`: `models` comma-separated, numbers as text, `token` for auth. */
export const StreamQuerySchema = z.object({
  ...streamFields,
  models: z
    .string()
    .openapi({ example: "local/echo,gpt-4o-mini", description: "Comma-separated model ids" })
    .transform((value) => value.split(",").map((id) => id.trim()))
    .pipe(models),
  temperature: z.coerce.number().min(0).max(2).optional(),
  maxTokens: z.coerce.number().int().min(1).max(1_000_000).optional(),
  token: z.string().optional().openapi({ description: "The access token, for EventSource which cannot send headers" }),
});

export type StreamRequest = z.output<typeof StreamBodySchema>;
