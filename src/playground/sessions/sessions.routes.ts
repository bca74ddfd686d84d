import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json } from "../../http/schemas.ts";
import { apiLimit } from "../../meter/policies.ts";
import { SessionDetailSchema, SessionIdParams, SessionListQuerySchema, SessionListSchema } from "./sessions.schemas.ts";

const tags = ["sessions"];

export const listSessions = createRoute({
  method: "get",
  path: "/playground/sessions",
  tags,
  summary: "The user's sessions, newest first",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { query: SessionListQuerySchema },
  responses: { 200: json(SessionListSchema, "A page of sessions"), ...errorResponses(400, 401, 429, 503) },
});

export const getSession = createRoute({
  method: "get",
  path: "/playground/sessions/{id}",
  tags,
  summary: "A session with its conversations, oldest first",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: SessionIdParams },
  responses: {
    200: json(SessionDetailSchema, "The session, its conversations oldest first, and its votes"),
    ...errorResponses(400, 401, 404, 429, 503),
  },
});

export const deleteSession = createRoute({
  method: "delete",
  path: "/playground/sessions/{id}",
  tags,
  summary: "Delete a session and its conversations",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: SessionIdParams },
  responses: { 204: { description: "Deleted" }, ...errorResponses(400, 401, 404, 429, 503) },
});

export type ListSessionsRoute = typeof listSessions;
export type GetSessionRoute = typeof getSession;
export type DeleteSessionRoute = typeof deleteSession;
