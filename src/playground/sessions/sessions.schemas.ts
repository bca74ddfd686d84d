import { z } from "@hono/zod-openapi";
import { conversationStatuses, sessionSources, sessionStatuses } from "../../db/schema.ts";
import { text, wholeNumberQuery } from "../../http/schemas.ts";

export const SessionIdParams = z.object({ id: z.uuid("must be a session id").openapi({ param: { name: "id", in: "path" } }) });

export const SessionListQuerySchema = z.object({
  source: z
    .enum(sessionSources)
    .optional()
    .openapi({ description: "Only the sessions asked from the playground, or only those through the OpenAI-compatible API" }),
  limit: wholeNumberQuery(z.number().int().min(1).max(100)).default(20),
  cursor: text().max(200).optional().openapi({ description: "`nextCursor` of the previous page: opaque, valid only as this API gave it" }),
});

const SessionSchema = z
  .object({
    id: z.uuid(),
    prompt: z.string(),
    models: z.array(z.string()).openapi({ description: "Every model the session used; a blind session's labels until its first vote" }),
    blind: z.boolean(),
    status: z.enum(sessionStatuses),
    source: z.enum(sessionSources).openapi({ description: "`api`: asked through the OpenAI-compatible API (/v1)" }),
    totalCost: z.number(),
    totalTokens: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
  })
  .openapi("Session");

const ConversationSchema = z
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

/** A vote as its session lists it. */
export const SessionVoteSchema = z
  .object({
    id: z.uuid(),
    turn: z.number().int(),
    winner: z.string().openapi({ description: "The winning model's id, or `tie` or `bothBad`" }),
    createdAt: z.iso.datetime(),
  })
  .openapi("SessionVote");

export const SessionListSchema = z.object({ sessions: z.array(SessionSchema), nextCursor: z.string().nullable() });

export const SessionDetailSchema = z.object({
  session: SessionSchema.extend({ conversations: z.array(ConversationSchema), votes: z.array(SessionVoteSchema) }),
});

export const ExportQuerySchema = z.object({
  format: z
    .enum(["markdown", "json"])
    .default("markdown")
    .openapi({ description: "`markdown`: for people (a GitHub issue); `json`: GET /playground/sessions/:id's answer" }),
});
