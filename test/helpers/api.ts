// Talking to the Worker as a client would: through its fetch, with JSON in and out.
import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { testClient } from "hono/testing";
import { createApp } from "../../src/app.ts";

export const BASE = "http://playground.test";

export interface CallOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

/** One request to the Worker. */
export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("Authorization", `Bearer ${options.token}`);
  let body: string | undefined;
  if (options.body !== undefined) {
    headers.set("Content-Type", "application/json");
    body = typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  }
  return exports.default.fetch(new Request(`${BASE}${path}`, { method, headers, body }));
}

/**
 * The API as a typed client (hono's `testClient` over the app's type): paths, parameters and JSON
 * answers are checked by TypeScript. For JSON routes; streams go through `call` and the Worker's fetch.
 *
 * @example
 * const response = await api.playground.usage.$get({ query: {} }, bearer(token));
 */
export const api = testClient(createApp(), env);

/** The request options that carry a bearer token, for `api`. */
export const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

/** The JSON body of a response, typed loosely for assertions. */
// biome-ignore lint/suspicious/noExplicitAny: bodies are checked field by field
export const jsonOf = (response: Response): Promise<any> => response.json();

let counter = 0;
/** An email no other test uses. */
export const uniqueEmail = (label = "user") =>
  `${label}-${Date.now().toString(36)}-${counter++}-${crypto.randomUUID().slice(0, 8)}@example.com`;

export const PASSWORD = "correct horse battery";

export interface TestUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

/** Registers a new user and returns its tokens. */
export async function registerUser(overrides: { email?: string; password?: string; name?: string } = {}): Promise<TestUser> {
  const email = overrides.email ?? uniqueEmail();
  const password = overrides.password ?? PASSWORD;
  const response = await call("POST", "/auth/register", { body: { email, password, name: overrides.name ?? "Test User" } });
  if (response.status !== 201) throw new Error(`register failed: ${response.status} ${await response.text()}`);
  const result = await jsonOf(response);
  return { id: result.user.id, email, password, accessToken: result.accessToken, refreshToken: result.refreshToken };
}
