import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json } from "../../http/schemas.ts";
import { apiLimit } from "../../meter/policies.ts";
import { UsageQuerySchema, UsageSchema } from "./usage.schemas.ts";

export const getUsage = createRoute({
  method: "get",
  path: "/playground/usage",
  tags: ["usage"],
  summary: "The user's tokens and cost, in all and per model, and the spend limit's state",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { query: UsageQuerySchema },
  responses: { 200: json(UsageSchema, "Usage"), ...errorResponses(400, 401, 429, 503) },
});

export type GetUsageRoute = typeof getUsage;
