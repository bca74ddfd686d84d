// The OpenAI-compatible API as its clients use it: the `openai` SDK, pointed at the Worker with a key.
import { exports } from "cloudflare:workers";
import OpenAI from "openai";
import { expect } from "vitest";
import { BASE, call, jsonOf } from "./api.ts";

/** Makes an API key for the user of `accessToken`; returns the key (shown once) and its listing. */
export async function createApiKey(accessToken: string, body: { name: string; expiresInDays?: number } = { name: "test key" }) {
  const response = await call("POST", "/auth/api-keys", { token: accessToken, body });
  expect(response.status).toBe(201);
  return (await jsonOf(response)) as { key: string; apiKey: { id: string; name: string; prefix: string } };
}

/** The SDK with this key, through the Worker's own fetch; no retries, so each call is one request. */
export const openAIClient = (
  apiKey: string,
  fetch: typeof globalThis.fetch = (input, init) => exports.default.fetch(new Request(input, init)),
) => new OpenAI({ apiKey, baseURL: `${BASE}/v1`, maxRetries: 0, fetch });
