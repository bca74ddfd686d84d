import type { AppRouteHandler } from "../http/router.ts";
import type { LoginRoute, LogoutRoute, ProfileRoute, RefreshRoute, RegisterRoute } from "./auth.routes.ts";
import * as auth from "./auth.service.ts";

export const register: AppRouteHandler<RegisterRoute> = async (c) =>
  c.json(await auth.register(c.var.db, c.var.config, c.req.valid("json")), 201);

export const login: AppRouteHandler<LoginRoute> = async (c) => c.json(await auth.login(c.var.db, c.var.config, c.req.valid("json")), 200);

export const profile: AppRouteHandler<ProfileRoute> = async (c) => c.json({ user: await auth.getUser(c.var.db, c.var.user.id) }, 200);

export const refresh: AppRouteHandler<RefreshRoute> = async (c) =>
  c.json(await auth.refresh(c.var.db, c.var.config, c.req.valid("json").refreshToken), 200);

export const logout: AppRouteHandler<LogoutRoute> = async (c) => {
  await auth.logout(c.var.db, c.req.valid("json").refreshToken);
  return c.body(null, 204);
};
