import { z } from "@hono/zod-openapi";
import { moment } from "../../http/schemas.ts";

const usageFigures = {
  requests: z.number().int(),
  inputTokens: z.number().int(),
  outputTokens: z.number().int(),
  cost: z.number(),
};

export const UsageQuerySchema = z
  .object({
    from: moment.optional().openapi({ description: "Counted from this instant; not after `to`" }),
    to: moment.optional().openapi({ description: "Counted before this instant; not before `from`" }),
  })
  .refine(({ from, to }) => !from || !to || Date.parse(from) <= Date.parse(to), { message: "must not be after to", path: ["from"] });

export const UsageSchema = z
  .object({
    totals: z.object(usageFigures),
    byModel: z.array(
      z.object({
        model: z.string(),
        ...usageFigures,
        avgResponseTime: z.number().int(),
        avgTimeToFirstToken: z.number().int().nullable(),
      }),
    ),
    spend: z
      .object({
        limitUsd: z.number().nullable().openapi({ description: "Null when the cap is off" }),
        usedUsd: z.number().openapi({ description: "Settled in the current window" }),
        reservedUsd: z.number().openapi({ description: "Held by streams still running" }),
        windowSeconds: z.number().int(),
        resetsAt: z.iso.datetime().nullable().openapi({ description: "When the oldest spend leaves the window" }),
      })
      .openapi({ description: "The spend limit's live state" }),
  })
  .openapi("Usage");
