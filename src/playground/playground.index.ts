import { createRouter } from "../http/router.ts";
import * as handlers from "./playground.handlers.ts";
import * as routes from "./playground.routes.ts";
import * as stream from "./stream.handlers.ts";

export const playgroundRouter = createRouter()
  .openapi(routes.streamGet, stream.streamGet)
  .openapi(routes.streamPost, stream.streamPost)
  .openapi(routes.listModels, handlers.listModels)
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.getSession, handlers.getSession)
  .openapi(routes.deleteSession, handlers.deleteSession)
  .openapi(routes.getUsage, handlers.getUsage)
  .openapi(routes.castVote, handlers.castVote)
  .openapi(routes.getLeaderboard, handlers.getLeaderboard);
