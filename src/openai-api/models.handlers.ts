import type { Bindings } from "../env.ts";
import type { AppRouteHandler } from "../http/router.ts";
import { findModel, isAvailable, MODELS, type ModelEntry } from "../providers/index.ts";
import { modelNotFound } from "./openai-errors.ts";
import type { GetModelRoute, GetOwnedModelRoute, ListModelsRoute } from "./v1.routes.ts";

/** The catalogue has no release dates: every model is listed as created when this API was (2026-11-01). */
const CREATED = 1_793_491_200;

const modelObject = (model: ModelEntry) => ({ id: model.id, object: "model" as const, created: CREATED, owned_by: model.provider });

/** A model that can answer now, or OpenAI's 404. */
function availableModel(id: string, env: Bindings) {
  const model = findModel(id);
  if (!model || !isAvailable(model, env)) throw modelNotFound(id);
  return modelObject(model);
}

export const listModels: AppRouteHandler<ListModelsRoute> = (c) =>
  c.json({ object: "list" as const, data: MODELS.filter((model) => isAvailable(model, c.env)).map(modelObject) }, 200);

export const getModel: AppRouteHandler<GetModelRoute> = (c) => c.json(availableModel(c.req.valid("param").id, c.env), 200);

/** Ids with a slash (`local/echo`, `meta-llama/…`) have a path of two parts. */
export const getOwnedModel: AppRouteHandler<GetOwnedModelRoute> = (c) => {
  const { owner, model } = c.req.valid("param");
  return c.json(availableModel(`${owner}/${model}`, c.env), 200);
};
