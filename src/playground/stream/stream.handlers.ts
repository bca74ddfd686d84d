// The stream routes: read what the request continues, plan the turn, admit it in the user's
// object, then run it on an event stream.
import type { Context } from "hono";
import { signStreamTicket, TICKET_SECONDS } from "../../auth/tokens.ts";
import type { AppEnv } from "../../env.ts";
import type { AppRouteHandler } from "../../http/router.ts";
import { admitStream } from "../../meter/stream-meter.ts";
import { getSession } from "../sessions/sessions.service.ts";
import type { CreateTicketRoute, StreamGetRoute, StreamPostRoute } from "./stream.routes.ts";
import type { StreamRequest } from "./stream.schemas.ts";
import { planTurn } from "./turn-plan.ts";
import { runTurn } from "./turn-runner.ts";

export const streamGet: AppRouteHandler<StreamGetRoute> = (c) => {
  const { token: _, ticket: __, ...request } = c.req.valid("query");
  return openStream(c, request);
};

export const streamPost: AppRouteHandler<StreamPostRoute> = (c) => openStream(c, c.req.valid("json"));

export const createTicket: AppRouteHandler<CreateTicketRoute> = async (c) =>
  c.json({ ticket: await signStreamTicket(c.var.user.id, c.var.config.jwtSecret), expiresIn: TICKET_SECONDS }, 201);

async function openStream(c: Context<AppEnv>, request: StreamRequest) {
  const { db, config, user } = c.var;
  const startedAt = new Date();
  // A new session costs no round trip before the first chunk. Going on with a session reads its
  // history first (which also proves it is the user's).
  const previous = request.sessionId ? await getSession(db, user.id, request.sessionId) : undefined;
  const plan = planTurn({
    request,
    userId: user.id,
    previous,
    newSessionId: crypto.randomUUID(),
    startedAt,
    defaultMaxTokens: config.defaultMaxTokens,
  });
  // The session's row is written with its first turn, in the turn's one batch: a stream makes no
  // database round trip of its own before its end, and a turn that is never kept leaves no row.
  return runTurn(c, plan, await admitStream(c, plan.maxCostUsd));
}
