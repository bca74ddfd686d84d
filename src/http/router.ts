import type { RouteConfig, RouteHandler } from "@hono/zod-openapi";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { validationError } from "./errors.ts";

/**
 * A router carrying the app's types, whose validation failures all become `VALIDATION_FAILED`.
 *
 * @example
 * export const authRouter = createRouter().openapi(register, registerHandler);
 */
export const createRouter = () =>
  new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.error);
    },
  });

/** A handler typed by its route. */
export type AppRouteHandler<R extends RouteConfig> = RouteHandler<R, AppEnv>;
