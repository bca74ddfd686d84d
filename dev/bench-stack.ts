// The real local stack the benchmark measures (dev/local-stack.ts: the SQL endpoint on an in-memory
// database, the scripted upstream, and the built Worker in workerd, all on loopback), the floor
// beside it, and the CPU workerd has used.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { UPSTREAM_API_KEY } from "../test/upstream/scripted-upstream.ts";
import { freePort, startLocalStack } from "./local-stack.ts";
import type { SqlEndpoint } from "./sql-endpoint.ts";

const BUILD_DIR = ".wrangler/bench-build";

// Limits far above what the benchmark sends: it measures the limiter's cost, never a refusal.
const NO_LIMIT = "1000000";
const LIMIT_VARIABLES = [
  "RATE_LIMIT_MAX_REQUESTS",
  "AUTH_RATE_LIMIT_MAX_REQUESTS",
  "API_RATE_LIMIT_MAX_REQUESTS",
  "LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS",
];

export interface Stack {
  /** The API, e.g. http://127.0.0.1:8787 */
  origin: string;
  /** The floor: a Worker that only relays the upstream's answer (dev/bench-pipe-worker.js), and its CPU. */
  pipe: { origin: string; workerdCpuMs(): number };
  upstreamUrl: string;
  database: SqlEndpoint;
  /** CPU time (user + system) in ms used so far by the workerd process running the Worker. */
  workerdCpuMs(): number;
  workerdPids(): number[];
  stop(): Promise<void>;
}

/** Starts the local stack and the floor beside it; on any failure what was started is stopped again. */
export async function startStack(options: { inspectorPort?: number; minify?: boolean; buildDir?: string } = {}): Promise<Stack> {
  // The spend cap off too: 200 streams of 3 models at the default bound would reserve more than $5.
  const vars = { ENVIRONMENT: "development", SPEND_LIMIT_USD: "0", ...Object.fromEntries(LIMIT_VARIABLES.map((name) => [name, NO_LIMIT])) };
  const api = await startLocalStack({ buildDir: BUILD_DIR, vars, ...options });
  try {
    const ownWorkerds = () => processTable().filter((entry) => entry.parent === process.pid && entry.name.startsWith("workerd"));
    const apiPids = new Set(ownWorkerds().map((workerd) => workerd.pid));
    const workerds = () => ownWorkerds().filter((workerd) => apiPids.has(workerd.pid));
    const pipePort = await freePort();
    const pipe = new Miniflare(
      convertV4MiniflareOptions({
        host: "127.0.0.1",
        port: pipePort,
        cf: false,
        workers: [
          {
            name: "pipe",
            modules: true,
            scriptPath: "dev/bench-pipe-worker.js",
            compatibilityDate: "2026-11-01",
            bindings: { UPSTREAM_URL: api.upstreamUrl, UPSTREAM_API_KEY },
          },
        ],
      } as Parameters<typeof convertV4MiniflareOptions>[0]),
    );
    await pipe.ready;
    const pipeWorkerds = () => ownWorkerds().filter((workerd) => !apiPids.has(workerd.pid));
    return {
      origin: api.origin,
      pipe: { origin: `http://127.0.0.1:${pipePort}`, workerdCpuMs: () => pipeWorkerds().reduce((sum, workerd) => sum + workerd.cpuMs, 0) },
      upstreamUrl: api.upstreamUrl,
      database: api.database,
      workerdCpuMs: () => workerds().reduce((sum, workerd) => sum + workerd.cpuMs, 0),
      workerdPids: () => workerds().map((workerd) => workerd.pid),
      async stop() {
        await pipe.dispose();
        await api.stop();
      },
    };
  } catch (error) {
    await api.stop();
    throw error;
  }
}

export interface ProcessCpu {
  pid: number;
  name: string;
  parent: number;
  cpuMs: number;
}

const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Every process's parent, name and CPU time, from /proc/<pid>/stat. */
export function processTable(): ProcessCpu[] {
  const table: ProcessCpu[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // it ended while we looked
    }
    // The name is in parentheses and may itself hold spaces or parentheses: split after the last ")".
    const nameEnd = stat.lastIndexOf(")");
    const fields = stat.slice(nameEnd + 2).split(" ");
    // Fields from the third on: ppid is the 4th, utime the 14th, stime the 15th (proc(5)).
    const ticks = Number(fields[11]) + Number(fields[12]);
    table.push({
      pid: Number(entry),
      name: stat.slice(stat.indexOf("(") + 1, nameEnd),
      parent: Number(fields[1]),
      cpuMs: (ticks * 1000) / clockTicksPerSecond,
    });
  }
  return table;
}
