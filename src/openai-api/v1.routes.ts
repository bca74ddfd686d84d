import { createRoute, z } from "@hono/zod-openapi";
import { requireUser } from "../auth/auth.middleware.ts";
import { bearerSecurity, json, jsonBody } from "../http/schemas.ts";
import { keyFirstOnRefusal } from "../meter/api-keys.ts";
import { apiLimit } from "../meter/policies.ts";
import {
  ChatCompletionChunkSchema,
  ChatCompletionSchema,
  ChatRequestSchema,
  OpenAIErrorSchema,
  OpenAIModelListSchema,
  OpenAIModelSchema,
} from "./chat.schemas.ts";

const tags = ["openai"];

const ERRORS = {
  400: "invalid_request_error: invalid_value, unsupported_parameter or missing_required_parameter",
  401: "authentication_error / invalid_api_key",
  404: "model_not_found",
  429: "rate_limit_exceeded (the stream rate limit) or insufficient_quota (the spend limit), with Retry-After where waiting helps",
  502: "upstream_error: the model failed before its first chunk",
  503: "service_unavailable",
} as const;

/** Errors in OpenAI's shape, for a route's `responses`. */
const errors = <const S extends (keyof typeof ERRORS)[]>(...statuses: S) =>
  Object.fromEntries(statuses.map((status) => [status, json(OpenAIErrorSchema, ERRORS[status])])) as {
    [K in S[number]]: ReturnType<typeof json<typeof OpenAIErrorSchema>>;
  };

const modelParam = (name: string) =>
  z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name, in: "path" } });

export const listModels = createRoute({
  method: "get",
  path: "/v1/models",
  tags,
  summary: "The models that can answer now (OpenAI's list)",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  responses: { 200: json(OpenAIModelListSchema, "The models"), ...errors(401, 429, 503) },
});

export const getModel = createRoute({
  method: "get",
  path: "/v1/models/{id}",
  tags,
  summary: "One model",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: z.object({ id: modelParam("id") }) },
  responses: { 200: json(OpenAIModelSchema, "The model"), ...errors(401, 404, 429, 503) },
});

export const getOwnedModel = createRoute({
  method: "get",
  path: "/v1/models/{owner}/{model}",
  tags,
  summary: "One model whose id has a slash (GET /v1/models/local/echo)",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), apiLimit] as const,
  request: { params: z.object({ owner: modelParam("owner"), model: modelParam("model") }) },
  responses: { 200: json(OpenAIModelSchema, "The model"), ...errors(401, 404, 429, 503) },
});

export const chatCompletions = createRoute({
  method: "post",
  path: "/v1/chat/completions",
  tags,
  summary: "A chat completion, or with stream: true its chunks (OpenAI's API, over the playground's models, limits and history)",
  security: bearerSecurity,
  middleware: [requireUser({ apiKeys: true }), keyFirstOnRefusal] as const,
  request: { body: jsonBody(ChatRequestSchema) },
  responses: {
    200: {
      description: "The completion; with `stream: true`, `text/event-stream` of `data:` chunks and `data: [DONE]`",
      content: { "application/json": { schema: ChatCompletionSchema }, "text/event-stream": { schema: ChatCompletionChunkSchema } },
    },
    ...errors(400, 401, 404, 429, 502, 503),
  },
});

export type ListModelsRoute = typeof listModels;
export type GetModelRoute = typeof getModel;
export type GetOwnedModelRoute = typeof getOwnedModel;
export type ChatCompletionsRoute = typeof chatCompletions;
