// Part 8's figures: each burst beside its relay twin, as rows of the report.
import {
  BURST_CHUNKS,
  BURST_MODEL,
  BURST_PACE,
  BURST_ROUNDS,
  type BurstMode,
  type BurstPair,
  type BurstRun,
  runBursts,
} from "./bench-burst.ts";
import { describe, failureCount } from "./bench-load.ts";
import type { Row, Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";
import { median, percentile, round } from "./bench-stats.ts";

const WHO: Record<BurstMode, string> = { oneUser: "one user", manyUsers: "a user each" };

/** The rounds of one side taken together: pooled first chunks, mean wall time, CPU per stream over all. */
export function pooled(runs: BurstRun[]) {
  const streams = runs.reduce((sum, run) => sum + run.count, 0);
  const failures: Record<string, number> = {};
  for (const run of runs) for (const [reason, count] of Object.entries(run.failures)) failures[reason] = (failures[reason] ?? 0) + count;
  const firstChunkMs = runs.flatMap((run) => run.firstChunkMs);
  return {
    streams,
    failures,
    firstChunkP50: median(firstChunkMs),
    firstChunkP95: percentile(firstChunkMs, 95),
    wallMs: runs.reduce((sum, run) => sum + run.wallMs, 0) / runs.length,
    cpuPerStream: runs.reduce((sum, run) => sum + run.cpuMs, 0) / streams,
    cpuDuringPerStream: runs.reduce((sum, run) => sum + run.cpuDuringMs, 0) / streams,
  };
}

/** The rounds, rounded, for the JSON. */
const perRound = (runs: BurstRun[]) =>
  runs.map((run) => ({
    wallMs: round(run.wallMs, 0),
    cpuMs: round(run.cpuMs, 0),
    cpuDuringMs: round(run.cpuDuringMs, 0),
    benchCpuMs: round(run.benchCpuMs, 0),
  }));

function pairRows(pair: BurstPair): Row[] {
  const api = pooled(pair.api);
  const relay = pooled(pair.relay);
  const key = `${pair.mode}${pair.size}`;
  const what = `${pair.size} streams, ${WHO[pair.mode]}`;
  const during = (side: ReturnType<typeof pooled>) => `${round(side.cpuDuringPerStream)} ms of it before the burst's last stream ended`;
  return [
    { key: `${key}ApiFirstChunkP50Ms`, figure: `${what}: API first chunk, p50`, value: round(api.firstChunkP50), unit: "ms" },
    { key: `${key}ApiFirstChunkP95Ms`, figure: `${what}: API first chunk, p95`, value: round(api.firstChunkP95), unit: "ms" },
    { key: `${key}RelayFirstChunkP50Ms`, figure: `${what}: relay first chunk, p50`, value: round(relay.firstChunkP50), unit: "ms" },
    { key: `${key}RelayFirstChunkP95Ms`, figure: `${what}: relay first chunk, p95`, value: round(relay.firstChunkP95), unit: "ms" },
    { key: `${key}ApiWallMs`, figure: `${what}: API wall time`, value: round(api.wallMs, 0), unit: "ms", note: "mean of the rounds" },
    { key: `${key}RelayWallMs`, figure: `${what}: relay wall time`, value: round(relay.wallMs, 0), unit: "ms" },
    {
      key: `${key}ApiCpuPerStreamMs`,
      figure: `${what}: API CPU per stream`,
      value: round(api.cpuPerStream),
      unit: "ms",
      note: during(api),
    },
    {
      key: `${key}RelayCpuPerStreamMs`,
      figure: `${what}: relay CPU per stream`,
      value: round(relay.cpuPerStream),
      unit: "ms",
      note: during(relay),
    },
    {
      key: `${key}CpuRatio`,
      figure: `${what}: CPU per stream, API / relay`,
      value: round(api.cpuPerStream / relay.cpuPerStream),
      unit: "x",
    },
    {
      key: `${key}FirstChunkRatio`,
      figure: `${what}: first chunk p50, API / relay`,
      value: round(api.firstChunkP50 / relay.firstChunkP50),
      unit: "x",
    },
  ];
}

/** Part 8: the bursts and their relay twins, with every failure counted. */
export async function measureBurstCapacity(stack: Stack, ownerToken: string) {
  const pairs = await runBursts(stack, ownerToken);
  const failures: Record<string, number> = {};
  for (const pair of pairs)
    for (const side of [pair.api, pair.relay])
      for (const [reason, count] of Object.entries(pooled(side).failures)) failures[reason] = (failures[reason] ?? 0) + count;
  const total = pairs.reduce((sum, pair) => sum + pooled(pair.api).streams + pooled(pair.relay).streams, 0);
  const burstFailures = failureCount(failures);
  const section: Section = {
    key: "burst",
    title:
      `8. Capacity: bursts of one-model streams (${BURST_MODEL}, ${BURST_CHUNKS} chunks, upstream first chunk ${BURST_PACE.firstChunkDelayMs} ms, then every ${BURST_PACE.chunkDelayMs} ms),` +
      ` each beside the same burst through the relay-only Worker; ${BURST_ROUNDS} rounds, the relay first in one and second in the other`,
    rows: [
      {
        key: "completed",
        figure: "completed and correct, all bursts",
        value: total - burstFailures,
        unit: "streams",
        note: "API: `done` last, `completed` with exactly the script's text; relay: every content chunk, `stop`, `[DONE]`",
      },
      {
        key: "failures",
        figure: "failures, all bursts",
        value: burstFailures,
        unit: "streams",
        note: burstFailures ? describe(failures) : undefined,
      },
      ...pairs.flatMap(pairRows),
    ],
    details: {
      rounds: BURST_ROUNDS,
      model: BURST_MODEL,
      chunks: BURST_CHUNKS,
      ...BURST_PACE,
      note: "first chunks pooled over the rounds; CPU per stream from before each burst to 500 ms after it (the user's Durable Object runs in the API's workerd); users registered and their Durable Objects woken before; benchCpuMs is this Node process's CPU (client, scripted upstream, SQL endpoint on PGlite)",
      runs: pairs.map((pair) => ({ mode: pair.mode, size: pair.size, api: perRound(pair.api), relay: perRound(pair.relay) })),
      failureReasons: failures,
    },
  };
  return { section, burstFailures };
}
