import { createRoute } from "@hono/zod-openapi";
import { requireUser } from "../../auth/auth.middleware.ts";
import { bearerSecurity, errorResponses, json } from "../../http/schemas.ts";
import { apiLimit } from "../../meter/policies.ts";
import { StatsQuerySchema, StatsSchema } from "./stats.schemas.ts";

export const getStats = createRoute({
  method: "get",
  path: "/playground/stats",
  tags: ["stats"],
  summary: "Each model's speed, reliability and cost per answer, over the last days: yours or everyone's",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { query: StatsQuerySchema },
  responses: { 200: json(StatsSchema, "Per model, most answers first"), ...errorResponses(400, 401, 429, 503) },
});

export type GetStatsRoute = typeof getStats;
