import { AppError, invalidInput } from "../http/errors.ts";
import type { AppRouteHandler } from "../http/router.ts";
import { isAvailable, MODELS } from "../providers/index.ts";
import { spendOf } from "../ratelimit/user-meter.ts";
import { shownAs } from "./blind.ts";
import { leaderboard } from "./leaderboard.service.ts";
import type {
  CastVoteRoute,
  DeleteSessionRoute,
  GetLeaderboardRoute,
  GetSessionRoute,
  GetUsageRoute,
  ListModelsRoute,
  ListSessionsRoute,
} from "./playground.routes.ts";
import * as sessions from "./sessions.service.ts";
import { getUsage as usageOf } from "./usage.service.ts";
import { castVote as vote } from "./votes.service.ts";

export const listModels: AppRouteHandler<ListModelsRoute> = (c) =>
  c.json(
    {
      models: MODELS.map((model) => {
        const { upstreamModel: _, reasoning: __, ...listed } = model;
        return { ...listed, available: isAvailable(model, c.env) };
      }),
    },
    200,
  );

export const listSessions: AppRouteHandler<ListSessionsRoute> = async (c) => {
  const { limit, cursor } = c.req.valid("query");
  const position = cursor === undefined ? undefined : sessions.decodeCursor(cursor);
  if (cursor !== undefined && !position) {
    throw invalidInput("cursor", "is not a cursor this API gave");
  }
  return c.json(await sessions.listSessions(c.var.db, c.var.user.id, limit, position), 200);
};

export const getSession: AppRouteHandler<GetSessionRoute> = async (c) => {
  const found = await sessions.getSessionWithVotes(c.var.db, c.var.user.id, c.req.valid("param").id);
  const shown = shownAs(found.session);
  // Within a turn, by the name shown: ordered by the real ids, a blind session's rows would tell them.
  const conversations = found.conversations
    .map((row) => sessions.toConversation(row, shown))
    .sort((first, second) => first.turn - second.turn || first.modelName.localeCompare(second.modelName));
  return c.json({ session: { ...sessions.toSession(found.session), conversations, votes: found.votes.map(sessions.toVote) } }, 200);
};

export const deleteSession: AppRouteHandler<DeleteSessionRoute> = async (c) => {
  await sessions.deleteSession(c.var.db, c.var.user.id, c.req.valid("param").id);
  return c.body(null, 204);
};

export const getUsage: AppRouteHandler<GetUsageRoute> = async (c) => {
  const { from, to } = c.req.valid("query");
  const range = { from: from ? new Date(from) : undefined, to: to ? new Date(to) : undefined };
  const [usage, spend] = await Promise.all([
    usageOf(c.var.db, c.var.user.id, range),
    spendOf(c.env, c.var.config, c.var.user.id).catch((error: unknown) => {
      console.error(`[${c.var.requestId}] the spend meter cannot be reached:`, error instanceof Error ? error.message : error);
      throw new AppError("UNAVAILABLE", 503, "the spend meter cannot be reached; try again shortly");
    }),
  ]);
  return c.json({ ...usage, spend }, 200);
};

export const castVote: AppRouteHandler<CastVoteRoute> = async (c) =>
  c.json(await vote(c.var.db, c.var.user.id, c.req.valid("param").id, c.req.valid("json")), 201);

export const getLeaderboard: AppRouteHandler<GetLeaderboardRoute> = async (c) => {
  const { scope } = c.req.valid("query");
  return c.json(await leaderboard(c.var.db, scope === "all" ? "all" : { userId: c.var.user.id }), 200);
};
