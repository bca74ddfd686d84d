// The leaderboard: one aggregate query over the votes that count, then Bradley–Terry ratings, with
// the answers' length as a second factor when asked.
import { type SQL, sql } from "drizzle-orm";
import { accountQuery, requireAccount } from "../../auth/account.ts";
import type { Db } from "../../db/client.ts";
import { votes } from "../../db/schema.ts";
import { fitBradleyTerry, fitBradleyTerryWithLength, type LengthOutcome, type Rating } from "./bradley-terry.ts";

export interface LeaderboardQuery {
  scope: "mine" | "all";
  /** `mine` only: count blind votes alone. */
  blind: boolean;
  control: "none" | "length";
}

export interface LeaderboardRules {
  minVotesForRank: number;
  votesPerUserPerDay: number;
}

type Row = {
  /** `model`: one model's votes; `pair`: the outcomes between two (per length difference); `total`: the votes counted. */
  kind: "model" | "pair" | "total";
  model: string | null;
  opponent: string | null;
  /** ln(output tokens of `model`) − ln(output tokens of `opponent`), to 0.01; 0 without length control. */
  d: number;
  wins: number;
  losses: number;
  ties: number;
  votes: number;
};

/**
 * The votes in scope, as one row each: `all` counts blind votes only, at most `perDay` of a user in a
 * UTC day (the earliest); `mine` counts the user's own, blind ones only when asked.
 */
function countedVotes(userId: string, query: LeaderboardQuery, perDay: number): SQL {
  if (query.scope === "mine") {
    return sql`select ${votes.models} as players, ${votes.winner} as winner, ${votes.outputTokens} as tokens
      from ${votes} where ${votes.userId} = ${userId} ${query.blind ? sql`and ${votes.blind}` : sql``}`;
  }
  return sql`select players, winner, tokens from (
      select ${votes.models} as players, ${votes.winner} as winner, ${votes.outputTokens} as tokens,
        row_number() over (partition by ${votes.userId}, (${votes.createdAt} at time zone 'UTC')::date order by ${votes.createdAt}, ${votes.id}) as nth
      from ${votes} where ${votes.blind}
    ) as ranked where nth <= ${perDay}`;
}

/**
 * One query, whose cost grows linearly with the votes in scope: they collapse to their distinct
 * outcomes (which models played, who won, and with length control how long each answer was), and
 * only those are unnested into models and pairs.
 */
function leaderboardQuery(userId: string, query: LeaderboardQuery, perDay: number): SQL {
  const length = query.control === "length";
  const d = length ? sql`round((ln(greatest(ta, 1)) - ln(greatest(tb, 1)))::numeric, 2)::float8` : sql`0::float8`;
  return sql`
    with counted as (${countedVotes(userId, query, perDay)}),
    outcomes as (
      select players, winner, ${length ? sql`tokens` : sql`'{}'::int[]`} as tokens, count(*)::int as n
      from counted group by 1, 2, 3
    )
    select 'model' as kind, m as model, null as opponent, 0::float8 as d,
      coalesce(sum(n) filter (where winner = m), 0)::int as wins,
      coalesce(sum(n) filter (where winner not in ('tie', 'bothBad') and winner <> m), 0)::int as losses,
      coalesce(sum(n) filter (where winner in ('tie', 'bothBad')), 0)::int as ties,
      sum(n)::int as votes
    from outcomes cross join unnest(players) as m
    group by m
    union all
    select 'pair', a, b, ${d},
      coalesce(sum(n) filter (where winner = a), 0)::int,
      coalesce(sum(n) filter (where winner = b), 0)::int,
      coalesce(sum(n) filter (where winner in ('tie', 'bothBad')), 0)::int,
      sum(n)::int
    from outcomes cross join unnest(players, tokens) as x(a, ta) cross join unnest(players, tokens) as y(b, tb)
    where a < b and winner in (a, b, 'tie', 'bothBad')
    group by a, b, 4
    union all
    select 'total', null, null, 0, 0, 0, 0, coalesce(sum(n), 0)::int from outcomes
  `;
}

/** In words: which votes counted and how the fit was made. */
function methodOf(query: LeaderboardQuery, rules: LeaderboardRules): string {
  const which =
    query.scope === "all"
      ? `everyone's votes on blind turns (the voter did not know which model was which), at most ${rules.votesPerUserPerDay} of one user in a UTC day, the earliest`
      : `your ${query.blind ? "blind " : ""}votes`;
  const fit =
    query.control === "length"
      ? "Bradley-Terry with the answers' length as a second factor (the difference of the logarithms of their output tokens, fitted jointly): ratings as if the answers were equally long"
      : "Bradley-Terry";
  return (
    `Counted: ${which}. ${fit}, by maximum likelihood (Newton's method) with a Gaussian prior on log-strengths worth about two tied votes; ` +
    "each vote's winner beats every other model of its turn that completed, a tie or bothBad ties them all; " +
    `Elo scale with 1000 the average; 95% intervals from the Fisher information; models with fewer than ${rules.minVotesForRank} votes are provisional.`
  );
}

const rounded = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

/** The ratings of every model voted on: the ranked ones best first, then the provisional ones. */
export async function leaderboard(db: Db, userId: string, query: LeaderboardQuery, rules: LeaderboardRules) {
  const [account, { rows }] = await db.batch([
    accountQuery(db, userId),
    db.execute<Row>(leaderboardQuery(userId, query, rules.votesPerUserPerDay)),
  ]);
  requireAccount(account);
  const perModel = rows.filter((row) => row.kind === "model");
  const outcomes: LengthOutcome[] = rows
    .filter((row) => row.kind === "pair")
    .map((row) => ({ a: row.model!, b: row.opponent!, lengthDifference: row.d, aWins: row.wins, bWins: row.losses, ties: row.ties }));
  const names = perModel.map((row) => row.model!);
  const fitted = query.control === "length" ? fitBradleyTerryWithLength(names, outcomes) : { ratings: fitBradleyTerry(names, outcomes) };
  const models = perModel
    .map((row) => shown(row, fitted.ratings.get(row.model!)!, rules))
    .sort(
      (first, second) =>
        Number(first.provisional) - Number(second.provisional) || second.rating - first.rating || first.model.localeCompare(second.model),
    );
  const lengthEffect =
    "lengthEffect" in fitted
      ? {
          coefficient: rounded(fitted.lengthEffect.coefficient, 3),
          ci95: fitted.lengthEffect.ci95.map((end) => rounded(end, 3)) as [number, number],
        }
      : undefined;
  return {
    models,
    totalVotes: rows.find((row) => row.kind === "total")?.votes ?? 0,
    method: methodOf(query, rules),
    ...(lengthEffect ? { lengthEffect } : {}),
  };
}

const shown = (row: Row, { rating, ci95 }: Rating, rules: LeaderboardRules) => ({
  model: row.model!,
  rating: rounded(rating, 1),
  ci95: [rounded(ci95[0], 1), rounded(ci95[1], 1)] as [number, number],
  wins: row.wins,
  losses: row.losses,
  ties: row.ties,
  votes: row.votes,
  provisional: row.votes < rules.minVotesForRank,
});
