import { z } from "@hono/zod-openapi";

export const ModelSchema = z
  .object({
    id: z.string().openapi({ example: "gpt-4o-mini" }),
    provider: z.string().openapi({ example: "openai" }),
    label: z.string(),
    inputPricePerMTok: z.number().openapi({ description: "US dollars per million input tokens" }),
    cachedInputPricePerMTok: z.number().optional(),
    outputPricePerMTok: z.number(),
    contextWindow: z.number().int(),
    maxOutputTokens: z
      .number()
      .int()
      .openapi({ description: "The most output tokens one answer can have; a request's maxTokens is lowered to it" }),
    available: z.boolean().openapi({ description: "False where the provider's key is not set on the server" }),
  })
  .openapi("Model");
