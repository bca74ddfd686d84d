import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/auth.middleware.ts";
import { errorResponses, json, jsonBody } from "../http/schemas.ts";
import { apiLimit } from "../ratelimit/policies.ts";
import {
  ConversationSchema,
  LeaderboardSchema,
  ModelSchema,
  SessionSchema,
  SessionVoteSchema,
  StreamBodySchema,
  StreamQuerySchema,
  UsageSchema,
  VoteRequestSchema,
  VoteResultSchema,
} from "./playground.schemas.ts";
import { noReconnect } from "./stream.handlers.ts";
import { StreamEventSchema } from "./stream-events.ts";

const tags = ["playground"];

/** An ISO date-time Postgres can hold and people mean: years 1 to 9999. */
const moment = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, "must be between the years 1 and 9999")
  .openapi({ example: "2026-11-01T00:00:00Z" });
const security = [{ bearer: [] }];
const SessionIdParams = z.object({ id: z.uuid("must be a session id").openapi({ param: { name: "id", in: "path" } }) });

const eventStream = {
  description:
    "Server-Sent Events: `session` first, then `status`, `chunk`, `metrics` and `error` events of the models as they arrive, `done` last. " +
    "204 instead when the request carries Last-Event-ID: a finished stream is not started again.",
  content: { "text/event-stream": { schema: StreamEventSchema } },
};

export const streamGet = createRoute({
  method: "get",
  path: "/playground/stream",
  tags,
  summary: "Stream one prompt to several models (EventSource)",
  security,
  middleware: [noReconnect, requireUser({ queryToken: true })] as const,
  request: { query: StreamQuerySchema },
  responses: { 200: eventStream, 204: { description: "A reconnect: nothing to resume" }, ...errorResponses(400, 401, 404, 429, 503) },
});

export const streamPost = createRoute({
  method: "post",
  path: "/playground/stream",
  tags,
  summary: "Stream one prompt to several models (fetch)",
  security,
  middleware: [noReconnect, requireUser()] as const,
  request: { body: jsonBody(StreamBodySchema) },
  responses: { 200: eventStream, 204: { description: "A reconnect: nothing to resume" }, ...errorResponses(400, 401, 404, 413, 429, 503) },
});

export const listModels = createRoute({
  method: "get",
  path: "/playground/models",
  tags,
  summary: "The models that can be asked, with prices",
  responses: { 200: json(z.object({ models: z.array(ModelSchema) }), "The catalogue") },
});

export const listSessions = createRoute({
  method: "get",
  path: "/playground/sessions",
  tags,
  summary: "The user's sessions, newest first",
  security,
  middleware: [requireUser(), apiLimit] as const,
  request: {
    query: z.object({
      limit: z.coerce.number().int().min(1).max(100).default(20),
      cursor: z.string().max(200).optional().openapi({ description: "`nextCursor` of the previous page" }),
    }),
  },
  responses: {
    200: json(z.object({ sessions: z.array(SessionSchema), nextCursor: z.string().nullable() }), "A page of sessions"),
    ...errorResponses(400, 401, 429, 503),
  },
});

export const getSession = createRoute({
  method: "get",
  path: "/playground/sessions/{id}",
  tags,
  summary: "A session with its conversations, oldest first",
  security,
  middleware: [requireUser(), apiLimit] as const,
  request: { params: SessionIdParams },
  responses: {
    200: json(
      z.object({ session: SessionSchema.extend({ conversations: z.array(ConversationSchema), votes: z.array(SessionVoteSchema) }) }),
      "The session, its conversations oldest first, and its votes",
    ),
    ...errorResponses(400, 401, 404, 429, 503),
  },
});

export const deleteSession = createRoute({
  method: "delete",
  path: "/playground/sessions/{id}",
  tags,
  summary: "Delete a session and its conversations",
  security,
  middleware: [requireUser(), apiLimit] as const,
  request: { params: SessionIdParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 404, 429, 503) },
});

export const getUsage = createRoute({
  method: "get",
  path: "/playground/usage",
  tags,
  summary: "The user's tokens and cost, in all and per model, and the spend limit's state",
  security,
  middleware: [requireUser(), apiLimit] as const,
  request: {
    query: z
      .object({ from: moment.optional(), to: moment.optional() })
      .refine(({ from, to }) => !from || !to || Date.parse(from) <= Date.parse(to), { message: "must not be after to", path: ["from"] }),
  },
  responses: { 200: json(UsageSchema, "Usage"), ...errorResponses(400, 401, 429, 503) },
});

export const castVote = createRoute({
  method: "post",
  path: "/playground/sessions/{id}/votes",
  tags,
  summary: "Vote on a turn: which model answered best, a tie, or both bad; reveals a blind session",
  security,
  middleware: [requireUser(), apiLimit] as const,
  request: { params: SessionIdParams, body: jsonBody(VoteRequestSchema) },
  responses: {
    201: json(VoteResultSchema, "The vote, with the models the turn's labels name"),
    ...errorResponses(400, 401, 404, 409, 413, 429, 503),
  },
});

export const getLeaderboard = createRoute({
  method: "get",
  path: "/playground/leaderboard",
  tags,
  summary: "Bradley-Terry ratings of the models from the user's votes, or everyone's",
  security,
  middleware: [requireUser(), apiLimit] as const,
  request: { query: z.object({ scope: z.enum(["mine", "all"]).default("mine") }) },
  responses: { 200: json(LeaderboardSchema, "The models, best first"), ...errorResponses(400, 401, 429, 503) },
});

export type StreamGetRoute = typeof streamGet;
export type StreamPostRoute = typeof streamPost;
export type ListModelsRoute = typeof listModels;
export type ListSessionsRoute = typeof listSessions;
export type GetSessionRoute = typeof getSession;
export type DeleteSessionRoute = typeof deleteSession;
export type GetUsageRoute = typeof getUsage;
export type CastVoteRoute = typeof castVote;
export type GetLeaderboardRoute = typeof getLeaderboard;
