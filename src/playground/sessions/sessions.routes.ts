import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json } from "../../http/schemas.ts";
import { apiLimit } from "../../meter/policies.ts";
import { ExportQuerySchema, SessionDetailSchema, SessionIdParams, SessionListQuerySchema, SessionListSchema } from "./sessions.schemas.ts";

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

export const exportSession = createRoute({
  method: "get",
  path: "/playground/sessions/{id}/export",
  tags,
  summary: "The whole session as a file, Markdown or JSON",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: SessionIdParams, query: ExportQuerySchema },
  responses: {
    200: {
      description: "An attachment (Content-Disposition) named from the prompt",
      content: { "text/markdown": { schema: z.string() }, "application/json": { schema: SessionDetailSchema } },
    },
    ...errorResponses(400, 401, 404, 429, 503),
  },
});

export type ListSessionsRoute = typeof listSessions;
export type ExportSessionRoute = typeof exportSession;
export type GetSessionRoute = typeof getSession;
export type DeleteSessionRoute = typeof deleteSession;
