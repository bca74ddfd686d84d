// What the Worker costs before it serves anything: the size of its bundle and its startup CPU.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { constants, gzipSync } from "node:zlib";
import type { Section } from "./bench-report.ts";
import { median, round } from "./bench-stats.ts";
import { wranglerCli, wranglerEnv } from "./local-stack.ts";

const STARTUP_RUNS = 7;

/** Runs a wrangler command to its end; rejects with its last output when it fails. */
function runWrangler(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wranglerCli, ...args], { env: wranglerEnv, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const keep = (chunk: Buffer) => {
      output = (output + chunk.toString("utf8")).slice(-4000);
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`wrangler ${args[0]} exited with ${code}:\n${output}`))));
  });
}

async function inTempDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "bench-build-"));
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The modules `wrangler deploy` would upload (source maps aside), raw and gzipped. */
export const measureBundle = (): Promise<Section> =>
  inTempDir(async (outdir) => {
    await runWrangler(["deploy", "--dry-run", "--outdir", outdir]);
    const modules = readdirSync(outdir, { recursive: true, encoding: "utf8" }).filter((file) => /\.m?js$/.test(file));
    const contents = modules.map((file) => readFileSync(join(outdir, file)));
    const total = (size: (content: Buffer) => number) => contents.reduce((sum, content) => sum + size(content), 0);
    const gzip9 = total((content) => gzipSync(content, { level: 9 }).length);
    return {
      key: "bundle",
      title: "5a. Bundle (wrangler deploy --dry-run --outdir)",
      rows: [
        {
          key: "rawBytes",
          figure: "Worker modules, raw",
          value: total((content) => content.length),
          unit: "bytes",
          note: modules.join(", "),
        },
        {
          key: "gzip9Bytes",
          figure: "gzip, level 9",
          value: gzip9,
          unit: "bytes",
          note: `${round(gzip9 / 1024, 1)} KiB; the Workers free plan allows 3 MiB gzipped`,
        },
        {
          key: "gzipDefaultBytes",
          figure: "gzip, default level",
          value: total((content) => gzipSync(content, { level: constants.Z_DEFAULT_COMPRESSION }).length),
          unit: "bytes",
          note: "zlib's default (6)",
        },
      ],
    };
  });

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string } }[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** CPU time of a startup profile: the samples that were not idle, each credited with its time delta (µs). */
function startupCpu(profile: CpuProfile) {
  const names = new Map(profile.nodes.map((node) => [node.id, node.callFrame.functionName]));
  let activeUs = 0;
  let gcUs = 0;
  profile.samples.forEach((sample, index) => {
    const name = names.get(sample);
    const delta = profile.timeDeltas[index] ?? 0;
    if (name !== "(idle)") activeUs += delta;
    if (name === "(garbage collector)") gcUs += delta;
  });
  return { cpuMs: activeUs / 1000, gcMs: gcUs / 1000, windowMs: (profile.endTime - profile.startTime) / 1000 };
}

/** `wrangler check startup`, a few times (one profile holds only a few dozen samples): the median. */
export const measureStartup = (): Promise<Section> =>
  inTempDir(async (dir) => {
    const runs: ReturnType<typeof startupCpu>[] = [];
    for (let run = 0; run < STARTUP_RUNS; run++) {
      const outfile = join(dir, `startup-${run}.cpuprofile`);
      await runWrangler(["check", "startup", "--outfile", outfile]);
      runs.push(startupCpu(JSON.parse(readFileSync(outfile, "utf8")) as CpuProfile));
    }
    const cpuMs = runs.map((run) => run.cpuMs);
    return {
      key: "startup",
      title: `5b. Startup (wrangler check startup, median of ${STARTUP_RUNS} profiles)`,
      rows: [
        {
          key: "cpuMs",
          figure: "startup CPU",
          value: round(median(cpuMs)),
          unit: "ms",
          note: 'sum of the profile\'s time deltas over samples not "(idle)" (as wrangler\'s own "Active")',
        },
        { key: "gcMs", figure: "of which garbage collection", value: round(median(runs.map((run) => run.gcMs))), unit: "ms" },
        {
          key: "minCpuMs",
          figure: "startup CPU, lowest run",
          value: round(Math.min(...cpuMs)),
          unit: "ms",
          note: "local CPU, not Cloudflare's; startup is limited to 1 s there",
        },
        {
          key: "profileWindowMs",
          figure: "profile window, median",
          value: round(median(runs.map((run) => run.windowMs))),
          unit: "ms",
          note: "wall time the profiler ran, idle included",
        },
      ],
      details: { runs: runs.map((run) => ({ cpuMs: round(run.cpuMs), gcMs: round(run.gcMs), windowMs: round(run.windowMs) })) },
    };
  });
