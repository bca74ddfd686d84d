import { createRouter } from "../../http/router.ts";
import * as handlers from "./models.handlers.ts";
import * as routes from "./models.routes.ts";

export const modelsRouter = createRouter().openapi(routes.listModels, handlers.listModels);
