// API keys: the record of each in the database (only its hash), the live set in the user's
// Durable Object, which is what a request is checked against.
import { and, desc, eq, gt, isNull, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { SQL_STATE, sqlStateOf } from "../db/errors.ts";
import { apiKeys } from "../db/schema.ts";
import type { Bindings } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { forgetKey, keepKey, keyLastUses } from "../meter/api-keys.ts";
import { accountGone, accountQuery, requireAccount } from "./account.ts";
import { newApiKey } from "./api-key.ts";
import { MAX_LIVE_KEYS } from "./api-keys.schemas.ts";

type ApiKeyRow = typeof apiKeys.$inferSelect;

const DAY_MS = 86_400_000;
const iso = (at: Date | number | null) => (at === null ? null : new Date(at).toISOString());

const toApiKey = (row: ApiKeyRow, lastUsedAt: number | null) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  createdAt: row.createdAt.toISOString(),
  expiresAt: iso(row.expiresAt),
  lastUsedAt: iso(lastUsedAt),
});

/**
 * Makes a key: first kept live in the user's object (which counts the live keys exactly, however
 * many are made at once), then recorded; if the record fails, the key is forgotten again.
 */
export async function createApiKey(db: Db, env: Bindings, userId: string, input: { name: string; expiresInDays?: number }) {
  const { key, prefix, hash } = await newApiKey(userId);
  const createdAt = new Date();
  const row: ApiKeyRow = {
    id: crypto.randomUUID(),
    userId,
    name: input.name,
    prefix,
    keyHash: hash,
    createdAt,
    expiresAt: input.expiresInDays === undefined ? null : new Date(createdAt.getTime() + input.expiresInDays * DAY_MS),
    revokedAt: null,
  };
  const kept = await keepKey(env, userId, { keyId: row.id, hash, expiresAt: row.expiresAt?.getTime() ?? null }, MAX_LIVE_KEYS);
  if (!kept) {
    const message = `you have ${MAX_LIVE_KEYS} live API keys, the most there can be: revoke one first`;
    throw new AppError("VALIDATION_FAILED", 400, message, { details: [{ path: "", message }] });
  }
  try {
    await db.insert(apiKeys).values(row);
  } catch (error) {
    await forgetKey(env, userId, row.id);
    if (sqlStateOf(error) === SQL_STATE.foreignKeyViolation) throw accountGone();
    throw error;
  }
  return { apiKey: toApiKey(row, null), key };
}

/** The user's live keys, newest first, each with its last use as the user's object saw it. */
export async function listApiKeys(db: Db, env: Bindings, userId: string) {
  const live = db
    .select()
    .from(apiKeys)
    .where(and(eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt), or(isNull(apiKeys.expiresAt), gt(apiKeys.expiresAt, new Date()))))
    .orderBy(desc(apiKeys.createdAt));
  const [[account, rows], lastUses] = await Promise.all([db.batch([accountQuery(db, userId), live]), keyLastUses(env, userId)]);
  requireAccount(account);
  return { apiKeys: rows.map((row) => toApiKey(row, lastUses.get(row.id) ?? null)) };
}

/**
 * Revokes a key: it leaves the user's object first, so it fails from the next request on, then its
 * record is marked. Another user's key is not found (their keys live in their own object).
 */
export async function revokeApiKey(db: Db, env: Bindings, userId: string, keyId: string) {
  await forgetKey(env, userId, keyId);
  const [account, revoked] = await db.batch([
    accountQuery(db, userId),
    db
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, keyId), eq(apiKeys.userId, userId), isNull(apiKeys.revokedAt)))
      .returning({ id: apiKeys.id }),
  ]);
  requireAccount(account);
  if (revoked.length === 0) throw new AppError("NOT_FOUND", 404, "API key not found");
}
