import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json, jsonBody } from "../../http/schemas.ts";
import { apiLimit } from "../../meter/policies.ts";
import { SessionIdParams } from "../sessions/sessions.schemas.ts";
import { LeaderboardQuerySchema, LeaderboardSchema, VoteRequestSchema, VoteResultSchema } from "./votes.schemas.ts";

const tags = ["votes"];

export const castVote = createRoute({
  method: "post",
  path: "/playground/sessions/{id}/votes",
  tags,
  summary: "Vote on a turn: which model answered best, a tie, or both bad; reveals a blind session",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
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
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { query: LeaderboardQuerySchema },
  responses: { 200: json(LeaderboardSchema, "The models, best first"), ...errorResponses(400, 401, 429, 503) },
});

export type CastVoteRoute = typeof castVote;
export type GetLeaderboardRoute = typeof getLeaderboard;
