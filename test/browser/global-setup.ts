// Runs once, in Node, before the browser tests: the local stack of dev/local-stack.ts (the SQL
// endpoint on an in-memory PGlite with the migrations applied, the scripted upstream, and the Worker
// built as `wrangler deploy` builds it, with its static assets, under Miniflare) on loopback.
import type { TestProject } from "vitest/node";
import { startLocalStack } from "../../dev/local-stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** The Worker serving the page and the API, e.g. http://127.0.0.1:8787 */
    appOrigin: string;
    /** The scripted OpenAI-compatible upstream: `/v1` for the Worker, `/scripts` for the tests. */
    upstreamUrl: string;
    /** Login attempts per email before 429: few, so that a test meets the limit quickly. */
    loginAttemptsPerEmail: number;
  }
}

const LOGIN_ATTEMPTS_PER_EMAIL = 3;

export default async function setup(project: TestProject) {
  const stack = await startLocalStack({
    buildDir: ".wrangler/browser-build",
    vars: {
      ENVIRONMENT: "test",
      JWT_SECRET: "browser-test-secret-that-is-at-least-32-bytes-long",
      // Every test registers users from one address; limits are met on purpose in their own tests.
      AUTH_RATE_LIMIT_MAX_REQUESTS: "1000000",
      RATE_LIMIT_MAX_REQUESTS: "1000000",
      API_RATE_LIMIT_MAX_REQUESTS: "1000000",
      LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS: String(LOGIN_ATTEMPTS_PER_EMAIL),
      // Low enough that one model with a large bound is over it (see "a spend limit shows as an alert").
      SPEND_LIMIT_USD: "1",
      // Low enough that a test ranks a model with a few votes and leaves another provisional.
      MIN_VOTES_FOR_RANK: "2",
    },
  });
  project.provide("appOrigin", stack.origin);
  project.provide("upstreamUrl", stack.upstreamUrl);
  project.provide("loginAttemptsPerEmail", LOGIN_ATTEMPTS_PER_EMAIL);
  return () => stack.stop();
}
