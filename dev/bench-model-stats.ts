// GET /playground/stats over many answers: 200,000 generated conversations of 1,000 users on 8
// models over 60 days (a model's speed and price of its own, some errors and cancellations),
// written straight into the database, then timed through the API for everyone's and one user's.
import { neon } from "@neondatabase/serverless";
import { call, expectStatus } from "./bench-client.ts";
import type { Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";
import { median, percentile, round } from "./bench-stats.ts";

const CONVERSATIONS = 200_000;
const USERS = 1_000;
const BATCH = 20_000;
const REQUESTS = 15;
const MODELS = ["gpt-4o", "gpt-4o-mini", "gpt-4.1", "gpt-4.1-mini", "o3", "o4-mini", "gpt-5", "gpt-5-mini"];

/** One batch of conversations, each with its session, through unnest. */
async function writeBatch(sql: ReturnType<typeof neon<false, false>>, users: string[], benchUserId: string, start: number) {
  const rows = Array.from({ length: Math.min(BATCH, CONVERSATIONS - start) }, (_, offset) => {
    const index = start + offset;
    const model = index % MODELS.length;
    const roll = (index * 7919) % 100;
    const ttft = 150 + model * 40 + (index % 97) * 3;
    return {
      session: crypto.randomUUID(),
      owner: index % 100 === 0 ? benchUserId : users[index % USERS]!,
      model: MODELS[model]!,
      status: roll < 4 ? "error" : roll < 7 ? "cancelled" : "completed",
      ttft,
      time: ttft + 500 + (index % 89) * 20,
      tokens: 50 + (index % 700),
      cost: (model + 1) * 0.0001 * (1 + (index % 13) / 13),
      daysAgo: (index % 6000) / 100,
    };
  });
  const column = <K extends keyof (typeof rows)[number]>(key: K) => rows.map((row) => row[key]);
  await sql`insert into sessions (id, user_id, prompt, models, status)
    select id, owner, 'generated', array[model], 'completed' from unnest(${column("session")}::uuid[], ${column("owner")}::uuid[], ${column("model")}::text[]) as t(id, owner, model)`;
  await sql`insert into conversations (id, session_id, user_id, model_name, turn, user_prompt, status, time_to_first_token, response_time, output_tokens, cost, created_at)
    select gen_random_uuid(), id, owner, model, 1, 'generated', status, case when status = 'error' then null else ttft end, time, tokens, cost, now() - days * interval '1 day'
    from unnest(${column("session")}::uuid[], ${column("owner")}::uuid[], ${column("model")}::text[], ${column("status")}::text[], ${column("ttft")}::int[],
      ${column("time")}::int[], ${column("tokens")}::int[], ${column("cost")}::float8[], ${column("daysAgo")}::float8[])
      as t(id, owner, model, status, ttft, time, tokens, cost, days)`;
}

async function timeStats(stack: Stack, token: string, query: string) {
  const times: number[] = [];
  let models = 0;
  for (let request = 0; request < REQUESTS + 1; request++) {
    const started = performance.now();
    const response = await expectStatus(await call(stack.origin, "GET", `/playground/stats?${query}`, { token }), 200, `stats ${query}`);
    models = ((await response.json()) as { models: unknown[] }).models.length;
    // The first request warms the query plan and the isolate: not counted.
    if (request > 0) times.push(performance.now() - started);
  }
  return { times, models };
}

export async function measureModelStats(stack: Stack, token: string, userId: string): Promise<Section> {
  const generated = performance.now();
  const sql = neon(stack.database.connectionString);
  const users = Array.from({ length: USERS }, () => crypto.randomUUID());
  await sql`insert into users (id, email, password_hash) select id, 'answerer-' || id || '@example.com', 'x' from unnest(${users}::uuid[]) as id`;
  for (let start = 0; start < CONVERSATIONS; start += BATCH) await writeBatch(sql, users, userId, start);
  await sql`analyze conversations`;
  const generateSeconds = (performance.now() - generated) / 1000;
  const all30 = await timeStats(stack, token, "scope=all&days=30");
  const all365 = await timeStats(stack, token, "scope=all&days=365");
  const mine = await timeStats(stack, token, "scope=mine&days=30");
  const row = (key: string, figure: string, times: number[], note?: string) => [
    { key: `${key}MedianMs`, figure: `${figure}, median`, value: round(median(times)), unit: "ms", note },
    { key: `${key}P95Ms`, figure: `${figure}, p95`, value: round(percentile(times, 95)), unit: "ms" },
  ];
  return {
    key: "modelStats",
    title: `11. Speed and cost per model over ${CONVERSATIONS.toLocaleString("en")} generated conversations (${MODELS.length} models, 60 days; GET /playground/stats, ${REQUESTS} requests after one)`,
    rows: [
      ...row(
        "all30",
        "scope=all, days=30",
        all30.times,
        "half the conversations in the window: one aggregate query, percentiles by Postgres",
      ),
      ...row("all365", "scope=all, days=365", all365.times, "every conversation"),
      ...row("mine", "scope=mine, days=30", mine.times, "one user's 1,000, by its index"),
    ],
    details: { conversations: CONVERSATIONS, users: USERS, models: MODELS, generateSeconds: round(generateSeconds, 1) },
  };
}
