import { AppError } from "../../http/errors.ts";
import type { AppRouteHandler } from "../../http/router.ts";
import { spendOf } from "../../meter/stream-meter.ts";
import type { GetUsageRoute } from "./usage.routes.ts";
import { getUsage as usageOf } from "./usage.service.ts";

export const getUsage: AppRouteHandler<GetUsageRoute> = async (c) => {
  const { from, to } = c.req.valid("query");
  const range = { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
  const [usage, spend] = await Promise.all([
    usageOf(c.var.db, c.var.user.id, range),
    spendOf(c.env, c.var.config, c.var.user.id).catch((error: unknown) => {
      console.error(`[${c.var.requestId}] the spend meter cannot be reached:`, error instanceof Error ? error.message : error);
      throw new AppError("UNAVAILABLE", 503, "the spend meter cannot be reached; try again shortly");
    }),
  ]);
  return c.json({ ...usage, spend }, 200);
};
