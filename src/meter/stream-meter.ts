// The Worker's side of the user's Durable Object for streams: one call admits a stream (its request
// counted, its most possible cost reserved), one call settles it to what it cost; and a finished
// turn the database could not take is handed over to be written later.
import type { Context } from "hono";
import type { AppEnv, Bindings, Config } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { formatUsd } from "../usd.ts";
import { keyRefused, limiterUnreachable, serverTiming } from "./rate-limit.middleware.ts";
import { inWords, per, RateLimitHeaders, rateLimited } from "./rate-limit-answers.ts";
import type { RateLimitDecision } from "./sliding-window.ts";
import { UNITS_PER_USD } from "./spend-ledger.ts";
import { userMeterOf } from "./subjects.ts";
import type { QueuedTurn } from "./turn-outbox.ts";
import type { UserMeter } from "./user-meter.ts";

const STREAM_POLICY = "stream";

/** A reservation, settled once when its stream has ended. */
export interface StreamMeter {
  /** Replaces the reservation by what the stream really cost; a failure is logged and the reservation stays counted. */
  settle(costUsd: number): Promise<void>;
}

/**
 * Admits a stream of the signed-in user whose answers could cost up to `maxCostUsd`, or throws the
 * 429 (`RATE_LIMITED`, `SPEND_LIMITED`), 401 (a used stream ticket) or 503 to answer instead. Sets
 * the RateLimit headers. One call to the user's object, whatever it checks.
 *
 * @example
 * const meter = await admitStream(c, maxCostUsd);
 * // … the stream …
 * await meter.settle(totalCost);
 */
export async function admitStream(c: Context<AppEnv>, maxCostUsd: number): Promise<StreamMeter> {
  const { config, user, requestId, ticket, apiKey } = c.var;
  const { limit, windowSeconds } = config.limits.stream;
  const { limitUsd, windowSeconds: spendWindowSeconds } = config.spend;
  const stub = userMeterOf(c.env, user.id);
  const timing = serverTiming();
  let admission: Awaited<ReturnType<typeof stub.admitStream>>;
  try {
    admission = await stub.admitStream({
      rate: { policy: STREAM_POLICY, limit, windowSeconds },
      spend: {
        limitUnits: limitUsd === null ? null : Math.round(limitUsd * UNITS_PER_USD),
        windowSeconds: spendWindowSeconds,
        reserveUnits: Math.ceil(maxCostUsd * UNITS_PER_USD),
      },
      ...(ticket ? { ticket } : {}),
      ...(apiKey ? { keyHash: apiKey.hash } : {}),
    });
  } catch (error) {
    console.error(`[${requestId}] rate limiter unreachable for ${STREAM_POLICY}:`, error instanceof Error ? error.message : error);
    throw limiterUnreachable();
  }
  if (!admission.allowed && admission.refusedBy === "ticket") throw ticketUsed();
  if (!admission.allowed && admission.refusedBy === "key") throw keyRefused();
  const headers = new RateLimitHeaders();
  headers.add(STREAM_POLICY, windowSeconds, admission.rate);
  const answerHeaders = { ...headers.toHeaders(), ...openAIRateHeaders(admission.rate), "Server-Timing": timing() };
  if (!admission.allowed) {
    if (admission.refusedBy === "rate") throw rateLimited("stream requests", windowSeconds, admission.rate, answerHeaders);
    throw spendLimited(config, maxCostUsd, admission.leftUnits / UNITS_PER_USD, admission.retryAfterSeconds, answerHeaders);
  }
  for (const [name, value] of Object.entries(answerHeaders)) c.header(name, value, { append: name === "Server-Timing" });
  return meterFor(stub, admission.reservationId, requestId);
}

/** The stream limit in the words of OpenAI's clients: `x-ratelimit-*-requests`, the reset as a duration. */
const openAIRateHeaders = (decision: RateLimitDecision) => ({
  "x-ratelimit-limit-requests": String(decision.limit),
  "x-ratelimit-remaining-requests": String(decision.remaining),
  "x-ratelimit-reset-requests": `${decision.resetSeconds}s`,
});

const ticketUsed = () => new AppError("UNAUTHENTICATED", 401, "this stream ticket was used already; ask for a new one");

/** Settles one reservation; a failure is logged and the reservation stays counted (it fails safe). */
const meterFor = (stub: DurableObjectStub<UserMeter>, reservationId: number | null, requestId: string): StreamMeter => ({
  async settle(costUsd) {
    if (reservationId === null) return;
    await stub.settle(reservationId, Math.round(costUsd * UNITS_PER_USD)).catch((error: unknown) => {
      console.error(
        `[${requestId}] the stream's cost could not be settled; its reservation stays counted:`,
        error instanceof Error ? error.message : error,
      );
    });
  },
});

function spendLimited(
  config: Config,
  maxCostUsd: number,
  leftUsd: number,
  retryAfterSeconds: number | null,
  headers: Record<string, string>,
) {
  const { limitUsd, windowSeconds } = config.spend;
  const limit = `${formatUsd(limitUsd ?? 0, Math.floor)} spend limit per ${per(windowSeconds)}`;
  const instead = "ask for fewer models or a lower maxTokens";
  const message =
    retryAfterSeconds === null
      ? `these answers could cost up to ${formatUsd(maxCostUsd, Math.ceil)}, more than your whole ${limit}: ${instead}`
      : `these answers could cost up to ${formatUsd(maxCostUsd, Math.ceil)}, and ${formatUsd(leftUsd, Math.floor)} of your ${limit} is left: ${instead}, or try again in ${inWords(retryAfterSeconds)}`;
  return new AppError("SPEND_LIMITED", 429, message, {
    headers: { ...headers, ...(retryAfterSeconds === null ? {} : { "Retry-After": String(retryAfterSeconds) }) },
  });
}

/** The spend limit's live state, for GET /playground/usage. */
export async function spendOf(env: Bindings, config: Config, userId: string) {
  const { limitUsd, windowSeconds } = config.spend;
  const state = await userMeterOf(env, userId).spendState();
  return {
    limitUsd,
    usedUsd: state.usedUnits / UNITS_PER_USD,
    reservedUsd: state.reservedUnits / UNITS_PER_USD,
    windowSeconds,
    resetsAt: state.resetsAt === null ? null : new Date(state.resetsAt).toISOString(),
  };
}

/** Hands a finished turn to the user's object, which writes it once the database takes it. */
export function queueTurn(env: Bindings, userId: string, turn: QueuedTurn) {
  return userMeterOf(env, userId).queueTurn(turn);
}
