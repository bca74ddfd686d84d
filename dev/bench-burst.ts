// Capacity: bursts of one-model streams, all for one user and each for a different user, each beside
// the same burst through the relay-only Worker in the same run, with the workerd CPU a stream costs
// over its whole life (its deferred work included).
import { call, chatFaultOf, expectStatus, readChatStream, registerUser, scriptUpstream } from "./bench-client.ts";
import { checkedStream, clientFailure, countReasons, type Outcome } from "./bench-load.ts";
import type { Stack } from "./bench-stack.ts";

export const BURST_MODEL = "gpt-4o-mini";
export const BURST_CHUNKS = 20;
export const BURST_PACE = { firstChunkDelayMs: 20, chunkDelayMs: 10 };
export const BURST_SIZES = [100, 200] as const;
export const BURST_MODES = ["oneUser", "manyUsers"] as const;
/** Each burst and its relay twin run this many times, the twin first in one round and second in the next. */
export const BURST_ROUNDS = 2;
/** Lets deferred work (the final write, the spend's settle through waitUntil) finish before the CPU is read. */
const SETTLE_MS = 500;
/** Registrations at once: each is a scrypt in the Worker, so more would only queue. */
const REGISTER_CONCURRENCY = 4;

export type BurstMode = (typeof BURST_MODES)[number];

/** One burst: what the client saw and the CPU its workerd used from its start to after the settle pause. */
export interface BurstRun {
  count: number;
  wallMs: number;
  firstChunkMs: number[];
  failures: Record<string, number>;
  /** From just before the burst to after the settle pause: each stream's whole life. */
  cpuMs: number;
  /** Of that, what was used before the last stream was read to its end. */
  cpuDuringMs: number;
  /** This process's CPU over the same time: the client, the scripted upstream and the SQL endpoint share it. */
  benchCpuMs: number;
}

export const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));

/** Fires `count` requests at once, each read to its end and checked; reads `readCpu` before, after and after a settle. */
export async function timedBurst(count: number, readCpu: () => number, one: (index: number) => Promise<Outcome>): Promise<BurstRun> {
  const cpuBefore = readCpu();
  const benchBefore = process.cpuUsage();
  const started = performance.now();
  const outcomes = await Promise.all(Array.from({ length: count }, (_, index) => one(index)));
  const wallMs = performance.now() - started;
  const cpuAtEnd = readCpu();
  await settle();
  const cpuAfter = readCpu();
  const bench = process.cpuUsage(benchBefore);
  const firstChunkMs = outcomes.flatMap((outcome) => (outcome.ok ? [outcome.firstChunkMs] : []));
  return {
    count,
    wallMs,
    firstChunkMs,
    failures: countReasons(outcomes),
    cpuMs: cpuAfter - cpuBefore,
    cpuDuringMs: cpuAtEnd - cpuBefore,
    benchCpuMs: (bench.user + bench.system) / 1000,
  };
}

/** The same script for every burst: the model's own words, so that crossed streams would show. */
const scriptChunks = () => Array.from({ length: BURST_CHUNKS }, (_, index) => `${BURST_MODEL}:${index} `);

/** One request through the relay-only Worker, the OpenAI body with stream: true, read to its end and checked. */
async function checkedRelay(stack: Stack, prompt: string, chunks: string[]): Promise<Outcome> {
  const started = performance.now();
  try {
    const response = await fetch(`${stack.pipe.origin}/v1/chat/completions`, {
      method: "POST",
      body: JSON.stringify({ model: BURST_MODEL, stream: true, messages: [{ role: "user", content: prompt }] }),
    });
    if (response.status !== 200) return { ok: false, reason: `relay HTTP ${response.status}` };
    const reading = await readChatStream(response);
    const fault = chatFaultOf(reading, chunks);
    if (fault || reading.firstContentAt === undefined) return { ok: false, reason: `relay: ${fault ?? "no content"}` };
    return { ok: true, firstChunkMs: reading.firstContentAt - started };
  } catch (error) {
    return clientFailure(error);
  }
}

/** Registers `count` users, a few at a time, and wakes each one's Durable Object (a rate-limited read). */
async function registerUsers(origin: string, count: number): Promise<string[]> {
  const tokens: string[] = [];
  const worker = async () => {
    while (tokens.length < count) {
      const slot = tokens.push("") - 1;
      const { accessToken } = await registerUser(origin);
      await (await expectStatus(await call(origin, "GET", "/auth/profile", { token: accessToken }), 200, "profile")).arrayBuffer();
      tokens[slot] = accessToken;
    }
  };
  await Promise.all(Array.from({ length: REGISTER_CONCURRENCY }, worker));
  return tokens;
}

export interface BurstPair {
  mode: BurstMode;
  size: number;
  api: BurstRun[];
  relay: BurstRun[];
}

/** Every burst and its relay twin, BURST_ROUNDS times, alternating which goes first. */
export async function runBursts(stack: Stack, ownerToken: string): Promise<BurstPair[]> {
  const users = await registerUsers(stack.origin, Math.max(...BURST_SIZES));
  const chunks = scriptChunks();
  const tag = await scriptUpstream(stack.upstreamUrl, { [BURST_MODEL]: { chunks, ...BURST_PACE } });
  const expected = { [BURST_MODEL]: chunks.join("") };
  const pairs: BurstPair[] = BURST_MODES.flatMap((mode) => BURST_SIZES.map((size) => ({ mode, size, api: [], relay: [] })));
  let burst = 0;
  const api = (pair: BurstPair) =>
    timedBurst(pair.size, stack.workerdCpuMs, (index) => {
      const token = pair.mode === "oneUser" ? ownerToken : users[index]!;
      return checkedStream(stack, token, `Burst ${burst} ${index} ${tag}`, expected);
    });
  const relay = (pair: BurstPair) =>
    timedBurst(pair.size, stack.pipe.workerdCpuMs, (index) => checkedRelay(stack, `Relay ${burst} ${index} ${tag}`, chunks));
  await settle();
  for (let round = 0; round < BURST_ROUNDS; round++) {
    for (const [position, pair] of pairs.entries()) {
      burst++;
      if ((round + position) % 2 === 0) {
        pair.relay.push(await relay(pair));
        pair.api.push(await api(pair));
      } else {
        pair.api.push(await api(pair));
        pair.relay.push(await relay(pair));
      }
    }
  }
  return pairs;
}
