// Schemas shared by every router: the error body and the answers each route declares.
import { z } from "@hono/zod-openapi";

const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({ example: "VALIDATION_FAILED" }),
      message: z.string().openapi({ example: "prompt: must not be empty" }),
      details: z.array(z.object({ path: z.string(), message: z.string() })),
    }),
    requestId: z.string(),
  })
  .openapi("Error");

const ERROR_DESCRIPTIONS = {
  400: "The input breaks its schema",
  401: "No valid access token, or wrong credentials",
  404: "No such resource for this user",
  409: "It exists already: an account with this email, a vote on this turn",
  413: "The body is too large",
  429: "Over a rate or spend limit; Retry-After says when to come back",
  503: "The database or the rate limiter cannot be reached",
} as const;

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS;

/**
 * The error answers a route can give, for its `responses`.
 *
 * @example
 * responses: { 200: json(UserSchema, "The user"), ...errorResponses(401, 429) }
 */
export function errorResponses<const S extends ErrorStatus[]>(...statuses: S) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      { description: ERROR_DESCRIPTIONS[status], content: { "application/json": { schema: ErrorSchema } } },
    ]),
  ) as { [K in S[number]]: { description: string; content: { "application/json": { schema: typeof ErrorSchema } } } };
}

/** A JSON answer for a route's `responses`. */
export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

/** A JSON request body; `required` makes a missing or non-JSON body a validation error. */
export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  required: true,
  content: { "application/json": { schema } },
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL character is what this refuses
const STORABLE_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

/**
 * Text a request may send: no NUL character and no unpaired surrogate, which Postgres (and Neon's
 * proxy) cannot take, so a stream whose answer could not be kept is refused before it opens. The
 * rule is in the OpenAPI document as a pattern.
 *
 * @example
 * prompt: text().min(1, "must not be empty")
 */
export const text = () => z.string().regex(STORABLE_TEXT, "must not contain a NUL character or an unpaired surrogate");

/**
 * A whole number in a query string, written in decimal digits: never empty, no sign, exponent or
 * hex (`1e3`, `0x10` and `` are refused, where `Number` would read 1000, 16 and 0).
 *
 * @example
 * limit: wholeNumberQuery(z.number().int().min(1).max(100)).default(20)
 */
export const wholeNumberQuery = <T extends z.ZodType<number, number>>(range: T) =>
  z
    .string()
    .regex(/^\d{1,15}$/, "must be a whole number in decimal digits")
    .transform(Number)
    .pipe(range);

/** A decimal number in a query string: digits with an optional fraction (`0.7`), nothing else. */
export const decimalQuery = <T extends z.ZodType<number, number>>(range: T) =>
  z
    .string()
    .regex(/^\d{1,15}(\.\d{1,15})?$/, "must be a decimal number such as 0.7")
    .transform(Number)
    .pipe(range);

/** A boolean in a query string: `true` or `false`. */
export const booleanQuery = () => z.enum(["true", "false"], "must be true or false").transform((value) => value === "true");

/** What a route that needs a login declares: a bearer token (the scheme `app.ts` registers). */
export const bearerSecurity = [{ bearer: [] }];

/** An ISO date-time Postgres can hold and people mean: years 1 to 9999. */
export const moment = z.iso
  .datetime({ offset: true })
  .refine((value) => {
    const year = new Date(value).getUTCFullYear();
    return year >= 1 && year <= 9999;
  }, "must be between the years 1 and 9999")
  .openapi({ example: "2026-11-01T00:00:00Z" });
