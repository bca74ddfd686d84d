import { createRouter } from "../../http/router.ts";
import * as handlers from "./votes.handlers.ts";
import * as routes from "./votes.routes.ts";

export const votesRouter = createRouter()
  .openapi(routes.castVote, handlers.castVote)
  .openapi(routes.getLeaderboard, handlers.getLeaderboard);
