// A user's usage: totals and a per-model breakdown in one query (ROLLUP adds the totals row),
// batched with the check that the user still exists.
import { and, eq, gte, lt, sql } from "drizzle-orm";
import { accountQuery, requireAccount } from "../../auth/account.ts";
import type { Db } from "../../db/client.ts";
import { conversations } from "../../db/schema.ts";
import { roundUsd } from "../../usd.ts";

export async function getUsage(db: Db, userId: string, range: { from?: Date; to?: Date }) {
  const perModel = db
    .select({
      model: conversations.modelName,
      requests: sql<number>`count(*)::int`,
      inputTokens: sql<number>`coalesce(sum(${conversations.inputTokens}), 0)::bigint`.mapWith(Number),
      outputTokens: sql<number>`coalesce(sum(${conversations.outputTokens}), 0)::bigint`.mapWith(Number),
      cost: sql<number>`coalesce(sum(${conversations.cost}), 0)`.mapWith(Number),
      avgResponseTime: sql<number>`coalesce(round(avg(${conversations.responseTime})), 0)::int`,
      avgTimeToFirstToken: sql<number | null>`round(avg(${conversations.timeToFirstToken}))::int`,
      isTotal: sql<boolean>`grouping(${conversations.modelName}) = 1`,
    })
    .from(conversations)
    .where(
      and(
        eq(conversations.userId, userId),
        range.from ? gte(conversations.createdAt, range.from) : undefined,
        range.to ? lt(conversations.createdAt, range.to) : undefined,
      ),
    )
    .groupBy(sql`rollup(${conversations.modelName})`)
    .orderBy(conversations.modelName);
  const [account, rows] = await db.batch([accountQuery(db, userId), perModel]);
  requireAccount(account);
  const total = rows.find((row) => row.isTotal);
  return {
    totals: {
      requests: total?.requests ?? 0,
      inputTokens: total?.inputTokens ?? 0,
      outputTokens: total?.outputTokens ?? 0,
      cost: roundUsd(total?.cost ?? 0),
    },
    byModel: rows.filter((row) => !row.isTotal).map(({ isTotal: _, ...row }) => ({ ...row, cost: roundUsd(row.cost) })),
  };
}
