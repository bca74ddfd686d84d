import { createRouter } from "../http/router.ts";
import * as keyHandlers from "./api-keys.handlers.ts";
import * as keyRoutes from "./api-keys.routes.ts";
import * as handlers from "./auth.handlers.ts";
import * as routes from "./auth.routes.ts";

export const authRouter = createRouter()
  .openapi(routes.register, handlers.register)
  .openapi(routes.login, handlers.login)
  .openapi(routes.profile, handlers.profile)
  .openapi(routes.refresh, handlers.refresh)
  .openapi(routes.logout, handlers.logout)
  .openapi(keyRoutes.createApiKey, keyHandlers.createApiKey)
  .openapi(keyRoutes.listApiKeys, keyHandlers.listApiKeys)
  .openapi(keyRoutes.revokeApiKey, keyHandlers.revokeApiKey);
