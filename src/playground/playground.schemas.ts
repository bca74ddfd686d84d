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
    maxOutputTokens: z
      .number()
      .int()
      .openapi({ description: "The most output tokens one answer can have; DEFAULT_MAX_TOKENS is lowered to it" }),
    available: z.boolean().openapi({ description: "False where the provider's key is not set on the server" }),
  })
  .openapi("Model");

export const SessionSchema = z
  .object({
    id: z.uuid(),
    prompt: z.string(),
    models: z.array(z.string()).openapi({ description: "Every model the session used; a blind session's labels until its first vote" }),
    blind: z.boolean(),
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
    modelName: z.string().openapi({ description: "The model's id; its label in a blind session until the first vote" }),
    turn: z.number().int().openapi({ description: "1 for the prompt that started the session, 2 for the first continuation, …" }),
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

export const VoteRequestSchema = z
  .object({
    winner: z.string().min(1).max(100).openapi({
      description: "A model of the turn (its id, or its label while the session is blind), `tie` or `bothBad`",
      example: "model-a",
    }),
    turn: z.number().int().min(1).optional().openapi({ description: "The latest turn when absent" }),
  })
  .openapi("VoteRequest");

const vote = {
  id: z.uuid(),
  turn: z.number().int(),
  winner: z.string().openapi({ description: "The winning model's id, or `tie` or `bothBad`" }),
  createdAt: z.iso.datetime(),
};

/** A vote as its session lists it. */
export const SessionVoteSchema = z.object(vote).openapi("SessionVote");

export const VoteResultSchema = z
  .object({
    vote: z.object({ ...vote, sessionId: z.uuid() }),
    models: z.record(z.string(), z.string()).openapi({
      description: "The turn's models: each label (a blind session) or id, and the model it names",
      example: { "model-a": "gpt-4o", "model-b": "gpt-4o-mini" },
    }),
  })
  .openapi("VoteResult");

export const LeaderboardSchema = z
  .object({
    models: z.array(
      z.object({
        model: z.string(),
        rating: z.number().openapi({ description: "Bradley-Terry strength on the Elo scale; 1000 is the average" }),
        ci95: z.tuple([z.number(), z.number()]).openapi({ description: "The 95% interval of the rating" }),
        wins: z.number().int(),
        losses: z.number().int(),
        ties: z.number().int(),
        votes: z.number().int().openapi({ description: "Votes on turns where the model completed its answer" }),
      }),
    ),
    totalVotes: z.number().int(),
    method: z.string(),
  })
  .openapi("Leaderboard");

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

const blindDescription = {
  description: "Shuffle the models and name them model-a, model-b, … until the session's first vote (2 to 6 models, when a session starts)",
};

/** A blind session compares: it starts with two models at least. */
const blindNeedsTwo = (request: { blind?: boolean; models: string[]; sessionId?: string }) =>
  !request.blind || request.sessionId !== undefined || request.models.length >= 2;
const blindNeedsTwoIssue = { message: "a blind stream compares 2 to 6 models", path: ["models"] };

export const StreamBodySchema = z
  .object({
    ...streamFields,
    models,
    temperature: z.number().min(0).max(2).optional(),
    maxTokens: z.number().int().min(1).max(1_000_000).optional(),
    blind: z.boolean().optional().openapi(blindDescription),
  })
  .refine(blindNeedsTwo, blindNeedsTwoIssue)
  .openapi("StreamRequest");

/** The same fields for `EventSource`: `models` comma-separated, numbers as text, `token` for auth. */
export const StreamQuerySchema = z
  .object({
    ...streamFields,
    models: z
      .string()
      .openapi({ example: "local/echo,gpt-4o-mini", description: "Comma-separated model ids" })
      .transform((value) => value.split(",").map((id) => id.trim()))
      .pipe(models),
    temperature: z.coerce.number().min(0).max(2).optional(),
    maxTokens: z.coerce.number().int().min(1).max(1_000_000).optional(),
    blind: z.stringbool().optional().openapi(blindDescription),
    token: z.string().optional().openapi({ description: "The access token, for EventSource which cannot send headers" }),
  })
  .refine(blindNeedsTwo, blindNeedsTwoIssue);

export type StreamRequest = z.output<typeof StreamBodySchema>;
