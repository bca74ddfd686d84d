// The playground's resources, each in its own folder with its routes, handlers, service and schemas.
import { createRouter } from "../http/router.ts";
import { modelsRouter } from "./models/models.index.ts";
import { sessionsRouter } from "./sessions/sessions.index.ts";
import { sharesRouter } from "./shares/shares.index.ts";
import { statsRouter } from "./stats/stats.index.ts";
import { streamRouter } from "./stream/stream.index.ts";
import { usageRouter } from "./usage/usage.index.ts";
import { votesRouter } from "./votes/votes.index.ts";

export const playgroundRouter = createRouter()
  .route("/", streamRouter)
  .route("/", modelsRouter)
  .route("/", sessionsRouter)
  .route("/", usageRouter)
  .route("/", votesRouter)
  .route("/", statsRouter)
  .route("/", sharesRouter);
