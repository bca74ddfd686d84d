import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, errorResponses, json, jsonBody } from "../http/schemas.ts";
import { apiLimit, loginLimit, registerLimit } from "../meter/policies.ts";
import { requireUser } from "./auth.middleware.ts";
import { AuthResultSchema, LoginSchema, RefreshSchema, RegisterSchema, UserSchema } from "./auth.schemas.ts";

const tags = ["auth"];

export const register = createRoute({
  method: "post",
  path: "/auth/register",
  tags,
  summary: "Create an account and log in",
  middleware: [registerLimit] as const,
  request: { body: jsonBody(RegisterSchema) },
  responses: { 201: json(AuthResultSchema, "The new user, logged in"), ...errorResponses(400, 409, 413, 429, 503) },
});

export const login = createRoute({
  method: "post",
  path: "/auth/login",
  tags,
  summary: "Log in with email and password",
  middleware: [loginLimit] as const,
  request: { body: jsonBody(LoginSchema) },
  responses: { 200: json(AuthResultSchema, "Logged in"), ...errorResponses(400, 401, 413, 429, 503) },
});

export const profile = createRoute({
  method: "get",
  path: "/auth/profile",
  tags,
  summary: "The logged-in user",
  security: bearerSecurity,
  middleware: [requireUser(), apiLimit] as const,
  responses: { 200: json(z.object({ user: UserSchema }), "The user"), ...errorResponses(401, 429, 503) },
});

export const refresh = createRoute({
  method: "post",
  path: "/auth/refresh",
  tags,
  summary: "Trade a refresh token for new tokens; the old one stops working",
  request: { body: jsonBody(RefreshSchema) },
  responses: { 200: json(AuthResultSchema, "New tokens"), ...errorResponses(400, 401, 413, 503) },
});

export const logout = createRoute({
  method: "post",
  path: "/auth/logout",
  tags,
  summary: "End the login that a refresh token belongs to",
  request: { body: jsonBody(RefreshSchema) },
  responses: { 204: { description: "Logged out" }, ...errorResponses(400, 413, 503) },
});

export type RegisterRoute = typeof register;
export type LoginRoute = typeof login;
export type ProfileRoute = typeof profile;
export type RefreshRoute = typeof refresh;
export type LogoutRoute = typeof logout;
