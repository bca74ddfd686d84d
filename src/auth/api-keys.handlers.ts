import type { AppRouteHandler } from "../http/router.ts";
import type { CreateApiKeyRoute, ListApiKeysRoute, RevokeApiKeyRoute } from "./api-keys.routes.ts";
import * as keys from "./api-keys.service.ts";

export const createApiKey: AppRouteHandler<CreateApiKeyRoute> = async (c) =>
  c.json(await keys.createApiKey(c.var.db, c.env, c.var.user.id, c.req.valid("json")), 201);

export const listApiKeys: AppRouteHandler<ListApiKeysRoute> = async (c) =>
  c.json(await keys.listApiKeys(c.var.db, c.env, c.var.user.id), 200);

export const revokeApiKey: AppRouteHandler<RevokeApiKeyRoute> = async (c) => {
  await keys.revokeApiKey(c.var.db, c.env, c.var.user.id, c.req.valid("param").id);
  return c.body(null, 204);
};
