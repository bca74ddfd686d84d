// Which requests are limited, per what, and how they fail when the limiter cannot be reached.
import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import { sha256Hex } from "../sha256.ts";
import { type RateLimitPolicy, rateLimit } from "./rate-limit.middleware.ts";
import { userSubject } from "./subjects.ts";

const user = (c: Context<AppEnv>) => userSubject(c.var.user.id);
const clientAddress = (c: Context<AppEnv>) => `ip:${c.req.header("CF-Connecting-IP") ?? "unknown"}`;

/** The login's email, hashed so that no address is kept in the limiter. */
async function loginEmail(c: Context<AppEnv>) {
  const body = await c.req.json<{ email?: unknown }>().catch(() => undefined);
  if (typeof body?.email !== "string") return undefined;
  return `email:${await sha256Hex(body.email.trim().toLowerCase())}`;
}

const auth: RateLimitPolicy = {
  name: "auth",
  counts: "login and register attempts from this address",
  limits: (config) => config.limits.auth,
  subject: clientAddress,
  failClosed: true,
};
const loginPerEmail: RateLimitPolicy = {
  name: "login-email",
  counts: "login attempts for this account",
  limits: (config) => config.limits.loginEmail,
  subject: loginEmail,
  failClosed: true,
};
const api: RateLimitPolicy = {
  name: "api",
  counts: "requests",
  limits: (config) => config.limits.api,
  subject: user,
  failClosed: false,
  vouchesForKey: true,
};

const publicReads: RateLimitPolicy = {
  name: "public",
  counts: "requests from this address",
  limits: (config) => config.limits.api,
  subject: clientAddress,
  failClosed: false,
};

/** Register, per client address. */
export const registerLimit = rateLimit(auth);
/** Login, per client address and per email, so that password guessing stops. */
export const loginLimit = rateLimit(auth, loginPerEmail);
/** Every other authenticated route, per user, generously. */
export const apiLimit = rateLimit(api);
/** A route anyone may read without a login (a shared session), per client address. */
export const publicLimit = rateLimit(publicReads);
