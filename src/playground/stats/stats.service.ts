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
/** The median and the 90th percentile of `of` over completed answers, from one sort. */
const p50p90 = (of: ReturnType<typeof sql>) =>
  sql<[number | null, number | null]>`percentile_cont(array[0.5, 0.9]) within group (order by ${of}) filter (where ${completed})`.mapWith(
    (value: (number | string | null)[] | null) =>
      (value ?? [null, null]).map((each) => (each === null ? null : Number(each))) as [number | null, number | null],
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
      ttft: p50p90(sql`${c.timeToFirstToken}`),
      speed: p50p90(tokensPerSecond),
      costMean: sql<number | null>`avg(${c.cost}) filter (where ${completed})`.mapWith((value) => (value === null ? null : Number(value))),
      cost: p50p90(sql`${c.cost}`),
    })
    .from(c)
    .where(and(gte(c.createdAt, from), query.scope === "mine" ? eq(c.userId, userId) : undefined))
    .groupBy(c.modelName)
    .orderBy(sql`count(*) desc`, c.modelName);
  const [account, rows] = await db.batch([accountQuery(db, userId), perModel]);
  requireAccount(account);
  return { from: from.toISOString(), to: to.toISOString(), models: rows.map(figures) };
}

/** A figure to `digits` decimals; the driver may give a numeric as text, and nothing as null. */
const rounded = (value: number | string | null | undefined, digits: number) =>
  value === null || value === undefined ? null : Math.round(Number(value) * 10 ** digits) / 10 ** digits;

const figures = (row: {
  model: string;
  answers: number;
  completed: number;
  errors: number;
  cancelled: number;
  ttft: [number | null, number | null] | null;
  speed: [number | null, number | null] | null;
  costMean: number | null;
  cost: [number | null, number | null] | null;
}) => ({
  model: row.model,
  answers: row.answers,
  completed: row.completed,
  errors: row.errors,
  cancelled: row.cancelled,
  errorRate: rounded(row.errors / row.answers, 4)!,
  timeToFirstTokenMs: { p50: rounded(row.ttft?.[0], 1), p90: rounded(row.ttft?.[1], 1) },
  outputTokensPerSecond: { p50: rounded(row.speed?.[0], 2), p90: rounded(row.speed?.[1], 2) },
  costPerAnswerUsd: { mean: rounded(row.costMean, 10), p90: rounded(row.cost?.[1], 10) },
});
