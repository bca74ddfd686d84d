// The contract's error type and the one place that turns any failure into its JSON answer.
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { type AppEnv, ConfigError } from "../env.ts";

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

export const unavailable = () => new AppError("UNAVAILABLE", 503, "the database cannot be reached, try again shortly");

/** The error body of the contract: `{ error: { code, message, details }, requestId }`. */
export function errorBody(c: Context<AppEnv>, error: AppError) {
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

/**
 * The database driver's code for a failed statement (`23505` for a unique violation), looking
 * through drizzle's wrapper to the driver's error.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/**
 * True when the database could not be reached or did not answer in time (the driver keeps the
 * fetch's failure as `sourceError`), or its proxy failed, as opposed to a bad query.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause.name !== "NeonDbError") continue;
    if ((cause as { sourceError?: unknown }).sourceError || /^Server error \(HTTP status 5\d\d\)/.test(cause.message)) return true;
  }
  return false;
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

/** What kind of failure it was, for a log line: the innermost error's name and any SQL state, never a message (which may quote values). */
export function failureOf(error: unknown): string {
  let root = error;
  while (root instanceof Error && root.cause instanceof Error) root = root.cause;
  const code = sqlStateOf(error);
  return `${root instanceof Error ? root.name : typeof root}${code ? ` ${code}` : ""}`;
}

/** Logs what went wrong without the SQL parameters, tokens or bodies a wrapped error may carry. */
function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  const root = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (!(root instanceof Error)) return String(root);
  const code = sqlStateOf(root);
  return `${root.name}${code ? ` ${code}` : ""}: ${root.message.split("\n")[0]}`;
}

/** The app's `onError`: every thrown failure becomes the contract's JSON; nothing internal leaks. */
export const onError: ErrorHandler = (error, c) => {
  const known = toAppError(error);
  if (known) {
    if (known.status >= 500) console.error(`[${c.get("requestId")}] ${known.code}: ${describe(error)}`);
    return c.json(errorBody(c, known), known.status, known.headers);
  }
  console.error(`[${c.get("requestId")}] unexpected ${describe(error)}`);
  return c.json(errorBody(c, new AppError("INTERNAL", 500, "something went wrong on our side")), 500);
};

export const onNotFound: NotFoundHandler = (c) =>
  c.json(errorBody(c, new AppError("NOT_FOUND", 404, `no route for ${c.req.method} ${c.req.path}`)), 404);
