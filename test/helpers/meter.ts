// The user's Durable Object as the tests see it: its clock moved instead of sleeping, its counts
// and queue read for what the API cannot show.
import { env, runInDurableObject } from "cloudflare:test";
import type { RateLimiter } from "../../src/ratelimit/rate-limiter.ts";

/** The object of a subject (`user:<id>`, `ip:<address>`). */
export const limiterOf = (subject: string) => env.RATE_LIMITER.getByName(subject);

/** The same object, by user id. */
export const meterOf = (userId: string) => limiterOf(`user:${userId}`);

/** Stops the object's clock at `at` (ms since epoch). */
export const setClock = (subject: string, at: number) =>
  runInDurableObject(limiterOf(subject), (instance: RateLimiter) => {
    instance.now = () => at;
  });

/** Runs `look` inside a user's object. */
export const insideMeter = <T>(userId: string, look: (instance: RateLimiter, state: DurableObjectState) => T | Promise<T>) =>
  runInDurableObject(meterOf(userId), look);
