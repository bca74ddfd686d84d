// The leaderboard: one aggregate query over the votes in scope, then Bradley–Terry ratings.
import { sql } from "drizzle-orm";
import { accountQuery, requireAccount } from "../../auth/account.ts";
import type { Db } from "../../db/client.ts";
import { votes } from "../../db/schema.ts";
import { fitBradleyTerry, type PairOutcome } from "./bradley-terry.ts";

const LEADERBOARD_METHOD =
  "Bradley-Terry, fitted by maximum likelihood (Newton's method) with a Gaussian prior on log-strengths worth about two tied votes; " +
  "each vote's winner beats every other model of its turn that completed, a tie or bothBad ties them all; " +
  "Elo scale with 1000 the average; 95% intervals from the Fisher information";

type Row = {
  /** `model`: one model's votes; `pair`: the outcomes between two; `total`: the number of votes. */
  kind: "model" | "pair" | "total";
  model: string | null;
  opponent: string | null;
  wins: number;
  losses: number;
  ties: number;
  votes: number;
};

/**
 * The ratings of every model that was voted on, best first, from the user's votes (`mine`) or
 * everyone's (`all`). One query, whose cost grows linearly with the votes in scope (one pass that
 * groups them) plus a part that depends only on the number of distinct outcomes, then a fit whose
 * cost depends only on the models.
 */
export async function leaderboard(db: Db, userId: string, scope: "mine" | "all") {
  const inScope = scope === "all" ? sql`true` : sql`${votes.userId} = ${userId}`;
  // Votes first collapse to their distinct outcomes (which models played, who won): a few hundred
  // at most, however many votes there are; only those are unnested into models and pairs.
  const [account, { rows }] = await db.batch([
    accountQuery(db, userId),
    db.execute<Row>(sql`
    with outcomes as (
      select ${votes.models} as players, ${votes.winner} as winner, count(*)::int as n
      from ${votes} where ${inScope}
      group by ${votes.models}, ${votes.winner}
    )
    select 'model' as kind, m as model, null as opponent,
      coalesce(sum(n) filter (where winner = m), 0)::int as wins,
      coalesce(sum(n) filter (where winner not in ('tie', 'bothBad') and winner <> m), 0)::int as losses,
      coalesce(sum(n) filter (where winner in ('tie', 'bothBad')), 0)::int as ties,
      sum(n)::int as votes
    from outcomes cross join unnest(players) as m
    group by m
    union all
    select 'pair', a, b,
      coalesce(sum(n) filter (where winner = a), 0)::int,
      coalesce(sum(n) filter (where winner = b), 0)::int,
      coalesce(sum(n) filter (where winner in ('tie', 'bothBad')), 0)::int,
      sum(n)::int
    from outcomes cross join unnest(players) as a cross join unnest(players) as b
    where a < b and (winner in (a, b, 'tie', 'bothBad'))
    group by a, b
    union all
    select 'total', null, null, 0, 0, 0, coalesce(sum(n), 0)::int from outcomes
  `),
  ]);
  requireAccount(account);
  const perModel = rows.filter((row) => row.kind === "model");
  const pairs: PairOutcome[] = rows
    .filter((row) => row.kind === "pair")
    .map((row) => ({ a: row.model!, b: row.opponent!, aWins: row.wins, bWins: row.losses, ties: row.ties }));
  const ratings = fitBradleyTerry(
    perModel.map((row) => row.model!),
    pairs,
  );
  const models = perModel
    .map((row) => {
      const { rating, ci95 } = ratings.get(row.model!)!;
      return {
        model: row.model!,
        rating: Math.round(rating * 10) / 10,
        ci95: [Math.round(ci95[0] * 10) / 10, Math.round(ci95[1] * 10) / 10] as [number, number],
        wins: row.wins,
        losses: row.losses,
        ties: row.ties,
        votes: row.votes,
      };
    })
    .sort((first, second) => second.rating - first.rating || first.model.localeCompare(second.model));
  return { models, totalVotes: rows.find((row) => row.kind === "total")?.votes ?? 0, method: LEADERBOARD_METHOD };
}
