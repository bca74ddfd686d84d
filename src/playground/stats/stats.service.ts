// Speed and cost beside quality: per model, over the answers of the last days, in one aggregate
// query whose percentiles Postgres computes. Blind turns count under their real models (the
// conversations keep the real ids).
import { and, eq, gte, sql } from "drizzle-orm";
import { accountQuery, requireAccount } from "../../auth/account.ts";
import type { Db } from "../../db/client.ts";
import { conversations } from "../../db/schema.ts";

const DAY_MS = 86_400_000;
const c = conversations;
const completed = sql`${c.status} = 'completed'`;
/** Output tokens per second of generation, for an answer that took time after its first token. */
const tokensPerSecond = sql`case when ${c.responseTime} > ${c.timeToFirstToken} then ${c.outputTokens} * 1000.0 / (${c.responseTime} - ${c.timeToFirstToken}) end`;
const percentile = (fraction: number, of: ReturnType<typeof sql>) =>
  sql<number | null>`percentile_cont(${sql.raw(String(fraction))}) within group (order by ${of}) filter (where ${completed})`.mapWith(
    (value) => (value === null ? null : Number(value)),
  );

/**
 * The figures of each model answered in the window, most answers first. `mine`: the user's answers;
 * `all`: everyone's. The window ends now; a model with no answer in it is left out.
 */
export async function modelStats(db: Db, userId: string, query: { scope: "mine" | "all"; days: number }) {
  const to = new Date();
  const from = new Date(to.getTime() - query.days * DAY_MS);
  const perModel = db
    .select({
      model: c.modelName,
      answers: sql<number>`count(*)::int`,
      completed: sql<number>`(count(*) filter (where ${completed}))::int`,
      errors: sql<number>`(count(*) filter (where ${c.status} = 'error'))::int`,
      cancelled: sql<number>`(count(*) filter (where ${c.status} = 'cancelled'))::int`,
      ttftP50: percentile(0.5, sql`${c.timeToFirstToken}`),
      ttftP90: percentile(0.9, sql`${c.timeToFirstToken}`),
      speedP50: percentile(0.5, tokensPerSecond),
      speedP90: percentile(0.9, tokensPerSecond),
      costMean: sql<number | null>`avg(${c.cost}) filter (where ${completed})`.mapWith((value) => (value === null ? null : Number(value))),
      costP90: percentile(0.9, sql`${c.cost}`),
    })
    .from(c)
    .where(and(gte(c.createdAt, from), query.scope === "mine" ? eq(c.userId, userId) : undefined))
    .groupBy(c.modelName)
    .orderBy(sql`count(*) desc`, c.modelName);
  const [account, rows] = await db.batch([accountQuery(db, userId), perModel]);
  requireAccount(account);
  return { from: from.toISOString(), to: to.toISOString(), models: rows.map(figures) };
}

const rounded = (value: number | null, digits: number) => (value === null ? null : Math.round(value * 10 ** digits) / 10 ** digits);

const figures = (row: {
  model: string;
  answers: number;
  completed: number;
  errors: number;
  cancelled: number;
  ttftP50: number | null;
  ttftP90: number | null;
  speedP50: number | null;
  speedP90: number | null;
  costMean: number | null;
  costP90: number | null;
}) => ({
  model: row.model,
  answers: row.answers,
  completed: row.completed,
  errors: row.errors,
  cancelled: row.cancelled,
  errorRate: rounded(row.errors / row.answers, 4)!,
  timeToFirstTokenMs: { p50: rounded(row.ttftP50, 1), p90: rounded(row.ttftP90, 1) },
  outputTokensPerSecond: { p50: rounded(row.speedP50, 2), p90: rounded(row.speedP90, 2) },
  costPerAnswerUsd: { mean: rounded(row.costMean, 10), p90: rounded(row.costP90, 10) },
});
