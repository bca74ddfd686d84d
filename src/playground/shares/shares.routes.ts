import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json } from "../../http/schemas.ts";
import { apiLimit, publicLimit } from "../../meter/policies.ts";
import { SessionIdParams } from "../sessions/sessions.schemas.ts";
import { SharedSessionSchema, ShareSchema, ShareTokenParams } from "./shares.schemas.ts";

const tags = ["sharing"];

export const shareSession = createRoute({
  method: "post",
  path: "/playground/sessions/{id}/share",
  tags,
  summary: "Share a session by link; sharing it again gives the same link",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: SessionIdParams },
  responses: {
    201: json(ShareSchema, "Shared now"),
    200: json(ShareSchema, "Shared already: the same link"),
    ...errorResponses(400, 401, 404, 429, 503),
  },
});

export const withdrawShare = createRoute({
  method: "delete",
  path: "/playground/sessions/{id}/share",
  tags,
  summary: "Stop sharing a session: its link stops working at once",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: SessionIdParams },
  responses: { 204: { description: "Withdrawn" }, ...errorResponses(400, 401, 404, 429, 503) },
});

export const readShared = createRoute({
  method: "get",
  path: "/playground/shared/{token}",
  tags,
  summary: "A shared session, for whoever holds its link: no login",
  middleware: [publicLimit] as const,
  request: { params: ShareTokenParams },
  responses: {
    200: json(SharedSessionSchema, "The session, read-only; answered with Cache-Control: private, no-store"),
    ...errorResponses(404, 429, 503),
  },
});

export type ShareSessionRoute = typeof shareSession;
export type WithdrawShareRoute = typeof withdrawShare;
export type ReadSharedRoute = typeof readShared;
