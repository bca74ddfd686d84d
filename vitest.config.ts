import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_JWT_SECRET } from "./test/test-secrets.ts";
import { UPSTREAM_API_KEY } from "./test/upstream/scripted-upstream.ts";

export default defineConfig({
  test: {
    // The Worker logs a line per request: show the logs of failing tests only.
    silent: "passed-only",
    projects: [
      {
        // Pure modules of src/ in plain Node: no Worker, no database, no network; a few seconds.
        test: { name: "unit", environment: "node", include: ["test/unit/**/*.test.ts"] },
      },
      {
        // Node-only programs under dev/: the local SQL-over-HTTP endpoint and its protocol fidelity.
        test: { name: "dev", environment: "node", include: ["test/dev/**/*.test.ts"] },
      },
      {
        // The Worker, inside workerd, against the global setup's database and upstream.
        plugins: [
          cloudflareTest(({ inject }) => ({
            // workerd's verbose log prints "uncaught exception … Network connection lost" for every fetch
            // that fails on the network, even one whose promise is handled: the tests that take the database
            // or an upstream away make such fetches on purpose, and the driver and the SDK catch each one
            // (a caught `fetch("http://127.0.0.1:9/").catch(…)` prints the same lines). A rejection that no
            // one handles is still reported: vitest fails the run with "Unhandled Rejection".
            verbose: false,
            wrangler: { configPath: "./wrangler.toml" },
            miniflare: {
              bindings: {
                ENVIRONMENT: "test",
                DATABASE_URL: inject("databaseUrl"),
                JWT_SECRET: TEST_JWT_SECRET,
                OPENAI_API_KEY: UPSTREAM_API_KEY,
                OPENAI_BASE_URL: `${inject("upstreamUrl")}/v1`,
                // Every test registers users from one address: limits are exercised in their own
                // tests, with their own settings (test/api/rate-limit.test.ts).
                AUTH_RATE_LIMIT_MAX_REQUESTS: "1000000",
                RATE_LIMIT_MAX_REQUESTS: "1000000",
              },
            },
          })),
        ],
        test: {
          name: "worker",
          include: ["test/api/**/*.test.ts"],
          globalSetup: ["test/global-setup.ts"],
        },
      },
      {
        // The playground page in a real headless Chromium, against the built Worker and its assets.
        test: {
          name: "browser",
          environment: "node",
          include: ["test/browser/**/*.test.ts"],
          globalSetup: ["test/browser/global-setup.ts"],
          testTimeout: 20_000,
          hookTimeout: 30_000,
        },
      },
    ],
  },
});
