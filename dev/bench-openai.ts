// The OpenAI-compatible API (/v1) with an API key: its time to first chunk beside the playground's
// stream and the relay floor, pair by pair, and a burst of streamed chat completions for one user.
import { BURST_CHUNKS, BURST_MODEL, BURST_PACE, type BurstRun, settle, timedBurst } from "./bench-burst.ts";
import { pooled } from "./bench-burst-report.ts";
import {
  call,
  chatFaultOf,
  directFirstChunkMs,
  expectStatus,
  postStream,
  readApiStream,
  readChatStream,
  registerUser,
  scriptUpstream,
} from "./bench-client.ts";
import { clientFailure, describe, failureCount, type Outcome } from "./bench-load.ts";
import type { Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";
import { median, percentile, round } from "./bench-stats.ts";

const MODEL = BURST_MODEL;
const WARM_UP_PAIRS = 5;
const PAIRS = 40;
const BURST = 200;
const UPSTREAM_FIRST_CHUNK_MS = 20;
const PAIR_CHUNKS = ["The ", "first ", "chunk ", "matters."];

/** A new user's API key, made as a program's owner would: register, then POST /auth/api-keys. */
async function newApiKey(origin: string): Promise<string> {
  const { accessToken } = await registerUser(origin);
  const response = await expectStatus(
    await call(origin, "POST", "/auth/api-keys", { token: accessToken, body: { name: "bench" } }),
    201,
    "api key",
  );
  const { key } = (await response.json()) as { key: string };
  if (!key.startsWith("mpk_")) throw new Error(`an API key not of the form mpk_…: ${key.slice(0, 8)}`);
  return key;
}

/** POST /v1/chat/completions with stream: true, read to `[DONE]` and checked chunk by chunk against the script. */
async function checkedCompletion(stack: Stack, key: string, prompt: string, chunks: string[]): Promise<Outcome> {
  const started = performance.now();
  try {
    const body = { model: MODEL, stream: true, messages: [{ role: "user", content: prompt }] };
    const response = await call(stack.origin, "POST", "/v1/chat/completions", { token: key, body });
    if (response.status !== 200) {
      const { error } = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
      return { ok: false, reason: `HTTP ${response.status}${error?.code ? ` ${error.code}` : ""}` };
    }
    const reading = await readChatStream(response);
    const fault = chatFaultOf(reading, chunks);
    if (fault || reading.firstContentAt === undefined) return { ok: false, reason: fault ?? "no content" };
    return { ok: true, firstChunkMs: reading.firstContentAt - started };
  } catch (error) {
    return clientFailure(error);
  }
}

/** The playground's stream of the same prompt, read to `done`: request start to its first `chunk`. */
async function playgroundFirstChunkMs(stack: Stack, token: string, prompt: string) {
  const started = performance.now();
  const response = await expectStatus(await postStream(stack.origin, token, { prompt, models: [MODEL] }), 200, "stream");
  const { events, firstChunkAt } = await readApiStream(response);
  if (firstChunkAt === undefined || events.at(-1)?.type !== "done") throw new Error("a playground stream of the /v1 pairs failed");
  return firstChunkAt - started;
}

interface Pair {
  directMs: number;
  floorMs: number;
  playgroundMs: number;
  v1Ms: number;
}

/** Sequential rounds: direct, the relay floor, then the playground and /v1 (which of them first alternates). */
async function measurePairs(stack: Stack, token: string, key: string, count: number): Promise<Pair[]> {
  const tag = await scriptUpstream(stack.upstreamUrl, {
    [MODEL]: { chunks: PAIR_CHUNKS, firstChunkDelayMs: UPSTREAM_FIRST_CHUNK_MS, chunkDelayMs: 2 },
  });
  const prompt = `How long to the first chunk through /v1? ${tag}`;
  const v1 = async () => {
    const outcome = await checkedCompletion(stack, key, prompt, PAIR_CHUNKS);
    if (!outcome.ok) throw new Error(`a /v1 stream of the first-chunk pairs failed: ${outcome.reason}`);
    return outcome.firstChunkMs;
  };
  const pairs: Pair[] = [];
  for (let index = 0; index < count; index++) {
    const directMs = await directFirstChunkMs(stack.upstreamUrl, MODEL, prompt);
    const floorMs = await directFirstChunkMs(stack.pipe.origin, MODEL, prompt);
    let playgroundMs: number;
    let v1Ms: number;
    if (index % 2 === 0) {
      playgroundMs = await playgroundFirstChunkMs(stack, token, prompt);
      v1Ms = await v1();
    } else {
      v1Ms = await v1();
      playgroundMs = await playgroundFirstChunkMs(stack, token, prompt);
    }
    pairs.push({ directMs, floorMs, playgroundMs, v1Ms });
  }
  return pairs;
}

function firstChunkSection(pairs: Pair[]): Section {
  const of = (pick: (pair: Pair) => number) => pairs.map(pick);
  const v1Beyond = of((pair) => pair.v1Ms - pair.floorMs);
  return {
    key: "openaiFirstChunk",
    title: `9. /v1: time to first chunk with an API key (${PAIRS} sequential rounds after ${WARM_UP_PAIRS} warm-up, ${MODEL}, stream: true, upstream first chunk after ${UPSTREAM_FIRST_CHUNK_MS} ms)`,
    rows: [
      { key: "directMedianMs", figure: "direct to upstream, median", value: round(median(of((pair) => pair.directMs))), unit: "ms" },
      {
        key: "floorMedianMs",
        figure: "through the relay-only Worker, median",
        value: round(median(of((pair) => pair.floorMs))),
        unit: "ms",
      },
      {
        key: "playgroundMedianMs",
        figure: "playground stream, median",
        value: round(median(of((pair) => pair.playgroundMs))),
        unit: "ms",
        note: "POST /playground/stream, access token, to the first `chunk`",
      },
      {
        key: "v1MedianMs",
        figure: "/v1/chat/completions, median",
        value: round(median(of((pair) => pair.v1Ms))),
        unit: "ms",
        note: "API key, to the first chunk with content",
      },
      {
        key: "playgroundBeyondFloorMedianMs",
        figure: "playground beyond the relay floor, median",
        value: round(median(of((pair) => pair.playgroundMs - pair.floorMs))),
        unit: "ms",
        note: "round by round",
      },
      { key: "v1BeyondFloorMedianMs", figure: "/v1 beyond the relay floor, median", value: round(median(v1Beyond)), unit: "ms" },
      { key: "v1BeyondFloorP95Ms", figure: "/v1 beyond the relay floor, p95", value: round(percentile(v1Beyond, 95)), unit: "ms" },
      {
        key: "v1MinusPlaygroundMedianMs",
        figure: "/v1 minus playground, median",
        value: round(median(of((pair) => pair.v1Ms - pair.playgroundMs))),
        unit: "ms",
        note: "the key's check and OpenAI's shapes, against a JWT and the playground's events",
      },
    ],
    details: { pairs: PAIRS, warmUpPairs: WARM_UP_PAIRS, model: MODEL, upstreamFirstChunkMs: UPSTREAM_FIRST_CHUNK_MS },
  };
}

function burstSection(run: BurstRun): Section {
  const side = pooled([run]);
  const failures = failureCount(run.failures);
  return {
    key: "openaiBurst",
    title: `10. /v1: ${BURST} concurrent streamed chat completions, one user's API key (${MODEL}, ${BURST_CHUNKS} chunks, upstream first chunk ${BURST_PACE.firstChunkDelayMs} ms, then every ${BURST_PACE.chunkDelayMs} ms)`,
    rows: [
      {
        key: "completed",
        figure: "completed and correct",
        value: BURST - failures,
        unit: "requests",
        note: "every content chunk in order, one id, `role: assistant` first, finish_reason `stop`, `[DONE]` last",
      },
      { key: "failures", figure: "failures", value: failures, unit: "requests", note: failures ? describe(run.failures) : undefined },
      {
        key: "wallMs",
        figure: "wall time, all requests",
        value: round(run.wallMs, 0),
        unit: "ms",
        note: "fired at once, each read to `[DONE]`",
      },
      {
        key: "firstChunkP50Ms",
        figure: "time to first chunk, p50",
        value: round(side.firstChunkP50),
        unit: "ms",
        note: "under this burst",
      },
      { key: "firstChunkP95Ms", figure: "time to first chunk, p95", value: round(side.firstChunkP95), unit: "ms" },
      {
        key: "cpuPerRequestMs",
        figure: "workerd CPU per request",
        value: round(side.cpuPerStream),
        unit: "ms",
        note: `from before the burst to 500 ms after it; ${round(side.cpuDuringPerStream)} ms of it before the last request ended`,
      },
    ],
    details: {
      requests: BURST,
      model: MODEL,
      chunks: BURST_CHUNKS,
      ...BURST_PACE,
      cpuDuringMs: round(run.cpuDuringMs, 0),
      benchCpuMs: round(run.benchCpuMs, 0),
      failureReasons: run.failures,
    },
  };
}

/** Parts 9 and 10: /v1's first chunk beside the playground's and the floor's, then a burst through /v1. */
export async function measureOpenAI(stack: Stack, token: string) {
  const key = await newApiKey(stack.origin);
  await measurePairs(stack, token, key, WARM_UP_PAIRS);
  const pairs = await measurePairs(stack, token, key, PAIRS);
  const chunks = Array.from({ length: BURST_CHUNKS }, (_, index) => `v1:${index} `);
  const tag = await scriptUpstream(stack.upstreamUrl, { [MODEL]: { chunks, ...BURST_PACE } });
  await settle();
  const run = await timedBurst(BURST, stack.workerdCpuMs, (index) => checkedCompletion(stack, key, `Burst ${index} ${tag}`, chunks));
  return { firstChunk: firstChunkSection(pairs), burst: burstSection(run), openaiFailures: failureCount(run.failures) };
}
