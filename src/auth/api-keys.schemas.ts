import { z } from "@hono/zod-openapi";
import { text } from "../http/schemas.ts";

/** Live keys per user: more would be keys nobody keeps track of. */
export const MAX_LIVE_KEYS = 20;

export const ApiKeySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    prefix: z
      .string()
      .openapi({ description: "The key's first 12 characters (`mpk_` and 8 more): enough to recognise it", example: "mpk_Xb3k9QpL" }),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable().openapi({ description: "To the minute" }),
  })
  .openapi("ApiKey");

export const CreateApiKeySchema = z
  .object({
    name: text().trim().min(1, "must not be empty").max(64, "must be at most 64 characters").openapi({ example: "nightly evals" }),
    expiresInDays: z.number().int().min(1).max(365).optional().openapi({ description: "No expiry when absent" }),
  })
  .openapi("CreateApiKey");

export const CreatedApiKeySchema = z
  .object({
    apiKey: ApiKeySchema,
    key: z.string().openapi({ description: "The key itself, shown this once: only its SHA-256 is kept", example: "mpk_…" }),
  })
  .openapi("CreatedApiKey");

export const ApiKeyListSchema = z.object({ apiKeys: z.array(ApiKeySchema) }).openapi("ApiKeyList");

export const ApiKeyIdParams = z.object({ id: z.uuid("must be an API key id").openapi({ param: { name: "id", in: "path" } }) });
