import { z } from "@hono/zod-openapi";
import { text } from "../http/schemas.ts";

export const UserSchema = z
  .object({
    id: z.uuid(),
    email: z.string(),
    name: z.string().nullable(),
    createdAt: z.iso.datetime(),
  })
  .openapi("User");

export const AuthResultSchema = z
  .object({
    user: UserSchema,
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: "Seconds until the access token expires" }),
  })
  .openapi("AuthResult");

const email = text().trim().max(254).pipe(z.email("must be an email address")).openapi({ format: "email", example: "ada@example.com" });
const password = text().min(8, "must be at least 8 characters").max(128, "must be at most 128 characters");

export const RegisterSchema = z.object({ email, password, name: text().trim().min(1).max(100).optional() }).openapi("Register");
export const LoginSchema = z.object({ email, password: text().min(1).max(128) }).openapi("Login");
export const RefreshSchema = z.object({ refreshToken: text().min(1).max(200) }).openapi("RefreshToken");
