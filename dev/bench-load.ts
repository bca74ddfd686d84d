// Many streams at once, checked answer by answer, and the workerd CPU time a stream costs.
import { type ApiEvent, finalStatusOf, postStream, readApiStream, scriptUpstream, textOf } from "./bench-client.ts";
import type { Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";
import { percentile, round } from "./bench-stats.ts";

const MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano"];
const CONCURRENT_STREAMS = 200;
const LOAD_CHUNKS = 20;
const LONG_STREAMS = 20;
const LONG_CHUNKS = 500;
/** Lets deferred work (waitUntil, the limiter's bookkeeping) finish before the CPU is read. */
const SETTLE_MS = 500;

/** Each model's known answer: its own words, so that crossed streams would show. */
const answerOf = (model: string, chunks: number) => Array.from({ length: chunks }, (_, index) => `${model}:${index} `);

/** Scripts every model with its known answer; returns the prompt tag and the texts to expect. */
async function scriptKnownAnswers(stack: Stack, chunks: number, pace: { firstChunkDelayMs: number; chunkDelayMs: number }) {
  const behaviours = Object.fromEntries(MODELS.map((model) => [model, { chunks: answerOf(model, chunks), ...pace }]));
  const tag = await scriptUpstream(stack.upstreamUrl, behaviours);
  const expected = Object.fromEntries(MODELS.map((model) => [model, answerOf(model, chunks).join("")]));
  return { tag, expected };
}

export type Outcome = { ok: true; firstChunkMs: number } | { ok: false; reason: string };

/** Why the stream is not what API.md promises, or undefined when it is. */
function faultOf(events: ApiEvent[], expected: Record<string, string>): string | undefined {
  if (events.at(-1)?.type !== "done") return "the stream ended without `done`";
  for (const [model, text] of Object.entries(expected)) {
    const status = finalStatusOf(events, model);
    if (status !== "completed") {
      const error = events.find((event) => event.type === "error" && event.model === model);
      return `a model ended ${status ?? "without a status"}${error?.code ? ` (${error.code})` : ""}`;
    }
    if (textOf(events, model) !== text) return "a model's text differs from its script";
  }
  return undefined;
}

/** One stream of the models `expected` names, read to its end and checked against the script. */
export async function checkedStream(stack: Stack, token: string, prompt: string, expected: Record<string, string>): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await postStream(stack.origin, token, { prompt, models: Object.keys(expected) });
    if (response.status !== 200) {
      const { error } = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
      return { ok: false, reason: `HTTP ${response.status}${error?.code ? ` ${error.code}` : ""}` };
    }
    const { events, firstChunkAt } = await readApiStream(response);
    const fault = faultOf(events, expected);
    if (fault || firstChunkAt === undefined) return { ok: false, reason: fault ?? "no chunk" };
    return { ok: true, firstChunkMs: firstChunkAt - started };
  } catch (error) {
    return clientFailure(error);
  }
}

/** A request the client could not make or read. */
export const clientFailure = (error: unknown): Outcome => ({
  ok: false,
  reason: `client error: ${error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : error}`,
});

export const countReasons = (outcomes: Outcome[]) => {
  const reasons: Record<string, number> = {};
  for (const outcome of outcomes) if (!outcome.ok) reasons[outcome.reason] = (reasons[outcome.reason] ?? 0) + 1;
  return reasons;
};

const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Every stream fired at once; each model answers ~20 chunks at a steady pace. */
async function runConcurrentStreams(stack: Stack, token: string) {
  const pace = { firstChunkDelayMs: 20, chunkDelayMs: 10 };
  const { tag, expected } = await scriptKnownAnswers(stack, LOAD_CHUNKS, pace);
  const started = performance.now();
  const outcomes = await Promise.all(
    Array.from({ length: CONCURRENT_STREAMS }, (_, index) => checkedStream(stack, token, `Load ${index} ${tag}`, expected)),
  );
  const wallMs = performance.now() - started;
  const firstChunkMs = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.firstChunkMs] : []));
  return { wallMs, firstChunkMs, failures: countReasons(outcomes), pace };
}

/** Long answers one stream after another: the CPU of a stream, without the cost of contention. */
async function runLongStreams(stack: Stack, token: string) {
  const pace = { firstChunkDelayMs: 20, chunkDelayMs: 1 };
  const { tag, expected } = await scriptKnownAnswers(stack, LONG_CHUNKS, pace);
  const outcomes: Outcome[] = [];
  for (let index = 0; index < LONG_STREAMS; index++) outcomes.push(await checkedStream(stack, token, `Long ${index} ${tag}`, expected));
  return { failures: countReasons(outcomes), pace };
}

export const describe = (failures: Record<string, number>) =>
  Object.entries(failures)
    .map(([reason, count]) => `${count}x ${reason}`)
    .join("; ");

export const failureCount = (failures: Record<string, number>) => Object.values(failures).reduce((sum, count) => sum + count, 0);

