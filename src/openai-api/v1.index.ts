// The OpenAI-compatible API: its own router, whose validation failures and errors are OpenAI's.
import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env.ts";
import { chatCompletions } from "./chat.handlers.ts";
import * as models from "./models.handlers.ts";
import { invalidRequest, onOpenAIError, onOpenAINotFound } from "./openai-errors.ts";
import * as routes from "./v1.routes.ts";

const router = new OpenAPIHono<AppEnv>({
  defaultHook: (result) => {
    if (!result.success) throw invalidRequest(result.error);
  },
});
router.onError(onOpenAIError);

export const v1Router = router
  .openapi(routes.listModels, models.listModels)
  .openapi(routes.getModel, models.getModel)
  .openapi(routes.getOwnedModel, models.getOwnedModel)
  .openapi(routes.chatCompletions, chatCompletions)
  // Any other path under /v1 answers OpenAI's 404, not the contract's.
  .all("/v1/*", onOpenAINotFound);
