import { z } from "@hono/zod-openapi";
import { wholeNumberQuery } from "../../http/schemas.ts";

export const StatsQuerySchema = z.object({
  scope: z.enum(["mine", "all"]).default("mine").openapi({ description: "`mine`: your answers; `all`: everyone's, as aggregates only" }),
  days: wholeNumberQuery(z.number().int().min(1).max(365)).default(30).openapi({ description: "The last this many days, 1 to 365" }),
});

const spread = (unit: string) => z.object({ p50: z.number().nullable(), p90: z.number().nullable() }).openapi({ description: unit });

export const StatsSchema = z
  .object({
    from: z.iso.datetime(),
    to: z.iso.datetime(),
    models: z.array(
      z.object({
        model: z.string(),
        answers: z.number().int(),
        completed: z.number().int(),
        errors: z.number().int(),
        cancelled: z.number().int(),
        errorRate: z.number().openapi({ description: "errors / answers" }),
        timeToFirstTokenMs: spread("Over completed answers, in ms"),
        outputTokensPerSecond: spread("Output tokens over the time from the first token to the end, over completed answers"),
        costPerAnswerUsd: z
          .object({ mean: z.number().nullable(), p90: z.number().nullable() })
          .openapi({ description: "Over completed answers, in US dollars" }),
      }),
    ),
  })
  .openapi("Stats");
