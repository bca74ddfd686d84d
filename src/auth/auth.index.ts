import { createRouter } from "../http/router.ts";
import * as handlers from "./auth.handlers.ts";
import * as routes from "./auth.routes.ts";

export const authRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.login, handlers.login)
  .openapi(routes.profile, handlers.profile)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout);
