// What a limited answer says: the RateLimit headers of the IETF httpapi draft, and a 429 in words a
// person can act on.
import { AppError } from "../http/errors.ts";
import type { RateLimitDecision } from "./sliding-window.ts";

/** `3600` as "hour", `900` as "15 minutes": for "50 per hour". */
export function per(seconds: number) {
  for (const [unit, size] of [
    ["day", 86_400],
    ["hour", 3_600],
    ["minute", 60],
  ] as const) {
    if (seconds % size === 0) return seconds === size ? unit : `${seconds / size} ${unit}s`;
  }
  return seconds === 1 ? "second" : `${seconds} seconds`;
}

/** `95` as "2 minutes": rounded up, so a client that waits that long gets through. */
export function inWords(seconds: number) {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? "" : "s"}`;
  return `${Math.ceil(minutes / 60)} hours`;
}

/** The `RateLimit-Policy` and `RateLimit` headers, one entry per policy applied. */
export class RateLimitHeaders {
  private readonly policies: string[] = [];
  private readonly states: string[] = [];

  add(name: string, windowSeconds: number, decision: RateLimitDecision) {
    this.policies.push(`"${name}";q=${decision.limit};w=${windowSeconds}`);
    this.states.push(`"${name}";r=${decision.remaining};t=${decision.resetSeconds}`);
  }

  get empty() {
    return this.policies.length === 0;
  }

  toHeaders(): Record<string, string> {
    return { "RateLimit-Policy": this.policies.join(", "), RateLimit: this.states.join(", ") };
  }
}

/** The 429 for a request over its limit, with `Retry-After` and the headers so far. */
export function rateLimited(counts: string, windowSeconds: number, decision: RateLimitDecision, headers: Record<string, string>) {
  return new AppError(
    "RATE_LIMITED",
    429,
    `too many ${counts}: the limit is ${decision.limit} per ${per(windowSeconds)}; try again in ${inWords(decision.retryAfterSeconds)}`,
    { headers: { "Retry-After": String(decision.retryAfterSeconds), ...headers } },
  );
}
