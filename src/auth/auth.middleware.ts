import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { keyRefused } from "../meter/rate-limit.middleware.ts";
import { isApiKey, readApiKey } from "./api-key.ts";
import { verifyAccessToken, verifyStreamTicket } from "./tokens.ts";

const BEARER = /^Bearer ([\w.-]+)$/i;
const JWT = /^[\w-]+\.[\w-]+\.[\w-]*$/;

const unauthenticated = (message = "a valid access token is required") =>
  new AppError("UNAUTHENTICATED", 401, message, { headers: { "WWW-Authenticate": 'Bearer realm="model-playground"' } });

/**
 * Requires a valid access token in the Authorization header and sets `c.var.user`.
 *
 * With `apiKeys`, an API key (`Bearer mpk_…`) is taken too: it names its user, and its hash is set
 * as `c.var.apiKey` for the user's object to vouch for in the call the route makes to it anyway
 * (the rate limit, or a stream's admission); this middleware does not decide whether it is live.
 * Without `apiKeys` (the `/auth/*` routes), a key is refused.
 *
 * With `fromQuery` (the GET stream, for `EventSource`, which cannot send headers), a `ticket` query
 * parameter is taken instead of a header (a single-use stream ticket: `c.var.ticket` is set, and the
 * user's object checks it off when it admits the stream), or else a `token` (an access token in the
 * URL: kept for older clients, not recommended). Neither is ever logged.
 *
 * @example
 * middleware: [requireUser({ apiKeys: true, fromQuery: true })] as const
 */
export const requireUser = (options: { apiKeys?: boolean; fromQuery?: boolean } = {}) =>
  createMiddleware<AppEnv>(async function requireUser(c, next) {
    const header = c.req.header("Authorization");
    if (header || !options.fromQuery) await fromHeader(c, header, options.apiKeys === true);
    else await fromQuery(c);
    await next();
  });

async function fromHeader(c: Context<AppEnv>, header: string | undefined, apiKeys: boolean) {
  const credential = header ? BEARER.exec(header)?.[1] : undefined;
  if (credential && isApiKey(credential)) {
    if (!apiKeys) throw unauthenticated("an API key works on /v1 and /playground only: this route takes an access token");
    const key = await readApiKey(credential);
    if (!key) throw keyRefused();
    c.set("user", { id: key.userId });
    c.set("apiKey", { hash: key.hash });
    return;
  }
  if (!credential || !JWT.test(credential)) throw unauthenticated();
  c.set("user", { id: await verifyAccessToken(credential, c.var.config.jwtSecret) });
}

async function fromQuery(c: Context<AppEnv>) {
  const ticket = c.req.query("ticket");
  if (ticket !== undefined) {
    const verified = await verifyStreamTicket(ticket, c.var.config.jwtSecret);
    c.set("user", { id: verified.userId });
    c.set("ticket", verified.ticket);
    return;
  }
  const token = c.req.query("token");
  if (!token) throw unauthenticated();
  c.set("user", { id: await verifyAccessToken(token, c.var.config.jwtSecret) });
}
