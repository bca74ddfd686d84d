import type { AppRouteHandler } from "../../http/router.ts";
import type { GetStatsRoute } from "./stats.routes.ts";
import { modelStats } from "./stats.service.ts";

export const getStats: AppRouteHandler<GetStatsRoute> = async (c) =>
  c.json(await modelStats(c.var.db, c.var.user.id, c.req.valid("query")), 200);
