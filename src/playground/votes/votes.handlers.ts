import type { AppRouteHandler } from "../../http/router.ts";
import { leaderboard } from "./leaderboard.service.ts";
import type { CastVoteRoute, GetLeaderboardRoute } from "./votes.routes.ts";
import { castVote as vote } from "./votes.service.ts";

export const castVote: AppRouteHandler<CastVoteRoute> = async (c) =>
  c.json(await vote(c.var.db, c.var.user.id, c.req.valid("param").id, c.req.valid("json")), 201);

export const getLeaderboard: AppRouteHandler<GetLeaderboardRoute> = async (c) => {
  return c.json(await leaderboard(c.var.db, c.var.user.id, c.req.valid("query"), c.var.config.leaderboard), 200);
};
