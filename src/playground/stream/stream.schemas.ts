// What the stream takes (the POST body, or the same fields as query parameters for EventSource)
// and what it sends: API.md's table of events, one schema for the docs and the types.
import { z } from "@hono/zod-openapi";
import { PROVIDER_ERROR_CODES } from "../../providers/index.ts";

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

const model = z.string().openapi({ example: "gpt-4o-mini" });

export const StreamEventSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("session"), sessionId: z.uuid() }),
    z.object({ type: z.literal("status"), model, status: z.enum(["streaming", "completed", "error", "cancelled"]) }),
    z.object({ type: z.literal("chunk"), model, content: z.string(), timestamp: z.number().int() }),
    z.object({
      type: z.literal("metrics"),
      model,
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      tokensUsed: z.number().int(),
      estimated: z.boolean(),
      cost: z.number(),
      responseTime: z.number().int(),
      timeToFirstToken: z.number().int().nullable(),
    }),
    z.object({
      type: z.literal("error"),
      model,
      code: z.enum(PROVIDER_ERROR_CODES),
      message: z.string(),
    }),
    z.object({
      type: z.literal("done"),
      sessionId: z.uuid(),
      totalTokens: z.number().int(),
      totalCost: z.number(),
      stored: z.enum(["database", "queued"]).openapi({
        description: "`queued` when the database could not take the turn: the user's Durable Object writes it once it can",
      }),
    }),
  ])
  .openapi("StreamEvent", {
    description: "The JSON in each event's `data:` line; every event also has an `id:` line with its sequence number.",
  });

export type StreamEvent = z.infer<typeof StreamEventSchema>;
