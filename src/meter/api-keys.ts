// The Worker's side of the user's object for API keys: it keeps the hashes of the user's live keys
// and vouches for them (in the call that admits a stream or counts a request, or alone).
import { createMiddleware } from "hono/factory";
import type { AppEnv, Bindings } from "../env.ts";
import { AppError } from "../http/errors.ts";
import type { KeyRecord } from "./key-ring.ts";
import { keyRefused } from "./rate-limit.middleware.ts";
import { userMeterOf } from "./subjects.ts";

const unreachable = (what: string) => (error: unknown) => {
  console.error(`the user's meter cannot be reached to ${what}:`, error instanceof Error ? error.message : error);
  throw new AppError("UNAVAILABLE", 503, "the user's meter cannot be reached; try again shortly");
};

/** Keeps a new key's hash; false when the user has `max` live keys already (decided in one place, exactly). */
export const keepKey = (env: Bindings, userId: string, key: KeyRecord, max: number) =>
  userMeterOf(env, userId).addKey(key, max).catch(unreachable("keep a key"));

/** Forgets a key: from this answer on it works nowhere. */
export const forgetKey = (env: Bindings, userId: string, keyId: string) =>
  userMeterOf(env, userId).revokeKey(keyId).catch(unreachable("revoke a key"));

/** When each live key of the user was last used, to the minute, by key id. */
export async function keyLastUses(env: Bindings, userId: string): Promise<Map<string, number | null>> {
  const uses = await userMeterOf(env, userId).keyLastUses().catch(unreachable("read the keys' last uses"));
  return new Map(uses.map(({ keyId, lastUsedAt }) => [keyId, lastUsedAt]));
}

/** Whether a key is live, for a request that must read before its stream is admitted. */
export const vouchForKey = (env: Bindings, userId: string, hash: string) =>
  userMeterOf(env, userId).verifyKey(hash).catch(unreachable("vouch for a key"));

/**
 * For the routes whose key is vouched for only when the stream is admitted (the stream, and
 * /v1/chat/completions): a request refused before that (a 400, a 404) asks the user's object about
 * its API key first, so that a key that does not work is told so (401), as a bad access token is,
 * rather than have its request looked at. It costs a call on such refusals only, never on the way
 * to a first chunk.
 *
 * @example
 * middleware: [requireUser({ apiKeys: true }), keyFirstOnRefusal] as const
 */
export const keyFirstOnRefusal = createMiddleware<AppEnv>(async function keyFirstOnRefusal(c, next) {
  await next();
  const { apiKey, user } = c.var;
  if (!apiKey || (c.res.status !== 400 && c.res.status !== 404)) return;
  if (!(await vouchForKey(c.env, user.id, apiKey.hash))) throw keyRefused();
});
