import { createRoute } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, json, jsonBody } from "../http/schemas.ts";
import { apiLimit } from "../meter/policies.ts";
import { ApiKeyIdParams, ApiKeyListSchema, CreateApiKeySchema, CreatedApiKeySchema } from "./api-keys.schemas.ts";
import { requireUser } from "./auth.middleware.ts";

// Managed with an access token only: a key cannot make, list or revoke keys.
const tags = ["api keys"];

export const createApiKey = createRoute({
  method: "post",
  path: "/auth/api-keys",
  tags,
  summary: "Make an API key, for /v1 and /playground; the key is shown this once",
  security: bearerSecurity,
  middleware: [requireUser(), apiLimit] as const,
  request: { body: jsonBody(CreateApiKeySchema) },
  responses: { 201: json(CreatedApiKeySchema, "The key, and what its listing shows"), ...errorResponses(400, 401, 413, 429, 503) },
});

export const listApiKeys = createRoute({
  method: "get",
  path: "/auth/api-keys",
  tags,
  summary: "The user's live API keys, newest first",
  security: bearerSecurity,
  middleware: [requireUser(), apiLimit] as const,
  responses: { 200: json(ApiKeyListSchema, "The keys, never the keys themselves"), ...errorResponses(401, 429, 503) },
});

export const revokeApiKey = createRoute({
  method: "delete",
  path: "/auth/api-keys/{id}",
  tags,
  summary: "Revoke an API key: it stops working at once",
  security: bearerSecurity,
  middleware: [requireUser(), apiLimit] as const,
  request: { params: ApiKeyIdParams },
  responses: { 204: { description: "Revoked" }, ...errorResponses(400, 401, 404, 429, 503) },
});

export type CreateApiKeyRoute = typeof createApiKey;
export type ListApiKeysRoute = typeof listApiKeys;
export type RevokeApiKeyRoute = typeof revokeApiKey;
