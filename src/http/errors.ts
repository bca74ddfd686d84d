// The contract's error type and the one place that turns any failure into its JSON answer.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { describeFailure, isDatabaseUnreachable } from "../db/errors.ts";
import type { AppEnv } from "../env.ts";

export type ErrorCode =
  | "VALIDATION_FAILED"
  | "UNKNOWN_MODEL"
  | "UNAUTHENTICATED"
  | "INVALID_CREDENTIALS"
  | "NOT_FOUND"
  | "EMAIL_TAKEN"
  | "PAYLOAD_TOO_LARGE"
  | "RATE_LIMITED"
  | "SPEND_LIMITED"
  | "ALREADY_VOTED"
  | "INTERNAL"
  | "UNAVAILABLE";

export interface ErrorDetail {
  path: string;
  message: string;
}

/**
 * A failure the client should hear about, with the contract's code and status.
 *
 * @example
 * throw new AppError("NOT_FOUND", 404, "session not found");
 */
export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly details: ErrorDetail[];
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    status: ContentfulStatusCode,
    message: string,
    options: { details?: ErrorDetail[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.code = code;
    this.status = status;
    this.details = options.details ?? [];
    this.headers = options.headers ?? {};
  }
}

const unavailable = () => new AppError("UNAVAILABLE", 503, "the database cannot be reached, try again shortly");

/** The error body of the contract: `{ error: { code, message, details }, requestId }`. */
function errorBody(c: Context<AppEnv>, error: AppError) {
  return { error: { code: error.code, message: error.message, details: error.details }, requestId: c.get("requestId") };
}

/**
 * A value that passed its schema but not a rule only the service can check, as the schema's own
 * failures read.
 *
 * @example
 * throw invalidInput("turn", "the session has no turn 3");
 */
export const invalidInput = (path: string, message: string) =>
  new AppError("VALIDATION_FAILED", 400, `${path}: ${message}`, { details: [{ path, message }] });

export function validationError(error: ZodError): AppError {
  const details = error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
  const message = details.map((detail) => (detail.path ? `${detail.path}: ${detail.message}` : detail.message)).join("; ");
  return new AppError("VALIDATION_FAILED", 400, message, { details });
}

function toAppError(error: unknown): AppError | undefined {
  if (error instanceof AppError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new AppError("PAYLOAD_TOO_LARGE", 413, "the request body is too large");
    if (error.status === 400) return new AppError("VALIDATION_FAILED", 400, "the request body is not valid JSON");
    if (error.status === 415) {
      return new AppError("VALIDATION_FAILED", 400, "the request body must be JSON, sent with Content-Type: application/json");
    }
  }
  if (isDatabaseUnreachable(error)) return unavailable();
  return undefined;
}

/** The app's `onError`: every thrown failure becomes the contract's JSON; nothing internal leaks. */
export const onError: ErrorHandler = (error, c) => {
  const known = toAppError(error);
  if (known) {
    if (known.status >= 500) console.error(`[${c.get("requestId")}] ${known.code}: ${describeFailure(error)}`);
    return c.json(errorBody(c, known), known.status, known.headers);
  }
  console.error(`[${c.get("requestId")}] unexpected ${describeFailure(error)}`);
  return c.json(errorBody(c, new AppError("INTERNAL", 500, "something went wrong on our side")), 500);
};

export const onNotFound: NotFoundHandler = (c) =>
  c.json(errorBody(c, new AppError("NOT_FOUND", 404, `no route for ${c.req.method} ${c.req.path}`)), 404);
