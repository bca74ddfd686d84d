// The events of the stream, as API.md's table lists them: one schema for the docs and the types.
import { z } from "@hono/zod-openapi";
import { PROVIDER_ERROR_CODES } from "../providers/index.ts";

const model = z.string().openapi({ example: "gpt-4o-mini" });

export const StreamEventSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("session"), sessionId: z.uuid() }),
    z.object({ type: z.literal("status"), model, status: z.enum(["streaming", "completed", "error", "cancelled"]) }),
    z.object({ type: z.literal("chunk"), model, content: z.string(), timestamp: z.number().int() }),
    z.object({
      type: z.literal("metrics"),
      model,
      inputTokens: z.number().int(),
      outputTokens: z.number().int(),
      tokensUsed: z.number().int(),
      estimated: z.boolean(),
      cost: z.number(),
      responseTime: z.number().int(),
      timeToFirstToken: z.number().int().nullable(),
    }),
    z.object({
      type: z.literal("error"),
      model,
      code: z.enum(PROVIDER_ERROR_CODES),
      message: z.string(),
    }),
    z.object({
      type: z.literal("done"),
      sessionId: z.uuid(),
      totalTokens: z.number().int(),
      totalCost: z.number(),
      stored: z.enum(["database", "queued"]).openapi({
        description: "`queued` when the database could not take the turn: the user's Durable Object writes it once it can",
      }),
    }),
  ])
  .openapi("StreamEvent", {
    description: "The JSON in each event's `data:` line; every event also has an `id:` line with its sequence number.",
  });

export type StreamEvent = z.infer<typeof StreamEventSchema>;
export type ModelStatus = Extract<StreamEvent, { type: "status" }>["status"];
