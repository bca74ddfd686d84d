// Access tokens (HS256 JWTs) and refresh tokens (opaque random strings, stored only as hashes).
import { sign, verify } from "hono/jwt";
import { AppError } from "../http/errors.ts";

const ALGORITHM = "HS256";
const ISSUER = "model-playground-api";
const AUDIENCE = "model-playground";

const unauthenticated = () => new AppError("UNAUTHENTICATED", 401, "the access token is missing, invalid or expired");

export function signAccessToken(userId: string, secret: string, lifetimeSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, iat: now, exp: now + lifetimeSeconds, iss: ISSUER, aud: AUDIENCE }, secret, ALGORITHM);
}

/**
 * The user id of a valid access token. The algorithm is pinned, and `exp`, `iss` and `aud` are
 * required: hono's verifier checks `exp` only when present, so a token without one is refused here.
 */
export async function verifyAccessToken(token: string, secret: string): Promise<string> {
  const payload = await verify(token, secret, { alg: ALGORITHM, iss: ISSUER, aud: AUDIENCE }).catch(() => {
    throw unauthenticated();
  });
  if (typeof payload.exp !== "number" || typeof payload.sub !== "string") throw unauthenticated();
  return payload.sub;
}

/** 32 random bytes, base64url: what the client holds. Only its hash is stored. */
export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}
