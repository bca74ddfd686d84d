import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv, Config } from "../env.ts";
import { AppError } from "../http/errors.ts";
import type { RateLimitDecision } from "./rate-limiter.ts";

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
}

/** `3600` as "hour", `900` as "15 minutes": for "50 per hour". */
function per(seconds: number) {
  for (const [unit, size] of [["day", 86_400], ["hour", 3_600], ["minute", 60]] as const) {
    if (seconds % size === 0) return seconds === size ? unit : `${seconds / size} ${unit}s`;
  }
  return seconds === 1 ? "second" : `${seconds} seconds`;
}

/** `95` as "2 minutes": rounded up, so a client that waits that long gets through. */
function inWords(seconds: number) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} minutes`;
  return `${Math.ceil(minutes / 60)} hours`;
}

const structured = (entries: string[]) => entries.join(", ");

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
    const counted: { stub: DurableObjectStub<import("./rate-limiter.ts").RateLimiter>; hitId: number }[] = [];
    const policyHeader: string[] = [];
    const stateHeader: string[] = [];
    const giveBack = () => Promise.allSettled(counted.map(({ stub, hitId }) => stub.giveBack(hitId)));
    const started = performance.now();
    // What the limiter added to this request, for clients and the benchmark.
    const serverTiming = () => `ratelimit;dur=${(performance.now() - started).toFixed(2)}`;

    for (const policy of policies) {
      const subject = await policy.subject(c);
      if (!subject) continue;
      const { limit, windowSeconds } = policy.limits(c.var.config);
      const stub = c.env.RATE_LIMITER.getByName(subject);
      let decision: RateLimitDecision;
      try {
        decision = await stub.take(policy.name, limit, windowSeconds);
      } catch (error) {
        console.error(`[${c.var.requestId}] rate limiter unreachable for ${policy.name}:`, error instanceof Error ? error.message : error);
        if (!policy.failClosed) continue;
        await giveBack();
        throw new AppError("UNAVAILABLE", 503, "the rate limiter cannot be reached; try again shortly");
      }
      policyHeader.push(`"${policy.name}";q=${limit};w=${windowSeconds}`);
      stateHeader.push(`"${policy.name}";r=${decision.remaining};t=${decision.resetSeconds}`);
      if (!decision.allowed) {
        await giveBack();
        throw new AppError(
          "RATE_LIMITED",
          429,
          `too many ${policy.counts}: the limit is ${limit} per ${per(windowSeconds)}; try again in ${inWords(decision.retryAfterSeconds)}`,
          {
            headers: {
              "Retry-After": String(decision.retryAfterSeconds),
              "Server-Timing": serverTiming(),
              "RateLimit-Policy": structured(policyHeader),
              RateLimit: structured(stateHeader),
            },
          },
        );
      }
      if (decision.hitId !== null) counted.push({ stub, hitId: decision.hitId });
    }
    if (policyHeader.length > 0) {
      c.header("RateLimit-Policy", structured(policyHeader));
      c.header("RateLimit", structured(stateHeader));
      c.header("Server-Timing", serverTiming(), { append: true });
    }
    await next();
  });
