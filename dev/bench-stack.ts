// The real local stack the benchmark measures: the SQL endpoint on an in-memory database, the
// scripted upstream, and the Worker under `wrangler dev`, all on loopback; and the CPU its workerd
// processes have used.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startScriptedUpstream, UPSTREAM_API_KEY } from "../test/upstream/scripted-upstream.ts";
import { applyMigrations } from "./migrate.ts";
import { type SqlEndpoint, startSqlEndpoint } from "./sql-endpoint.ts";

export const wranglerCli = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");

/** No telemetry, no fetch of Request.cf from the internet (the benchmark runs offline), and plain text for our logs. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", FORCE_COLOR: "0" };

// Limits far above what the benchmark sends: it measures the limiter's cost, never a refusal.
const NO_LIMIT = "1000000";
const LIMIT_VARIABLES = [
  "RATE_LIMIT_MAX_REQUESTS",
  "AUTH_RATE_LIMIT_MAX_REQUESTS",
  "API_RATE_LIMIT_MAX_REQUESTS",
  "LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS",
];
const READY_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 5_000;

export interface Stack {
  /** The API, e.g. http://127.0.0.1:8787 */
  origin: string;
  upstreamUrl: string;
  database: SqlEndpoint;
  /** CPU time (user + system) used so far by the workerd processes under wrangler. */
  workerdCpuMs(): WorkerdCpu;
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

/** Starts everything; on any failure what was started is stopped again. */
export async function startStack(): Promise<Stack> {
  const database = await startSqlEndpoint();
  const upstream = await startScriptedUpstream();
  const persistDir = mkdtempSync(join(tmpdir(), "bench-wrangler-"));
  process.once("exit", () => rmSync(persistDir, { recursive: true, force: true }));
  const closeServices = async () => {
    await upstream.close();
    await database.close();
    rmSync(persistDir, { recursive: true, force: true });
  };
  try {
    await applyMigrations(database.connectionString);
    const port = await freePort();
    const vars = {
      DATABASE_URL: database.connectionString,
      ENVIRONMENT: "development",
      OPENAI_API_KEY: UPSTREAM_API_KEY,
      OPENAI_BASE_URL: `${upstream.url}/v1`,
      ...Object.fromEntries(LIMIT_VARIABLES.map((name) => [name, NO_LIMIT])),
    };
    const wrangler = startWrangler(port, await freePort(), persistDir, vars);
    const origin = `http://127.0.0.1:${port}`;
    try {
      await waitUntilHealthy(origin, wrangler);
    } catch (error) {
      await stopProcessGroup(wrangler.child);
      throw error;
    }
    return {
      origin,
      upstreamUrl: upstream.url,
      database,
      workerdCpuMs: () => splitCpu(workerdOf(wrangler.child), port),
      workerdPids: () => workerdOf(wrangler.child).map((workerd) => workerd.pid),
      async stop() {
        await stopProcessGroup(wrangler.child);
        await closeServices();
      },
    };
  } catch (error) {
    await closeServices();
    throw error;
  }
}

interface Wrangler {
  child: ChildProcess;
  /** The last lines wrangler printed, to explain a failed start. */
  recentOutput: string[];
}

function startWrangler(port: number, inspectorPort: number, persistDir: string, vars: Record<string, string>): Wrangler {
  const args = [
    wranglerCli,
    "dev",
    "--port", String(port),
    "--ip", "127.0.0.1",
    "--inspector-port", String(inspectorPort),
    "--show-interactive-dev-session=false",
    // A fresh directory: Durable Object state of earlier runs must not count.
    "--persist-to", persistDir,
    ...Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
  ];
  // Its own process group, so that stopping it also stops the workerd processes it started.
  const child = spawn(process.execPath, args, { env: wranglerEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  // However the benchmark ends (an error, Ctrl-C), the group must not outlive it; after a clean stop it is gone already.
  process.once("exit", () => signalGroup(child, "SIGTERM"));
  const recentOutput: string[] = [];
  const keep = (chunk: Buffer) => {
    recentOutput.push(...chunk.toString("utf8").split("\n").filter(Boolean));
    recentOutput.splice(0, Math.max(0, recentOutput.length - 40));
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { child, recentOutput };
}

async function waitUntilHealthy(origin: string, { child, recentOutput }: Wrangler) {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`wrangler dev exited with code ${child.exitCode}:\n${recentOutput.join("\n")}`);
    }
    const healthy = await fetch(`${origin}/health`).then((response) => response.ok, () => false);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`the API did not answer /health within ${READY_TIMEOUT_MS / 1000} s:\n${recentOutput.join("\n")}`);
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group is gone already.
  }
}

/** SIGTERM to wrangler's group, then SIGKILL to whatever of it is left. */
async function stopProcessGroup(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    signalGroup(child, "SIGTERM");
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS))]);
  }
  signalGroup(child, "SIGKILL");
}

/** In ms. wrangler dev runs two workerd: its proxy worker on the API's port, and the Worker with its Durable Objects. */
export interface WorkerdCpu {
  /** The Worker's own workerd: the app, the rate limiter, the database client. */
  worker: number;
  /** wrangler dev's proxy worker, which relays every request and every byte; not there in production. */
  proxy: number;
}

/** The proxy is the workerd whose `entry` socket is the API's port (the Worker's listens on port 0). */
function splitCpu(workerds: ProcessCpu[], port: number): WorkerdCpu {
  const cpu: WorkerdCpu = { worker: 0, proxy: 0 };
  for (const workerd of workerds) {
    let commandLine = "";
    try {
      commandLine = readFileSync(`/proc/${workerd.pid}/cmdline`, "utf8");
    } catch {
      continue; // it ended while we looked
    }
    cpu[commandLine.includes(`entry=127.0.0.1:${port}`) ? "proxy" : "worker"] += workerd.cpuMs;
  }
  return cpu;
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

/** The workerd processes descending from wrangler (its own proxy worker's included). */
function workerdOf(child: ChildProcess): ProcessCpu[] {
  const table = processTable();
  const descendants = new Set([child.pid]);
  // Parents usually come before their children in /proc, but not always (pid wrap): repeat until stable.
  for (let grew = true; grew; ) {
    grew = false;
    for (const entry of table) {
      if (descendants.has(entry.parent) && !descendants.has(entry.pid)) {
        descendants.add(entry.pid);
        grew = true;
      }
    }
  }
  return table.filter((entry) => descendants.has(entry.pid) && entry.name.startsWith("workerd"));
}
