import { z } from "@hono/zod-openapi";
import { SessionDetailSchema } from "../sessions/sessions.schemas.ts";

export const ShareTokenParams = z.object({
  token: z
    .string()
    .max(100)
    .openapi({ param: { name: "token", in: "path" }, description: "The token of a share link" }),
});

export const ShareSchema = z
  .object({
    share: z.object({
      token: z.string().openapi({ description: "base64url, 128 bits no one can guess" }),
      url: z.string().openapi({ example: "/shared/f3Jk…", description: "The page that shows the session, read-only, with no sign-in" }),
      createdAt: z.iso.datetime(),
    }),
  })
  .openapi("Share");

const owned = SessionDetailSchema.shape.session;

export const SharedSessionSchema = z
  .object({
    session: owned.omit({ totalCost: true, conversations: true }).extend({
      totalCost: z.number().optional().openapi({ description: "Absent while a blind session hides its models: a price would tell them" }),
      conversations: z.array(owned.shape.conversations.element.omit({ cost: true }).extend({ cost: z.number().optional() })),
    }),
  })
  .openapi("SharedSession", { description: "The session as its owner sees it, without anything that names or points to its owner" });
