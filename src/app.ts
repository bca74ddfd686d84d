// Builds the app: middleware in the order a request meets it, the routers, the error mapping, docs.

import { swaggerUI } from "@hono/swagger-ui";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { createMiddleware } from "hono/factory";
import { requestId } from "hono/request-id";
import { secureHeaders } from "hono/secure-headers";
import { version } from "../package.json";
import { authRouter } from "./auth/auth.index.ts";
import { createDb } from "./db/client.ts";
import { type AppEnv, readConfig } from "./env.ts";
import { AppError, onError, onNotFound } from "./http/errors.ts";
import { requestLog } from "./http/request-log.ts";
import { createRouter } from "./http/router.ts";
import { json } from "./http/schemas.ts";
import { v1Router } from "./openai-api/v1.index.ts";
import { playgroundRouter } from "./playground/playground.index.ts";

/** Big enough for a 32,000-character prompt of 4-byte characters plus a system prompt. */
const MAX_BODY_BYTES = 256 * 1024;

const withConfig = createMiddleware<AppEnv>(async function withConfig(c, next) {
  c.set("config", readConfig(c.env));
  await next();
});

const withDb = createMiddleware<AppEnv>(async function withDb(c, next) {
  c.set("db", createDb(c.var.config.databaseUrl));
  await next();
});

const HealthSchema = z
  .object({ status: z.enum(["ok", "unavailable"]), database: z.enum(["ok", "down"]), version: z.string() })
  .openapi("Health");

const healthRoute = createRoute({
  method: "get",
  path: "/health",
  tags: ["service"],
  summary: "Whether the API and its database answer",
  responses: { 200: json(HealthSchema, "Up"), 503: json(HealthSchema, "The database cannot be reached") },
});

const health = createRouter().openapi(healthRoute, async (c) => {
  const database = await c.var.db
    .execute(sql`select 1`)
    .then(() => "ok" as const)
    .catch(() => "down" as const);
  return database === "ok"
    ? c.json({ status: "ok" as const, database, version }, 200)
    : c.json({ status: "unavailable" as const, database, version }, 503);
});

/** CORS for the configured origins, built once per configuration rather than once per request. */
const corsOf = new WeakMap<object, ReturnType<typeof cors>>();
const corsFor = createMiddleware<AppEnv>((c, next) => {
  let middleware = corsOf.get(c.var.config);
  if (!middleware) {
    middleware = cors({
      origin: c.var.config.corsOrigins,
      allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"],
      exposeHeaders: [
        "RateLimit",
        "RateLimit-Policy",
        "Retry-After",
        "Server-Timing",
        "X-Request-Id",
        "x-ratelimit-limit-requests",
        "x-ratelimit-remaining-requests",
        "x-ratelimit-reset-requests",
      ],
      maxAge: 600,
    });
    corsOf.set(c.var.config, middleware);
  }
  return middleware(c, next);
});

const limitBody = bodyLimit({
  maxSize: MAX_BODY_BYTES,
  onError: () => {
    throw new AppError("PAYLOAD_TOO_LARGE", 413, `the request body is over ${MAX_BODY_BYTES / 1024} KB`);
  },
});

/**
 * The app: middleware in the order a request meets it, then every router. Chained, so its type
 * carries every route (`AppType`, for typed clients such as hono's `testClient`).
 */
export function createApp() {
  const base = new OpenAPIHono<AppEnv>();
  base.use(requestId(), requestLog(), withConfig, corsFor, secureHeaders(), limitBody, withDb);
  const app = base.route("/", health).route("/", authRouter).route("/", playgroundRouter).route("/", v1Router);
  app.onError(onError);
  app.notFound(onNotFound);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", { type: "http", scheme: "bearer", bearerFormat: "JWT" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Model Playground API",
      version,
      description: "One prompt to several language models at once, their answers streamed side by side.",
    },
  });
  // Swagger UI's files are the Worker's static assets (public/docs-assets), so /api works offline.
  app.get("/api", swaggerUI({ url: "/openapi.json", baseUrl: "/docs-assets", title: "Model Playground API" }));
  return app;
}

/** Every route of the API with its inputs and answers, for typed clients. */
export type AppType = ReturnType<typeof createApp>;
