// Failures in OpenAI's words: `{ error: { message, type, param, code } }` with the status its SDKs
// turn into their own typed errors (BadRequestError, AuthenticationError, NotFoundError,
// RateLimitError, …). The rest of the API keeps the contract's own error shape.
import type { ErrorHandler, NotFoundHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { describeFailure, isDatabaseUnreachable } from "../db/errors.ts";
import { AppError, type ErrorCode } from "../http/errors.ts";

export class OpenAIError extends Error {
  override name = "OpenAIError";
  readonly status: ContentfulStatusCode;
  readonly type: string;
  readonly code: string | null;
  readonly param: string | null;
  readonly headers: Record<string, string>;

  constructor(status: ContentfulStatusCode, type: string, code: string | null, message: string, param: string | null = null, headers = {}) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.headers = headers;
  }
}

/** A model that `/v1/models` does not list: OpenAI's 404. */
export const modelNotFound = (id: string) =>
  new OpenAIError(404, "invalid_request_error", "model_not_found", `The model '${id}' does not exist or is not available here.`, "model");

/** `messages.0.content` as OpenAI writes it: `messages[0].content`. */
const paramOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>(
    (written, key) => (typeof key === "number" ? `${written}[${key}]` : written ? `${written}.${String(key)}` : String(key)),
    "",
  );

/** A request that breaks the schema, as the first thing wrong with it. */
export function invalidRequest(error: ZodError): OpenAIError {
  const issue = error.issues[0]!;
  const missing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
  const code = (issue as { params?: { openai?: string } }).params?.openai ?? (missing ? "missing_required_parameter" : "invalid_value");
  const param = paramOf(issue.path) || null;
  const message = missing ? `Missing required parameter: '${param}'.` : `${param ? `${param}: ` : ""}${issue.message}`;
  return new OpenAIError(400, "invalid_request_error", code, message, param);
}

/** How the contract's errors read in OpenAI's words. */
const TRANSLATED: Partial<Record<ErrorCode, { type: string; code: string | null }>> = {
  VALIDATION_FAILED: { type: "invalid_request_error", code: "invalid_value" },
  UNKNOWN_MODEL: { type: "invalid_request_error", code: "model_not_found" },
  NOT_FOUND: { type: "invalid_request_error", code: "not_found" },
  UNAUTHENTICATED: { type: "authentication_error", code: "invalid_api_key" },
  RATE_LIMITED: { type: "requests", code: "rate_limit_exceeded" },
  SPEND_LIMITED: { type: "insufficient_quota", code: "insufficient_quota" },
  PAYLOAD_TOO_LARGE: { type: "invalid_request_error", code: "request_too_large" },
  UNAVAILABLE: { type: "server_error", code: "service_unavailable" },
};

function translate(error: unknown): OpenAIError | undefined {
  if (error instanceof OpenAIError) return error;
  if (isDatabaseUnreachable(error))
    return new OpenAIError(503, "server_error", "service_unavailable", "the database cannot be reached, try again shortly");
  if (!(error instanceof AppError)) return undefined;
  const { type, code } = TRANSLATED[error.code] ?? { type: "server_error", code: null };
  // An unknown model is OpenAI's 404, whatever our 400 says.
  const status = error.code === "UNKNOWN_MODEL" ? 404 : error.status;
  return new OpenAIError(status, type, code, error.message, error.details[0]?.path || null, error.headers);
}

/** The `/v1` router's `onError`: anything unexpected is logged with the request id and is a bare 500. */
export const onOpenAIError: ErrorHandler = (error, c) => {
  const known = translate(error) ?? new OpenAIError(500, "server_error", null, "something went wrong on our side");
  if (known.status >= 500) console.error(`[${c.get("requestId")}] ${known.code ?? "internal"}: ${describeFailure(error)}`);
  const { message, type, param, code } = known;
  return c.json({ error: { message, type, param, code } }, known.status, known.headers);
};

export const onOpenAINotFound: NotFoundHandler = (c) =>
  c.json(
    { error: { message: `no route for ${c.req.method} ${c.req.path}`, type: "invalid_request_error", param: null, code: "not_found" } },
    404,
  );
