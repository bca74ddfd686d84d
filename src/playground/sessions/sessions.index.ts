import { createRouter } from "../../http/router.ts";
import * as handlers from "./sessions.handlers.ts";
import * as routes from "./sessions.routes.ts";

export const sessionsRouter = createRouter()
  .openapi(routes.listSessions, handlers.listSessions)
  .openapi(routes.getSession, handlers.getSession)
  .openapi(routes.deleteSession, handlers.deleteSession)
  .openapi(routes.exportSession, handlers.exportSession);
