import { createRouter } from "../../http/router.ts";
import * as handlers from "./stream.handlers.ts";
import * as routes from "./stream.routes.ts";

export const streamRouter = createRouter()
  .openapi(routes.streamGet, handlers.streamGet)
  .openapi(routes.streamPost, handlers.streamPost)
  .openapi(routes.createTicket, handlers.createTicket);
