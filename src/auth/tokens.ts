// Access tokens and stream tickets (HS256 JWTs, each with its own audience) and refresh tokens
// (opaque random strings, stored only as hashes).
import { sign, verify } from "hono/jwt";
import { base64url } from "../encoding.ts";
import { hmacKey } from "../hmac.ts";
import { AppError } from "../http/errors.ts";

const ALGORITHM = "HS256";
const ISSUER = "model-playground-api";
const AUDIENCE = "model-playground";
/** A ticket is no access token: its own audience, so neither is taken for the other. */
const TICKET_AUDIENCE = "model-playground-stream-ticket";
export const TICKET_SECONDS = 60;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const unauthenticated = () => new AppError("UNAUTHENTICATED", 401, "the access token is missing, invalid or expired");
const badTicket = () => new AppError("UNAUTHENTICATED", 401, "the stream ticket is invalid or expired; ask for a new one");

export async function signAccessToken(userId: string, secret: string, lifetimeSeconds: number): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return sign({ sub: userId, iat: now, exp: now + lifetimeSeconds, iss: ISSUER, aud: AUDIENCE }, await hmacKey(secret), ALGORITHM);
}

/**
 * The claims of a valid token for `audience`. The algorithm is pinned, and `exp`, `iss` and `aud`
 * are required: hono's verifier checks `exp` only when present, so a token without one is refused
 * here, as is a subject that is not a user id (a well-signed token can still carry one).
 */
async function verified(token: string, secret: string, audience: string): Promise<Record<string, unknown> | undefined> {
  const payload = await verify(token, await hmacKey(secret), { alg: ALGORITHM, iss: ISSUER, aud: audience }).catch(() => undefined);
  if (!payload || typeof payload.exp !== "number" || typeof payload.sub !== "string" || !UUID.test(payload.sub)) return undefined;
  return payload;
}

/** The user id of a valid access token, or a 401. */
export async function verifyAccessToken(token: string, secret: string): Promise<string> {
  const payload = await verified(token, secret, AUDIENCE);
  if (!payload) throw unauthenticated();
  return payload.sub as string;
}

/** A stream ticket: a user's one stream request within `TICKET_SECONDS`, its id checked off in the user's object. */
export interface StreamTicket {
  id: string;
  /** When it stops working, ms since the epoch. */
  expiresAt: number;
}

/** Issues a ticket for one stream of `userId`, for `EventSource`, which cannot send a header. */
export async function signStreamTicket(userId: string, secret: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: userId, iat: now, exp: now + TICKET_SECONDS, iss: ISSUER, aud: TICKET_AUDIENCE, jti: crypto.randomUUID() };
  return sign(claims, await hmacKey(secret), ALGORITHM);
}

/** The user and the ticket of a valid, unexpired ticket, or a 401; that it is unused is the user's object's to say. */
export async function verifyStreamTicket(ticket: string, secret: string): Promise<{ userId: string; ticket: StreamTicket }> {
  const payload = await verified(ticket, secret, TICKET_AUDIENCE);
  if (!payload || typeof payload.jti !== "string") throw badTicket();
  return { userId: payload.sub as string, ticket: { id: payload.jti, expiresAt: (payload.exp as number) * 1000 } };
}

/** 32 random bytes, base64url: what the client holds. Only its hash is stored. */
export function newRefreshToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}
