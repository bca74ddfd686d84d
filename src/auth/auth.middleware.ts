import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { verifyAccessToken, verifyStreamTicket } from "./tokens.ts";

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i;

const unauthenticated = () =>
  new AppError("UNAUTHENTICATED", 401, "a valid access token is required", {
    headers: { "WWW-Authenticate": 'Bearer realm="model-playground"' },
  });

/**
 * Requires a valid access token in the Authorization header and sets `c.var.user`. With
 * `fromQuery` (the GET stream, for `EventSource`, which cannot send headers), a `ticket` query
 * parameter is taken instead (a single-use stream ticket: `c.var.ticket` is set, and the user's
 * object checks it off when it admits the stream), or else a `token` (an access token in the URL:
 * kept for older clients, not recommended). Neither is ever logged.
 *
 * @example
 * middleware: [requireUser({ fromQuery: true })] as const
 */
export const requireUser = (options: { fromQuery?: boolean } = {}) =>
  createMiddleware<AppEnv>(async function requireUser(c, next) {
    const header = c.req.header("Authorization");
    if (header || !options.fromQuery) {
      const token = header ? BEARER.exec(header)?.[1] : undefined;
      if (!token) throw unauthenticated();
      c.set("user", { id: await verifyAccessToken(token, c.var.config.jwtSecret) });
    } else await fromQuery(c);
    await next();
  });

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
