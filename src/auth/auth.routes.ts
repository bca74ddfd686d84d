import { createRoute, z } from "@hono/zod-openapi";
import { errorResponses, json, jsonBody } from "../http/schemas.ts";
import { apiLimit, loginLimit, registerLimit } from "../ratelimit/policies.ts";
import { requireUser } from "./auth.middleware.ts";

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("User");

const AuthResultSchema = z
  .object({
    user: UserSchema,
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires" }),
  })
  .openapi("AuthResult");

const email = z.string().trim().max(254).pipe(z.email("must be an email address"));
const password = z.string().min(8, "must be at least 8 characters").max(128, "must be at most 128 characters");

const RegisterSchema = z.object({ email, password, name: z.string().trim().min(1).max(100).optional() }).openapi("Register");
const LoginSchema = z.object({ email, password: z.string().min(1).max(128) }).openapi("Login");
const RefreshSchema = z.object({ refreshToken: z.string().min(1).max(200) }).openapi("RefreshToken");

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
  security: [{ bearer: [] }],
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
