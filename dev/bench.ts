// `npm run bench`: what the gateway costs, measured against the real local stack (the Worker under
// wrangler dev, the SQL endpoint on an in-memory database, a scripted upstream), all on loopback.
// Prints a table and writes the same figures to bench-results.json. Exits non-zero when the stack
// does not start or a concurrent stream, a burst's stream or a /v1 request fails.
import { fileURLToPath } from "node:url";
import { measureBundle, measureStartup } from "./bench-build.ts";
import { measureBurstCapacity } from "./bench-burst-report.ts";
import { registerUser } from "./bench-client.ts";
import { measureAddedFirstChunk, measureRateLimitTime } from "./bench-latency.ts";
import { measureLeaderboard } from "./bench-leaderboard.ts";
import { measureLoadAndCpu } from "./bench-load.ts";
import { measureModelStats } from "./bench-model-stats.ts";
import { measureOpenAI } from "./bench-openai.ts";
import { formatTable, machineInfo, writeResults } from "./bench-report.ts";
import { measureRoundTrips } from "./bench-round-trips.ts";
import { type Stack, startStack } from "./bench-stack.ts";
import { round } from "./bench-stats.ts";

/** At the repository's root, whatever the working directory. */
const RESULTS_FILE = fileURLToPath(new URL("../bench-results.json", import.meta.url));

// wrangler runs in its own process group, which Ctrl-C does not reach: exiting stops it (bench-stack.ts).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => process.exit(130));

/** Everything that needs the running stack: parts 1, 2, 3, 4, 6, 7, 8, 9, 10 and 11. */
async function measureAgainstStack(running: Stack) {
  const { id: userId, accessToken } = await registerUser(running.origin);
  console.error("measuring the time to first chunk, direct and through the API…");
  const firstChunk = await measureAddedFirstChunk(running, accessToken);
  console.error("measuring the rate-limit check…");
  const rateLimit = await measureRateLimitTime(running, accessToken, firstChunk.streamRateLimitMs);
  // Counted before the load, on a quiet stack: nothing else may reach the database meanwhile.
  console.error("counting database round trips…");
  const roundTrips = await measureRoundTrips(running);
  console.error("running concurrent and long streams, reading workerd's CPU…");
  const load = await measureLoadAndCpu(running, accessToken);
  console.error("measuring /v1 with an API key: first chunk, then a burst…");
  const openai = await measureOpenAI(running, accessToken);
  console.error("registering users, then bursts of streams beside the relay-only Worker…");
  const burst = await measureBurstCapacity(running, accessToken);
  // Last: its 100,000 votes would slow every query before it.
  console.error("generating 100,000 votes and timing the leaderboard…");
  const leaderboard = await measureLeaderboard(running, accessToken, userId);
  console.error("generating 200,000 conversations and timing the statistics…");
  const modelStats = await measureModelStats(running, accessToken, userId);
  return {
    ...load,
    firstChunk: firstChunk.section,
    rateLimit,
    roundTrips,
    leaderboard,
    modelStats,
    burst: burst.section,
    openaiFirstChunk: openai.firstChunk,
    openaiBurst: openai.burst,
    failures: {
      "concurrent stream(s)": load.loadFailures,
      "burst stream(s)": burst.burstFailures,
      "/v1 request(s)": openai.openaiFailures,
    },
  };
}

async function main(): Promise<number> {
  const started = performance.now();
  const machine = machineInfo();
  console.error("starting the stack (SQL endpoint, scripted upstream, the built Worker in workerd)…");
  let stack: Stack;
  try {
    stack = await startStack();
  } catch (error) {
    console.error("the stack did not start:", error instanceof Error ? error.message : error);
    return 1;
  }
  let measured: Awaited<ReturnType<typeof measureAgainstStack>>;
  try {
    measured = await measureAgainstStack(stack);
  } finally {
    await stack.stop();
  }
  // Built with the stack stopped, so that its processes do not compete for the CPU.
  console.error("building the bundle and profiling the startup…");
  const bundle = await measureBundle();
  const startup = await measureStartup();

  const { firstChunk, concurrent, cpu, roundTrips, rateLimit, leaderboard, burst, openaiFirstChunk, openaiBurst, modelStats } = measured;
  const sections = [
    firstChunk,
    concurrent,
    cpu,
    roundTrips,
    bundle,
    startup,
    rateLimit,
    leaderboard,
    burst,
    openaiFirstChunk,
    openaiBurst,
    modelStats,
  ];
  const runSeconds = round((performance.now() - started) / 1000, 1);
  writeResults(RESULTS_FILE, sections, machine, { runSeconds });
  console.log(formatTable(sections, machine));
  console.log(`\nThe run took ${runSeconds} s; the figures are in ${RESULTS_FILE}.`);
  const failed = Object.entries(measured.failures).filter(([, count]) => count > 0);
  for (const [what, count] of failed) console.error(`${count} ${what} failed`);
  return failed.length > 0 ? 1 : 0;
}

const exitCode = await main().catch((error: unknown) => {
  console.error("the benchmark failed:", error instanceof Error ? (error.stack ?? error.message) : error);
  return 1;
});
// Idle keep-alive connections to the stopped servers would otherwise hold the process open.
process.exit(exitCode);
