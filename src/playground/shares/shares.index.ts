import { createRouter } from "../../http/router.ts";
import * as handlers from "./shares.handlers.ts";
import * as routes from "./shares.routes.ts";

export const sharesRouter = createRouter()
  .openapi(routes.shareSession, handlers.shareSession)
  .openapi(routes.withdrawShare, handlers.withdrawShare)
  .openapi(routes.readShared, handlers.readShared)
  .get("/shared/:token", handlers.sharedPage);
