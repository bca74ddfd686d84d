// `node dev/dev-burst.ts [streams]`: the capacity check where a developer meets it. The API under
// `wrangler dev` (as `npm run dev` runs it, pointed at the scripted upstream) beside the relay-only
// Worker under a second `wrangler dev` that serves the page's static assets and logs a line per
// request; bursts of one user's one-model streams at each, three rounds alternating which goes
// first, after one warm-up burst each. Prints, per round, the CPU per stream of each side's workerd
// (its whole life, the settle included) and the first chunk's median, with their ratios.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { startScriptedUpstream, UPSTREAM_API_KEY } from "../test/upstream/scripted-upstream.ts";
import { BURST_CHUNKS, BURST_MODEL, BURST_PACE, settle } from "./bench-burst.ts";
import { chatFaultOf, readChatStream, registerUser, scriptUpstream } from "./bench-client.ts";
import { checkedStream, type Outcome } from "./bench-load.ts";
import type { Stack } from "./bench-stack.ts";
import { processTable } from "./bench-stack.ts";
import { freePort, wranglerCli, wranglerEnv } from "./local-stack.ts";
import { applyMigrations } from "./migrate.ts";
import { startSqlEndpoint } from "./sql-endpoint.ts";

const STREAMS = Number(process.argv[2] ?? 100);
const ROUNDS = 3;
const RELAY_DIR = ".wrangler/dev-burst-relay";
const NO_LIMIT = "1000000";

const database = await startSqlEndpoint();
await applyMigrations(database.connectionString);
const upstream = await startScriptedUpstream();

/** `wrangler dev` on a free port, its own inspector port too (two cannot share the default). */
async function wranglerDev(cwd: string, args: string[]): Promise<{ origin: string; process: ChildProcess }> {
  const port = await freePort();
  const common = ["dev", "--port", String(port), "--ip", "127.0.0.1", "--show-interactive-dev-session=false"];
  const child = spawn(process.execPath, [wranglerCli, ...common, "--inspector-port", String(await freePort()), ...args], {
    cwd,
    env: wranglerEnv,
    stdio: ["ignore", "ignore", "inherit"],
  });
  const origin = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev in ${cwd} exited with ${child.exitCode}`);
    if (
      await fetch(`${origin}/health`).then(
        () => true,
        () => false,
      )
    )
      return { origin, process: child };
    await new Promise((wait) => setTimeout(wait, 300));
  }
}

const vars = {
  DATABASE_URL: database.connectionString,
  OPENAI_BASE_URL: `${upstream.url}/v1`,
  OPENAI_API_KEY: UPSTREAM_API_KEY,
  ENVIRONMENT: "development",
  SPEND_LIMIT_USD: "0",
  RATE_LIMIT_MAX_REQUESTS: NO_LIMIT,
};
const api = await wranglerDev(
  ".",
  Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
);
mkdirSync(RELAY_DIR, { recursive: true });
const relayConfig = [
  'name = "relay"',
  `main = ${JSON.stringify(resolve("dev/bench-pipe-worker.js"))}`,
  'compatibility_date = "2026-11-01"',
  "[assets]",
  `directory = ${JSON.stringify(resolve("public"))}`,
  "[vars]",
  `UPSTREAM_URL = ${JSON.stringify(upstream.url)}`,
  `UPSTREAM_API_KEY = ${JSON.stringify(UPSTREAM_API_KEY)}`,
];
writeFileSync(`${RELAY_DIR}/wrangler.toml`, `${relayConfig.join("\n")}\n`);
const relay = await wranglerDev(RELAY_DIR, []);

/** CPU in ms of the workerd processes below `root`. */
function workerdCpuMs(root: ChildProcess): number {
  const table = processTable();
  const below = new Set([root.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of table)
      if (below.has(entry.parent) && !below.has(entry.pid)) {
        below.add(entry.pid);
        grew = true;
      }
  }
  return table.filter((entry) => below.has(entry.pid) && entry.name.startsWith("workerd")).reduce((sum, entry) => sum + entry.cpuMs, 0);
}

const user = await registerUser(api.origin);
const chunks = Array.from({ length: BURST_CHUNKS }, (_, index) => `${BURST_MODEL}:${index} `);
const tag = await scriptUpstream(upstream.url, { [BURST_MODEL]: { chunks, ...BURST_PACE } });
const stack = { origin: api.origin } as Stack;

async function throughRelay(prompt: string): Promise<Outcome> {
  const started = performance.now();
  const body = JSON.stringify({ model: BURST_MODEL, stream: true, messages: [{ role: "user", content: prompt }] });
  const reading = await readChatStream(await fetch(`${relay.origin}/v1/chat/completions`, { method: "POST", body }));
  const fault = chatFaultOf(reading, chunks) ?? (reading.firstContentAt === undefined ? "no content" : undefined);
  return fault ? { ok: false, reason: fault } : { ok: true, firstChunkMs: reading.firstContentAt! - started };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;

async function burst(side: "api" | "relay", round: number) {
  const root = side === "api" ? api.process : relay.process;
  const before = workerdCpuMs(root);
  const outcomes = await Promise.all(
    Array.from({ length: STREAMS }, (_, index) => {
      const prompt = `${side} ${round} ${index} ${tag}`;
      return side === "api" ? checkedStream(stack, user.accessToken, prompt, { [BURST_MODEL]: chunks.join("") }) : throughRelay(prompt);
    }),
  );
  await settle();
  const failures = outcomes.filter((outcome) => !outcome.ok).length;
  const firstChunkMs = median(outcomes.flatMap((outcome) => (outcome.ok ? [outcome.firstChunkMs] : [])));
  return { cpuMs: (workerdCpuMs(root) - before) / STREAMS, firstChunkMs, failures };
}

try {
  await burst("api", -1);
  await burst("relay", -1);
  for (let round = 0; round < ROUNDS; round++) {
    const sides = round % 2 === 0 ? (["relay", "api"] as const) : (["api", "relay"] as const);
    const [first, second] = [await burst(sides[0], round), await burst(sides[1], round)];
    const [own, floor] = sides[0] === "api" ? [first, second] : [second, first];
    const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
    console.log(
      `round ${round + 1}: CPU per stream ${own.cpuMs.toFixed(1)} / ${floor.cpuMs.toFixed(1)} ms (${ratio(own.cpuMs, floor.cpuMs)}), ` +
        `first chunk p50 ${own.firstChunkMs.toFixed(0)} / ${floor.firstChunkMs.toFixed(0)} ms (${ratio(own.firstChunkMs, floor.firstChunkMs)}), ` +
        `failures ${own.failures} / ${floor.failures}`,
    );
  }
} finally {
  api.process.kill("SIGTERM");
  relay.process.kill("SIGTERM");
  await upstream.close();
  await database.close();
}
