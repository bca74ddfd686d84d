import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";
import type { AppRouteHandler } from "../../http/router.ts";
import type { ReadSharedRoute, ShareSessionRoute, WithdrawShareRoute } from "./shares.routes.ts";
import * as shares from "./shares.service.ts";

export const shareSession: AppRouteHandler<ShareSessionRoute> = async (c) => {
  const { share, created } = await shares.shareSession(c.var.db, c.var.user.id, c.req.valid("param").id, c.var.config.jwtSecret);
  return created ? c.json({ share }, 201) : c.json({ share }, 200);
};

export const withdrawShare: AppRouteHandler<WithdrawShareRoute> = async (c) => {
  await shares.withdrawShare(c.var.db, c.var.user.id, c.req.valid("param").id);
  return c.body(null, 204);
};

/** Kept by no shared cache: a withdrawn link must stop working everywhere at once. */
const NOT_STORED = "private, no-store";

export const readShared: AppRouteHandler<ReadSharedRoute> = async (c) => {
  c.header("Cache-Control", NOT_STORED);
  return c.json({ session: await shares.sharedSession(c.var.db, c.req.valid("param").token, c.var.config.jwtSecret) }, 200);
};

/**
 * GET /shared/:token: the page's read-only view of a shared session, a static page the Worker
 * serves for every such path (the page reads the session with the token in its URL).
 */
export async function sharedPage(c: Context<AppEnv>) {
  const page = await c.env.ASSETS.fetch(new URL("/shared.html", c.req.url));
  const response = new Response(page.body, page);
  response.headers.set("Cache-Control", NOT_STORED);
  return response;
}
