import type { AppRouteHandler } from "../../http/router.ts";
import { isAvailable, MODELS } from "../../providers/index.ts";
import type { ListModelsRoute } from "./models.routes.ts";

export const listModels: AppRouteHandler<ListModelsRoute> = (c) =>
  c.json(
    {
      models: MODELS.map(({ upstreamModel: _, reasoning: __, ...listed }) => ({
        ...listed,
        available: isAvailable(listed, c.env),
      })),
    },
    200,
  );
