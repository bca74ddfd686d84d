// `npm run dev`: the database (embedded unless DATABASE_URL says otherwise) with its migrations
// applied, then `wrangler dev` on PORT (4000), pointed at it. Ctrl-C stops both; data is kept. A
// database that cannot be reached does not stop it: the API starts (new streams work, and their
// turns wait in the users' Durable Objects) and the migrations are applied once it answers.
import { type ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { openDatabase, readDevVars } from "./database.ts";
import { migrateWhenReachable } from "./migrate.ts";

const vars = readDevVars();
const port = Number(vars.PORT ?? 4000);
const origin = `http://localhost:${port}`;

let wrangler: ChildProcess | undefined;
let stopping = false;

const database = await openDatabase(vars.DATABASE_URL || undefined);
// wrangler starts once the migrations are applied, or as soon as the database is known to be away.
let waited = false;
let databaseAway: () => void = () => {};
const away = new Promise<"away">((resolve) => (databaseAway = () => resolve("away")));
const migrated = migrateWhenReachable(database.connectionString, {
  onWaiting(reason) {
    console.warn(
      `database: ${database.description} cannot be reached (${reason}).\n` +
        "  The API starts anyway: reads answer 503 and finished turns wait in each user's Durable Object;\n" +
        "  the migrations are applied as soon as it answers.",
    );
    waited = true;
    databaseAway();
  },
});
const migrationFailed = (error: unknown) => {
  console.error("database: a migration failed:", error instanceof Error ? error.message : error);
  return stop(1);
};
const reported = migrated.then((applied) => {
  const migrations = applied ? `${applied} migration(s) applied` : "no migration pending";
  console.log(`database: ${database.description}${waited ? " answers now" : ""} (${migrations})`);
}, migrationFailed);
await Promise.race([reported, away]);
if (stopping) await new Promise(() => {});

const wranglerCli = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
wrangler = spawn(
  process.execPath,
  [
    wranglerCli,
    "dev",
    "--port",
    String(port),
    "--ip",
    "127.0.0.1",
    "--show-interactive-dev-session=false",
    // These win over .dev.vars: the Worker must reach the database this launcher serves.
    "--var",
    `DATABASE_URL:${database.connectionString}`,
    "--var",
    `ENVIRONMENT:${vars.ENVIRONMENT ?? "development"}`,
  ],
  // No telemetry, and no fetch of Request.cf from the internet: this must work offline.
  { stdio: "inherit", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
);

async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  if (wrangler && wrangler.exitCode === null) {
    wrangler.kill("SIGTERM");
    await new Promise((resolve) => wrangler.once("exit", resolve));
  }
  await database.close();
  console.log("stopped: the API and the database (data kept)");
  process.exit(code);
}
process.on("SIGINT", () => void stop(0));
process.on("SIGTERM", () => void stop(0));
wrangler.on("exit", (code) => void stop(code ?? 1));

async function announceWhenReady() {
  for (let attempt = 0; attempt < 600 && !stopping; attempt++) {
    const up = await fetch(`${origin}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (up) {
      console.log(`\n  API:  ${origin}\n  docs: ${origin}/api  (OpenAPI: ${origin}/openapi.json)\n  Ctrl-C stops it.\n`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
void announceWhenReady();
