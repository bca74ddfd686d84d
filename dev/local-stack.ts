// The built Worker on loopback, as the bench and the browser tests run it: the SQL endpoint on an
// in-memory database with the migrations applied, the scripted upstream, and the bundle that
// `wrangler deploy` builds, with its static assets, under Miniflare.
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
import { startScriptedUpstream, UPSTREAM_API_KEY } from "../test/upstream/scripted-upstream.ts";
import { applyMigrations } from "./migrate.ts";
import { type SqlEndpoint, startSqlEndpoint } from "./sql-endpoint.ts";

export const wranglerCli = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");

/** No telemetry, no fetch of Request.cf from the internet (this runs offline), and plain text for our logs. */
export const wranglerEnv = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false", FORCE_COLOR: "0" };

const WRANGLER_CONFIG = "wrangler.toml";

export interface LocalStack {
  /** The Worker, e.g. http://127.0.0.1:8787 */
  origin: string;
  /** The scripted OpenAI-compatible upstream: `/v1` for the Worker, `/scripts` for the caller. */
  upstreamUrl: string;
  database: SqlEndpoint;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no free port");
  return address.port;
}

/** Builds the Worker as `wrangler deploy` would, into `outdir`; throws with wrangler's output when it fails. */
function buildWorker(outdir: string, minify = true): void {
  const args = [wranglerCli, "deploy", "--dry-run", "--outdir", outdir, ...(minify ? [] : ["--no-minify"])];
  const build = spawnSync(process.execPath, args, { env: wranglerEnv, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`the Worker did not build:\n${(build.stdout + build.stderr).slice(-4000)}`);
}

/**
 * Starts everything; on any failure what was started is stopped again. The Worker is the bundle
 * `wrangler deploy` builds into `buildDir` (inside the project: Miniflare resolves modules below its
 * working directory), run by Miniflare with wrangler.toml's bindings and assets: the same workerd as
 * `wrangler dev`, without the proxy worker that `wrangler dev` puts in front of it (about 5 ms a
 * request on loopback), which production does not have either. `vars` add to or override the
 * bindings; the database and the upstream's URL and key are set here.
 */
export async function startLocalStack(options: {
  buildDir: string;
  vars: Record<string, string>;
  inspectorPort?: number;
  /** False for a bundle whose functions keep their names and modules their places: for CPU profiles. */
  minify?: boolean;
}): Promise<LocalStack> {
  const database = await startSqlEndpoint();
  const upstream = await startScriptedUpstream();
  const closeServices = async () => {
    await upstream.close();
    await database.close();
  };
  try {
    await applyMigrations(database.connectionString);
    buildWorker(options.buildDir, options.minify);
    // The bundle is built already: its module rules are wrangler's business.
    const { modulesRules: _, ...workerOptions } = unstable_getMiniflareWorkerOptions(WRANGLER_CONFIG).workerOptions;
    const port = await freePort();
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
            scriptPath: join(options.buildDir, "index.js"),
            bindings: {
              ...(workerOptions.bindings as Record<string, unknown>),
              ...options.vars,
              DATABASE_URL: database.connectionString,
              OPENAI_API_KEY: UPSTREAM_API_KEY,
              OPENAI_BASE_URL: `${upstream.url}/v1`,
            },
          },
        ],
      } as Parameters<typeof convertV4MiniflareOptions>[0]),
    );
    await miniflare.ready;
    return {
      origin: `http://127.0.0.1:${port}`,
      upstreamUrl: upstream.url,
      database,
      async stop() {
        await miniflare.dispose();
        await closeServices();
      },
    };
  } catch (error) {
    await closeServices();
    throw error;
  }
}
