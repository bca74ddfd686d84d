import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { verifyAccessToken } from "./tokens.ts";

const BEARER = /^Bearer ([\w-]+\.[\w-]+\.[\w-]*)$/i;

/**
 * Requires a valid access token and sets `c.var.user`. With `queryToken`, a `token` query
 * parameter is accepted too: `EventSource` cannot send headers. The token is never logged.
 *
 * @example
 * route.use(requireUser({ queryToken: true }))
 */
export const requireUser = (options: { queryToken?: boolean } = {}) =>
  createMiddleware<AppEnv>(async function requireUser(c, next) {
    const header = c.req.header("Authorization");
    const token = header ? BEARER.exec(header)?.[1] : options.queryToken ? c.req.query("token") : undefined;
    if (!token) {
      throw new AppError("UNAUTHENTICATED", 401, "a valid access token is required", {
        headers: { "WWW-Authenticate": 'Bearer realm="model-playground"' },
      });
    }
    c.set("user", { id: await verifyAccessToken(token, c.var.config.jwtSecret) });
    await next();
  });
