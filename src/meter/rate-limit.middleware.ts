import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Config } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { RateLimitHeaders, rateLimited } from "./rate-limit-answers.ts";
import type { UserMeter } from "./user-meter.ts";

export interface RateLimitPolicy {
  /** Names the policy in the RateLimit headers and in the limiter's storage. */
  name: string;
  /** What the request is counted as, e.g. "stream requests", for the 429 message. */
  counts: string;
  limits: (config: Config) => { limit: number; windowSeconds: number };
  /** The subject counted (`user:<id>`, `ip:<address>`); undefined skips the policy for this request. */
  subject: (c: Context<AppEnv>) => string | undefined | Promise<string | undefined>;
  /** With no limiter to ask, refuse (503) rather than run unmetered: for spend and password guessing. */
  failClosed: boolean;
  /** The subject is the signed-in user, whose object vouches for the request's API key in the same call. */
  vouchesForKey?: boolean;
}

/**
 * Applies rate limit policies to a route, in order. Every answer carries `RateLimit-Policy` and
 * `RateLimit` (IETF httpapi draft); a refusal is a 429 with `Retry-After`, and gives back what the
 * earlier policies counted, so a refused request uses no quota.
 *
 * @example
 * middleware: [requireUser(), rateLimit(streamPolicy)]
 */
export const rateLimit = (...policies: RateLimitPolicy[]) =>
  createMiddleware<AppEnv>(async function rateLimit(c, next) {
    const counted: { stub: DurableObjectStub<UserMeter>; hitId: number }[] = [];
    const headers = new RateLimitHeaders();
    const giveBack = () => Promise.allSettled(counted.map(({ stub, hitId }) => stub.giveBack(hitId)));
    const timing = serverTiming();

    for (const policy of policies) {
      const subject = await policy.subject(c);
      if (!subject) continue;
      const { windowSeconds } = policy.limits(c.var.config);
      const stub = c.env.USER_METER.getByName(subject);
      const decision = await ask(c, policy, stub).catch(async (error: unknown) => {
        await giveBack();
        throw error;
      });
      if (decision === undefined) continue;
      headers.add(policy.name, windowSeconds, decision);
      if (!decision.allowed) {
        await giveBack();
        throw rateLimited(policy.counts, windowSeconds, decision, { ...headers.toHeaders(), "Server-Timing": timing() });
      }
      if (decision.hitId !== null) counted.push({ stub, hitId: decision.hitId });
    }
    if (!headers.empty) {
      for (const [name, value] of Object.entries(headers.toHeaders())) c.header(name, value);
      c.header("Server-Timing", timing(), { append: true });
    }
    await next();
  });

/**
 * One policy's decision, with the request's API key vouched for when the policy's subject is its
 * user; undefined when the limiter cannot be reached and the policy runs unmetered then. A request
 * with an API key never runs unvouched: it is refused (503) instead.
 */
async function ask(c: Context<AppEnv>, policy: RateLimitPolicy, stub: DurableObjectStub<UserMeter>) {
  const { limit, windowSeconds } = policy.limits(c.var.config);
  const keyHash = policy.vouchesForKey ? c.var.apiKey?.hash : undefined;
  let answer: Awaited<ReturnType<UserMeter["take"]>>;
  try {
    answer = await stub.take(policy.name, limit, windowSeconds, keyHash);
  } catch (error) {
    console.error(`[${c.var.requestId}] rate limiter unreachable for ${policy.name}:`, error instanceof Error ? error.message : error);
    if (policy.failClosed || keyHash !== undefined) throw limiterUnreachable();
    return undefined;
  }
  if (answer === "key refused") throw keyRefused();
  return answer;
}

/** What the limiter added to a request, as a `Server-Timing` entry, for clients and the benchmark. */
export function serverTiming() {
  const started = performance.now();
  return () => `ratelimit;dur=${(performance.now() - started).toFixed(2)}`;
}

export const limiterUnreachable = () => new AppError("UNAVAILABLE", 503, "the rate limiter cannot be reached; try again shortly");

/** An API key that is not live (unknown, revoked or expired). */
export const keyRefused = () =>
  new AppError("UNAUTHENTICATED", 401, "this API key is unknown, revoked or expired", {
    headers: { "WWW-Authenticate": 'Bearer realm="model-playground"' },
  });
