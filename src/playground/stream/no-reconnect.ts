import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../../env.ts";

/**
 * Answers 204 to a request carrying Last-Event-ID. A browser's EventSource reconnects by itself
 * when a stream ends; streams are not resumable, so a reconnect must not start a new session, and
 * 204 tells the browser to stop. Runs before auth and limits: it costs nothing.
 *
 * @example
 * middleware: [noReconnect, requireUser()] as const
 */
export const noReconnect = createMiddleware<AppEnv>(async function noReconnect(c, next) {
  if (c.req.header("Last-Event-ID") !== undefined) return c.body(null, 204);
  await next();
});
