// The leaderboard over many votes: 100,000 generated votes of 1,000 users on 8 models (2 or 3 a
// turn, outcomes drawn from known strengths, nine in ten cast blind, spread over 100 days, each
// answer of a random length), written straight into the database, then
// GET /playground/leaderboard through the API: everyone's votes, with length control too, and one user's.
import { neon } from "@neondatabase/serverless";
import { call, expectStatus } from "./bench-client.ts";
import type { Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";
import { median, percentile, round } from "./bench-stats.ts";

const VOTES = 100_000;
const USERS = 1_000;
const BATCH = 10_000;
const REQUESTS = 15;
const MODELS = [
  "gpt-4o",
  "gpt-4o-mini",
  "gpt-4.1",
  "gpt-4.1-mini",
  "claude-sonnet-4-5",
  "claude-haiku-4-5",
  "gemini-2.5-pro",
  "gemini-2.5-flash",
];
/** Log-strengths the outcomes are drawn from, so the fitted order can be checked: best first. */
const STRENGTHS = MODELS.map((_, index) => 1.2 - 0.3 * index);

/** A small seeded generator, so every run writes the same votes. */
function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** One vote's players (2 or 3 distinct models, sorted) and its outcome, drawn from the strengths. */
function drawVote(next: () => number) {
  const count = next() < 0.7 ? 2 : 3;
  const players = new Set<number>();
  while (players.size < count) players.add(Math.floor(next() * MODELS.length));
  const indexes = [...players];
  const roll = next();
  let winner = "tie";
  if (roll > 0.1) {
    // Each player's chance is its share of exp(strength), as the Bradley-Terry model has it.
    const weights = indexes.map((index) => Math.exp(STRENGTHS[index]!));
    let pick = ((roll - 0.1) / 0.9) * weights.reduce((sum, weight) => sum + weight, 0);
    winner = MODELS[indexes[indexes.length - 1]!]!;
    for (const [position, weight] of weights.entries()) {
      pick -= weight;
      if (pick <= 0) {
        winner = MODELS[indexes[position]!]!;
        break;
      }
    }
  }
  return { models: indexes.map((index) => MODELS[index]!).sort(), winner };
}

/** Writes the users, their sessions and a vote on each, in batches through unnest. */
async function generateVotes(connectionString: string, benchUserId: string) {
  const sql = neon(connectionString);
  const users = Array.from({ length: USERS }, () => crypto.randomUUID());
  await sql`insert into users (id, email, password_hash) select id, 'voter-' || id || '@example.com', 'x' from unnest(${users}::uuid[]) as id`;
  const next = random(42);
  for (let start = 0; start < VOTES; start += BATCH) {
    const sessions: string[] = [];
    const owners: string[] = [];
    const winners: string[] = [];
    const players: string[] = [];
    const lengths: string[] = [];
    const blind: boolean[] = [];
    const daysAgo: number[] = [];
    for (let index = start; index < Math.min(VOTES, start + BATCH); index++) {
      const { models, winner } = drawVote(next);
      sessions.push(crypto.randomUUID());
      // One vote in a hundred is the bench user's, for the `mine` figure.
      owners.push(index % 100 === 0 ? benchUserId : users[index % USERS]!);
      winners.push(winner);
      players.push(models.join(","));
      lengths.push(models.map(() => 20 + Math.floor(next() * 800)).join(","));
      blind.push(next() < 0.9);
      daysAgo.push(next() * 100);
    }
    await sql`insert into sessions (id, user_id, prompt, models, status)
      select id, owner, 'generated', string_to_array(players, ','), 'completed'
      from unnest(${sessions}::uuid[], ${owners}::uuid[], ${players}::text[]) as t(id, owner, players)`;
    await sql`insert into votes (session_id, user_id, turn, winner, models, output_tokens, blind, created_at)
      select id, owner, 1, winner, string_to_array(players, ','), string_to_array(lengths, ',')::int[], blind, now() - days * interval '1 day'
      from unnest(${sessions}::uuid[], ${owners}::uuid[], ${winners}::text[], ${players}::text[], ${lengths}::text[], ${blind}::boolean[], ${daysAgo}::float8[])
        as t(id, owner, winner, players, lengths, blind, days)`;
  }
}

async function timeLeaderboard(stack: Stack, token: string, query: string) {
  const times: number[] = [];
  let body: { models: { model: string }[]; totalVotes: number; lengthEffect?: { coefficient: number } } | undefined;
  for (let request = 0; request < REQUESTS + 1; request++) {
    const started = performance.now();
    const response = await expectStatus(
      await call(stack.origin, "GET", `/playground/leaderboard?${query}`, { token }),
      200,
      `leaderboard ${query}`,
    );
    body = (await response.json()) as typeof body;
    // The first request warms the query plan and the isolate: not counted.
    if (request > 0) times.push(performance.now() - started);
  }
  return { times, body: body! };
}

export async function measureLeaderboard(stack: Stack, token: string, userId: string): Promise<Section> {
  const generated = performance.now();
  await generateVotes(stack.database.connectionString, userId);
  const generateSeconds = (performance.now() - generated) / 1000;
  const all = await timeLeaderboard(stack, token, "scope=all");
  const length = await timeLeaderboard(stack, token, "scope=all&control=length");
  const mine = await timeLeaderboard(stack, token, "scope=mine");
  const fittedOrder = all.body.models.map((row) => row.model).join(",") === MODELS.join(",");
  return {
    key: "leaderboard",
    title: `7. Leaderboard over ${VOTES.toLocaleString("en")} generated votes (${MODELS.length} models, 2 or 3 a turn; GET /playground/leaderboard, ${REQUESTS} requests after one)`,
    rows: [
      {
        key: "allMedianMs",
        figure: "scope=all, median",
        value: round(median(all.times)),
        unit: "ms",
        note: `${all.body.totalVotes} blind votes counted (of ${VOTES}): one aggregate query, then the fit`,
      },
      { key: "allP95Ms", figure: "scope=all, p95", value: round(percentile(all.times, 95)), unit: "ms" },
      {
        key: "lengthMedianMs",
        figure: "scope=all, control=length, median",
        value: round(median(length.times)),
        unit: "ms",
        note: `each pair's length difference to 0.01 in the same query; coefficient ${length.body.lengthEffect?.coefficient} (lengths drawn at random)`,
      },
      { key: "lengthP95Ms", figure: "scope=all, control=length, p95", value: round(percentile(length.times, 95)), unit: "ms" },
      {
        key: "mineMedianMs",
        figure: "scope=mine, median",
        value: round(median(mine.times)),
        unit: "ms",
        note: `${mine.body.totalVotes} votes of one user, by its index`,
      },
      {
        key: "fittedOrderMatches",
        figure: "fitted order is the generating order",
        value: fittedOrder ? 1 : 0,
        unit: "bool",
        note: all.body.models.map((row) => row.model).join(" > "),
      },
    ],
    details: { votes: VOTES, users: USERS, models: MODELS, strengths: STRENGTHS, generateSeconds: round(generateSeconds, 1) },
  };
}