/** The same long answers relayed by the floor Worker, three at a time as the API's models run. */
async function runLongRelays(stack: Stack) {
  const { tag } = await scriptKnownAnswers(stack, LONG_CHUNKS, { firstChunkDelayMs: 20, chunkDelayMs: 1 });
  const relay = async (model: string, index: number) => {
    const response = await fetch(`${stack.pipe.origin}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: `Relay ${index} ${tag}` }] }),
    });
    await response.arrayBuffer();
  };
  const before = stack.pipe.workerdCpuMs();
  for (let index = 0; index < LONG_STREAMS; index++) await Promise.all(MODELS.map((model) => relay(model, index)));
  await settle();
  return cpuPer(before, stack.pipe.workerdCpuMs(), LONG_STREAMS);
}

/** CPU used between two readings, divided among `count`. */
const cpuPer = (before: number, after: number, count: number) => ({ each: (after - before) / count, totalMs: after - before });

/** Parts 2 and 3: the concurrent run, and the CPU it and a run of long streams cost. */
export async function measureLoadAndCpu(stack: Stack, token: string) {
  const pidsBefore = stack.workerdPids();
  await settle();
  const cpuBeforeLoad = stack.workerdCpuMs();
  const load = await runConcurrentStreams(stack, token);
  await settle();
  const cpuAfterLoad = stack.workerdCpuMs();
  const long = await runLongStreams(stack, token);
  await settle();
  const cpuAfterLong = stack.workerdCpuMs();
  const pidsAfter = stack.workerdPids();
  const floorCpu = await runLongRelays(stack);

  const loadFailures = failureCount(load.failures);
  const modelStreams = CONCURRENT_STREAMS * MODELS.length;
  const loadCpu = cpuPer(cpuBeforeLoad, cpuAfterLoad, modelStreams);
  const longCpu = cpuPer(cpuAfterLoad, cpuAfterLong, LONG_STREAMS);
  const concurrent: Section = {
    key: "concurrent",
    title: `2. ${CONCURRENT_STREAMS} concurrent streams of ${MODELS.length} models (${LOAD_CHUNKS} chunks each, upstream first chunk ${load.pace.firstChunkDelayMs} ms, then every ${load.pace.chunkDelayMs} ms)`,
    rows: [
      {
        key: "wallMs",
        figure: "wall time, all streams",
        value: round(load.wallMs, 0),
        unit: "ms",
        note: "fired at once, each read to `done`",
      },
      {
        key: "completed",
        figure: "completed and correct",
        value: CONCURRENT_STREAMS - loadFailures,
        unit: "streams",
        note: "`done` last; every model `completed` with exactly its script's text",
      },
      {
        key: "failures",
        figure: "failures",
        value: loadFailures,
        unit: "streams",
        note: loadFailures ? describe(load.failures) : undefined,
      },
      {
        key: "firstChunkP50Ms",
        figure: "time to first chunk, p50",
        value: round(percentile(load.firstChunkMs, 50)),
        unit: "ms",
        note: "under this load, successful streams",
      },
      { key: "firstChunkP95Ms", figure: "time to first chunk, p95", value: round(percentile(load.firstChunkMs, 95)), unit: "ms" },
    ],
    details: { streams: CONCURRENT_STREAMS, models: MODELS, chunksPerModel: LOAD_CHUNKS, ...load.pace, failureReasons: load.failures },
  };
  const longFailures = failureCount(long.failures);
  const cpu: Section = {
    key: "cpu",
    title: "3. workerd CPU time (user + system, from /proc: the runtime's own work on sockets and streams included)",
    rows: [
      {
        key: "perModelStreamUnderLoadMs",
        figure: "per model-stream, part 2's load",
        value: round(loadCpu.each),
        unit: "ms",
        note: `${round(loadCpu.totalMs, 0)} ms over ${modelStreams} model-streams of ${LOAD_CHUNKS} chunks`,
      },
      { key: "perStreamUnderLoadMs", figure: "per 3-model stream, part 2's load", value: round(loadCpu.each * MODELS.length), unit: "ms" },
      {
        key: "per3x500StreamMs",
        figure: `per 3-model ${LONG_CHUNKS}-token stream`,
        value: round(longCpu.each),
        unit: "ms",
        note: `${LONG_STREAMS} sequential streams; the Workers free plan allows 10 ms of CPU per request`,
      },
      {
        key: "perModelStream500Ms",
        figure: `per model-stream of ${LONG_CHUNKS} tokens`,
        value: round(longCpu.each / MODELS.length),
        unit: "ms",
        note: longFailures ? `failures: ${describe(long.failures)}` : "every long stream completed correctly",
      },
      {
        key: "floorPer3x500Ms",
        figure: `a Worker only relaying the same 3 x ${LONG_CHUNKS} tokens`,
        value: round(floorCpu.each),
        unit: "ms",
        note: "dev/bench-pipe-worker.js: what reading and writing each token costs this workerd at the least",
      },
    ],
    details: {
      workerdPids: pidsAfter,
      // A workerd that came or went between readings would make the differences meaningless.
      workerdPidsChanged: pidsBefore.join() !== pidsAfter.join(),
      longStreams: LONG_STREAMS,
      longChunksPerModel: LONG_CHUNKS,
      longPace: long.pace,
      longFailureReasons: long.failures,
    },
  };
  return { concurrent, cpu, loadFailures };
}
