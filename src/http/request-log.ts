import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";

/**
 * Logs one JSON line per request: id, method, path, status and time to the response's head. Only
 * the path is logged, never the query (it may carry an access token), a header or a body.
 *
 * @example
 * app.use(requestLog())
 */
export const requestLog = () =>
  createMiddleware<AppEnv>(async function requestLog(c, next) {
    const started = performance.now();
    await next();
    console.log(
      JSON.stringify({
        requestId: c.var.requestId,
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      }),
    );
  });
