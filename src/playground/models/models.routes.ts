import { createRoute, z } from "@hono/zod-openapi";
import { json } from "../../http/schemas.ts";
import { ModelSchema } from "./models.schemas.ts";

export const listModels = createRoute({
  method: "get",
  path: "/playground/models",
  tags: ["models"],
  summary: "The models that can be asked, with prices",
  responses: { 200: json(z.object({ models: z.array(ModelSchema) }), "The catalogue") },
});

export type ListModelsRoute = typeof listModels;
