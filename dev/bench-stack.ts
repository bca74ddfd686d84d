// The real local stack the benchmark measures: the SQL endpoint on an in-memory database, the
// scripted upstream, and the built Worker in workerd, all on loopback; and the CPU workerd has used.
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { startScriptedUpstream, UPSTREAM_API_KEY } from "../test/upstream/scripted-upstream.ts";
import { applyMigrations } from "./migrate.ts";
import { type SqlEndpoint, startSqlEndpoint } from "./sql-endpoint.ts";

export const wranglerCli = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");

/** No telemetry, no fetch of Request.cf from the internet (the benchmark runs offline), and plain text for our logs. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", FORCE_COLOR: "0" };

const WRANGLER_CONFIG = "wrangler.toml";
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

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** Builds the Worker as `wrangler deploy` would, into `outdir`; rejects with wrangler's output when it fails. */
export function buildWorker(outdir: string): void {
  const build = spawnSync(process.execPath, [wranglerCli, "deploy", "--dry-run", "--outdir", outdir], { env: wranglerEnv, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`the Worker did not build:\n${(build.stdout + build.stderr).slice(-4000)}`);
}

/**
 * Starts everything; on any failure what was started is stopped again. The Worker is the bundle
 * `wrangler deploy` builds, run by Miniflare with wrangler.toml's bindings: the same workerd as
 * `wrangler dev`, without the proxy worker that `wrangler dev` puts in front of it (about 5 ms a
 * request on loopback), which production does not have either.
 */
export async function startStack(options: { inspectorPort?: number } = {}): Promise<Stack> {
  const database = await startSqlEndpoint();
  const upstream = await startScriptedUpstream();
  const closeServices = async () => {
    await upstream.close();
    await database.close();
  };
  try {
    await applyMigrations(database.connectionString);
    // Inside the project: Miniflare resolves modules below its working directory.
    buildWorker(BUILD_DIR);
    // The bundle is built already: its module rules are wrangler's business.
    const { modulesRules: _, ...workerOptions } = unstable_getMiniflareWorkerOptions(WRANGLER_CONFIG).workerOptions;
    const port = await freePort();
    const vars = {
      DATABASE_URL: database.connectionString,
      ENVIRONMENT: "development",
      OPENAI_API_KEY: UPSTREAM_API_KEY,
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      ...Object.fromEntries(LIMIT_VARIABLES.map((name) => [name, NO_LIMIT])),
    };
    const miniflare = new Miniflare(
      convertV4MiniflareOptions({
        host: "127.0.0.1",
        port,
        cf: false,
        ...(options.inspectorPort ? { inspectorPort: options.inspectorPort } : {}),
        workers: [
          {
            ...workerOptions,
            name: "api",
            modules: true,
            scriptPath: join(BUILD_DIR, "index.js"),
            bindings: { ...(workerOptions.bindings as Record<string, unknown>), ...vars },
          },
        ],
      } as Parameters<typeof convertV4MiniflareOptions>[0]),
    );
    await miniflare.ready;
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
            bindings: { UPSTREAM_URL: upstream.url, UPSTREAM_API_KEY },
          },
        ],
      } as Parameters<typeof convertV4MiniflareOptions>[0]),
    );
    await pipe.ready;
    const pipeWorkerds = () => ownWorkerds().filter((workerd) => !apiPids.has(workerd.pid));
    return {
      origin: `http://127.0.0.1:${port}`,
      pipe: { origin: `http://127.0.0.1:${pipePort}`, workerdCpuMs: () => pipeWorkerds().reduce((sum, workerd) => sum + workerd.cpuMs, 0) },
      upstreamUrl: upstream.url,
      database,
      workerdCpuMs: () => workerds().reduce((sum, workerd) => sum + workerd.cpuMs, 0),
      workerdPids: () => workerds().map((workerd) => workerd.pid),
      async stop() {
        await pipe.dispose();
        await miniflare.dispose();
        await closeServices();
      },
    };
  } catch (error) {
    await closeServices();
    throw error;
  }
}

interface ProcessCpu {
  pid: number;
  name: string;
  parent: number;
  cpuMs: number;
}

const clockTicksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;

/** Every process's parent, name and CPU time, from /proc/<pid>/stat. */
function processTable(): ProcessCpu[] {
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
