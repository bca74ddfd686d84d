import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json, jsonBody } from "../../http/schemas.ts";
import { keyFirstOnRefusal } from "../../meter/api-keys.ts";
import { apiLimit } from "../../meter/policies.ts";
import { noReconnect } from "./no-reconnect.ts";
import { StreamBodySchema, StreamEventSchema, StreamQuerySchema, TicketSchema } from "./stream.schemas.ts";

const tags = ["stream"];

const eventStream = {
  description:
    "Server-Sent Events: `session` first, then `status`, `chunk`, `metrics` and `error` events of the models as they arrive, `done` last. " +
    "204 instead when the request carries Last-Event-ID: a finished stream is not started again.",
  content: { "text/event-stream": { schema: StreamEventSchema } },
};
const reconnect = { description: "A reconnect: nothing to resume" };

export const streamGet = createRoute({
  method: "get",
  path: "/playground/stream",
  tags,
  summary: "Stream one prompt to several models (EventSource)",
  security: bearerSecurity,
  middleware: [noReconnect, requireUser({ apiKeys: true, fromQuery: true }), keyFirstOnRefusal] as const,
  request: { query: StreamQuerySchema },
  responses: { 200: eventStream, 204: reconnect, ...errorResponses(400, 401, 404, 429, 503) },
});

export const streamPost = createRoute({
  method: "post",
  path: "/playground/stream",
  tags,
  summary: "Stream one prompt to several models (fetch)",
  security: bearerSecurity,
  middleware: [noReconnect, requireUser({ apiKeys: true }), keyFirstOnRefusal] as const,
  request: { body: jsonBody(StreamBodySchema) },
  responses: { 200: eventStream, 204: reconnect, ...errorResponses(400, 401, 404, 413, 429, 503) },
});

export const createTicket = createRoute({
  method: "post",
  path: "/playground/stream/tickets",
  tags,
  summary: "A ticket for one stream within 60 seconds: how EventSource authenticates, with no credential in the URL",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  responses: { 201: json(TicketSchema, "The ticket, for GET /playground/stream?ticket=…"), ...errorResponses(401, 429, 503) },
});

export type StreamGetRoute = typeof streamGet;
export type CreateTicketRoute = typeof createTicket;
export type StreamPostRoute = typeof streamPost;
