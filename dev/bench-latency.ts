// What the API adds before the first chunk, against the same upstream read directly, and what the
// rate limiter adds to a request as the API itself reports it (Server-Timing).
import { call, directFirstChunkMs, expectStatus, postStream, rateLimitMs, readApiStream, scriptUpstream } from "./bench-client.ts";
import type { Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";
import { median, percentile, round } from "./bench-stats.ts";

const MODEL = "gpt-4o-mini";
const WARM_UP_PAIRS = 5;
const PAIRS = 40;
const PROFILE_REQUESTS = 50;
/** A fixed upstream time to first token, so that both sides wait the same. */
const UPSTREAM_FIRST_CHUNK_MS = 20;

interface Pair {
  directMs: number;
  /** Through a Worker that only relays the upstream: what any Worker in between costs here. */
  floorMs: number;
  apiMs: number;
  /** From the model's final status to `done`: the turn's write, with the spend settled beside it. */
  storeMs: number;
  rateLimitMs: number | undefined;
}

async function apiFirstChunk(stack: Stack, token: string, prompt: string) {
  const started = performance.now();
  const response = await expectStatus(await postStream(stack.origin, token, { prompt, models: [MODEL] }), 200, "stream");
  // Read to the end, so that the stream completes and is stored before the next one starts.
  const { events, firstChunkAt, lastStatusAt, doneAt } = await readApiStream(response);
  if (firstChunkAt === undefined || lastStatusAt === undefined || doneAt === undefined || events.at(-1)?.type !== "done") {
    throw new Error(`a stream of the first-chunk run failed: ${JSON.stringify(events.filter((event) => event.type === "error"))}`);
  }
  return { apiMs: firstChunkAt - started, storeMs: doneAt - lastStatusAt, rateLimitMs: rateLimitMs(response) };
}

/** Sequential rounds, direct, through the relay Worker, then through the API, the same script for all. */
async function measurePairs(stack: Stack, token: string, count: number): Promise<Pair[]> {
  const tag = await scriptUpstream(stack.upstreamUrl, {
    [MODEL]: { chunks: ["The ", "first ", "chunk ", "matters."], firstChunkDelayMs: UPSTREAM_FIRST_CHUNK_MS, chunkDelayMs: 2 },
  });
  const prompt = `How long to the first chunk? ${tag}`;
  const pairs: Pair[] = [];
  for (let index = 0; index < count; index++) {
    const directMs = await directFirstChunkMs(stack.upstreamUrl, MODEL, prompt);
    const floorMs = await directFirstChunkMs(stack.pipe.origin, MODEL, prompt);
    pairs.push({ directMs, floorMs, ...(await apiFirstChunk(stack, token, prompt)) });
  }
  return pairs;
}

export async function measureAddedFirstChunk(stack: Stack, token: string) {
  await measurePairs(stack, token, WARM_UP_PAIRS);
  const pairs = await measurePairs(stack, token, PAIRS);
  const direct = pairs.map((pair) => pair.directMs);
  const api = pairs.map((pair) => pair.apiMs);
  const added = pairs.map((pair) => pair.apiMs - pair.directMs);
  const floorAdded = pairs.map((pair) => pair.floorMs - pair.directMs);
  const section: Section = {
    key: "firstChunk",
    title: `1. Added time to first chunk (${PAIRS} sequential pairs after ${WARM_UP_PAIRS} warm-up, one model, upstream first chunk after ${UPSTREAM_FIRST_CHUNK_MS} ms)`,
    rows: [
      {
        key: "directMedianMs",
        figure: "direct to upstream, median",
        value: round(median(direct)),
        unit: "ms",
        note: "request start to first SSE event with text",
      },
      {
        key: "apiMedianMs",
        figure: "through the API, median",
        value: round(median(api)),
        unit: "ms",
        note: "request start to first `chunk` event",
      },
      {
        key: "addedMedianMs",
        figure: "added per pair, median",
        value: round(median(added)),
        unit: "ms",
        note: "API minus direct, pair by pair",
      },
      { key: "addedP95Ms", figure: "added per pair, p95", value: round(percentile(added, 95)), unit: "ms" },
      { key: "apiToDirectRatio", figure: "API median / direct median", value: round(median(api) / median(direct)), unit: "x" },
      {
        key: "floorAddedMedianMs",
        figure: "added by a Worker that only relays, median",
        value: round(median(floorAdded)),
        unit: "ms",
        note: "dev/bench-pipe-worker.js: the floor of any Worker in between, here",
      },
      {
        key: "beyondFloorMedianMs",
        figure: "the API beyond that floor, median",
        value: round(median(added) - median(floorAdded)),
        unit: "ms",
        note: "auth, the user's Durable Object (rate and spend), validation, events",
      },
      {
        key: "storeMedianMs",
        figure: "final status to `done`, median",
        value: round(median(pairs.map((pair) => pair.storeMs))),
        unit: "ms",
        note: "the turn's database batch and the spend's settle in the user's Durable Object, side by side; 0 when both end within the 16 ms write batching, so `done` goes out with the last status",
      },
    ],
    details: { pairs: PAIRS, warmUpPairs: WARM_UP_PAIRS, model: MODEL, upstreamFirstChunkMs: UPSTREAM_FIRST_CHUNK_MS },
  };
  const streamRateLimitMs = pairs.flatMap((pair) => (pair.rateLimitMs === undefined ? [] : [pair.rateLimitMs]));
  return { section, streamRateLimitMs };
}

/** The limiter's time on the stream requests already made, and on sequential profile reads. */
export async function measureRateLimitTime(stack: Stack, token: string, streamRateLimitMs: number[]): Promise<Section> {
  const profileRateLimitMs: number[] = [];
  for (let index = 0; index < PROFILE_REQUESTS; index++) {
    const response = await expectStatus(await call(stack.origin, "GET", "/auth/profile", { token }), 200, "profile");
    await response.arrayBuffer();
    const ms = rateLimitMs(response);
    if (ms !== undefined) profileRateLimitMs.push(ms);
  }
  const missing = (samples: number[], of: number) => (samples.length < of ? `only ${samples.length} of ${of} answers had it` : undefined);
  return {
    key: "rateLimit",
    // workerd's clock moves only at I/O (a Spectre mitigation), so this is the limiter's round trip, in coarse steps.
    title: "6. The user's Durable Object on a request's path (Server-Timing: ratelimit;dur, as the Worker's clock saw it)",
    rows: [
      {
        key: "streamMedianMs",
        figure: "stream admission, median",
        value: round(median(streamRateLimitMs)),
        unit: "ms",
        note: missing(streamRateLimitMs, PAIRS) ?? `rate limit and spend reservation in one call; the ${PAIRS} API requests of part 1`,
      },
      { key: "streamP95Ms", figure: "stream admission, p95", value: round(percentile(streamRateLimitMs, 95)), unit: "ms" },
      {
        key: "profileMedianMs",
        figure: "rate limit of GET /auth/profile, median",
        value: round(median(profileRateLimitMs)),
        unit: "ms",
        note: missing(profileRateLimitMs, PROFILE_REQUESTS) ?? `${PROFILE_REQUESTS} sequential requests`,
      },
      { key: "profileP95Ms", figure: "rate limit of GET /auth/profile, p95", value: round(percentile(profileRateLimitMs, 95)), unit: "ms" },
    ],
  };
}
