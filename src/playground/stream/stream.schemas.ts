// What the stream takes (the POST body, or the same fields as query parameters for EventSource)
// and what it sends: API.md's table of events, one schema for the docs and the types.
import { z } from "@hono/zod-openapi";
import { booleanQuery, decimalQuery, text, wholeNumberQuery } from "../../http/schemas.ts";
import { PROVIDER_ERROR_CODES } from "../../providers/index.ts";

const MAX_MODELS = 6;
const MAX_PROMPT = 32_000;

const models = z
  .array(text().min(1).max(100))
  .min(1, "must name at least one model")
  .max(MAX_MODELS, `must name at most ${MAX_MODELS} models`)
  .refine((ids) => new Set(ids).size === ids.length, "must not name a model twice")
  .openapi({ uniqueItems: true });

const streamFields = {
  prompt: text().min(1, "must not be empty").max(MAX_PROMPT, `must be at most ${MAX_PROMPT} characters`),
  sessionId: z.uuid("must be a session id").optional(),
  system: text().max(MAX_PROMPT, `must be at most ${MAX_PROMPT} characters`).optional(),
};

const blindDescription = {
  description:
    "Shuffle the models and name them model-a, model-b, … until the session's first vote. Chosen when a session starts, with 2 to 6 models; a continued blind session keeps its labels",
};
const temperature = z.number().min(0).max(2);
const maxTokens = z
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .openapi({ description: "The bound on each model's output, lowered to each model's own maximum" });

/** A blind session compares: it starts with two models at least. */
const blindNeedsTwo = (request: { blind?: boolean; models: string[]; sessionId?: string }) =>
  !request.blind || request.sessionId !== undefined || request.models.length >= 2;
const blindNeedsTwoIssue = { message: "a blind stream compares 2 to 6 models", path: ["models"] };

export const StreamBodySchema = z
  .object({
    ...streamFields,
    models,
    temperature: temperature.optional(),
    maxTokens: maxTokens.optional(),
    blind: z.boolean().optional().openapi(blindDescription),
  })
  .refine(blindNeedsTwo, blindNeedsTwoIssue)
  .openapi("StreamRequest");

/** The same fields for `EventSource`: `models` comma-separated, numbers and booleans as text, a `ticket` for auth. */
export const StreamQuerySchema = z
  .object({
    ...streamFields,
    models: z
      .string()
      .openapi({ example: "local/echo,gpt-4o-mini", description: "Comma-separated model ids" })
      .transform((value) => value.split(",").map((id) => id.trim()))
      .pipe(models),
    temperature: decimalQuery(temperature).optional(),
    maxTokens: wholeNumberQuery(maxTokens).optional(),
    blind: booleanQuery().optional().openapi(blindDescription),
    ticket: text().max(2000).optional().openapi({
      description: "A stream ticket (POST /playground/stream/tickets): one stream, within 60 seconds; how EventSource authenticates",
    }),
    token: text()
      .max(4000)
      .optional()
      .openapi({
        description: "The access token. Not recommended: a URL is kept in logs and history; use a ticket",
        param: { deprecated: true },
      }),
  })
  .refine(blindNeedsTwo, blindNeedsTwoIssue);

export type StreamRequest = z.output<typeof StreamBodySchema>;

export const TicketSchema = z
  .object({
    ticket: z.string().openapi({ description: "Good for one GET /playground/stream of this user" }),
    expiresIn: z.number().int().openapi({ description: "Seconds until it expires", example: 60 }),
  })
  .openapi("StreamTicket");

const model = z.string().openapi({ example: "gpt-4o-mini" });

/** Why a stream failed as a whole: its answers could not be kept. */
export const STREAM_ERROR_CODES = ["INTERNAL", "UNAUTHENTICATED", "UNAVAILABLE"] as const;
export type StreamErrorCode = (typeof STREAM_ERROR_CODES)[number];

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
    z
      .object({
        type: z.literal("error"),
        model: model.optional(),
        code: z.enum([...PROVIDER_ERROR_CODES, ...STREAM_ERROR_CODES]),
        message: z.string(),
      })
      .openapi({
        description:
          "With `model`: that model failed, the others go on. Without: the stream failed as a whole, its answers could not be kept " +
          "(INTERNAL: the database refused them; UNAUTHENTICATED: the account no longer exists; UNAVAILABLE: neither the database " +
          "nor the user's object could take them); it is the last event and no `done` follows",
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
