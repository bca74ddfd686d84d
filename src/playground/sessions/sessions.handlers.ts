import { invalidInput } from "../../http/errors.ts";
import type { AppRouteHandler } from "../../http/router.ts";
import { decodeCursor } from "./cursor.ts";
import { exportFilename, sessionMarkdown } from "./export.ts";
import type { DeleteSessionRoute, ExportSessionRoute, GetSessionRoute, ListSessionsRoute } from "./sessions.routes.ts";
import * as sessions from "./sessions.service.ts";

export const listSessions: AppRouteHandler<ListSessionsRoute> = async (c) => {
  const { limit, cursor, source } = c.req.valid("query");
  const position = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && !position) throw invalidInput("cursor", "is not a cursor this API gave");
  return c.json(await sessions.listSessions(c.var.db, c.var.user.id, { limit, cursor: position, source }), 200);
};

export const getSession: AppRouteHandler<GetSessionRoute> = async (c) =>
  c.json({ session: await sessions.sessionDetail(c.var.db, c.var.user.id, c.req.valid("param").id) }, 200);

export const deleteSession: AppRouteHandler<DeleteSessionRoute> = async (c) => {
  await sessions.deleteSession(c.var.db, c.var.user.id, c.req.valid("param").id);
  return c.body(null, 204);
};

export const exportSession: AppRouteHandler<ExportSessionRoute> = async (c) => {
  const detail = await sessions.sessionDetail(c.var.db, c.var.user.id, c.req.valid("param").id);
  const markdown = c.req.valid("query").format === "markdown";
  c.header("Content-Disposition", `attachment; filename="${exportFilename(detail, markdown ? "md" : "json")}"`);
  if (markdown) return c.body(sessionMarkdown(detail), 200, { "Content-Type": "text/markdown; charset=utf-8" });
  return c.json({ session: detail }, 200);
};
