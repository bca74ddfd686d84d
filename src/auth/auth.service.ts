// Accounts and logins: the rules of API.md's auth section, one or two round trips per call.
import { and, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { SQL_STATE, sqlStateOf } from "../db/errors.ts";
import { refreshTokens, users } from "../db/schema.ts";
import type { Config } from "../env.ts";
import { AppError } from "../http/errors.ts";
import { sha256Hex } from "../sha256.ts";
import { accountGone } from "./account.ts";
import { DECOY_PASSWORD_HASH, hashPassword, verifyPassword } from "./passwords.ts";
import { newRefreshToken, signAccessToken } from "./tokens.ts";

type User = typeof users.$inferSelect;

const invalidCredentials = () => new AppError("INVALID_CREDENTIALS", 401, "the email or the password is wrong");
const invalidRefreshToken = () => new AppError("UNAUTHENTICATED", 401, "the refresh token is invalid, expired or already used");

const toPublicUser = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  createdAt: user.createdAt.toISOString(),
});

/** A refresh-token row for a login: a new family, or a rotation that keeps its family's expiry. */
async function refreshTokenRow(userId: string, family: { id: string; expiresAt: Date }) {
  const token = newRefreshToken();
  const row = { userId, familyId: family.id, tokenHash: await sha256Hex(token), expiresAt: family.expiresAt };
  return { token, row };
}

const newFamily = (config: Config) => ({
  id: crypto.randomUUID(),
  expiresAt: new Date(Date.now() + config.refreshTokenSeconds * 1000),
});

async function authResult(user: User, refreshToken: string, config: Config) {
  return {
    user: toPublicUser(user),
    accessToken: await signAccessToken(user.id, config.jwtSecret, config.accessTokenSeconds),
    refreshToken,
    expiresIn: config.accessTokenSeconds,
  };
}

/** Creates the user and its first login in one transaction. */
export async function register(db: Db, config: Config, input: { email: string; password: string; name?: string }) {
  const user: User = {
    id: crypto.randomUUID(),
    email: input.email,
    name: input.name ?? null,
    passwordHash: await hashPassword(input.password),
    createdAt: new Date(),
  };
  const { token, row } = await refreshTokenRow(user.id, newFamily(config));
  try {
    await db.batch([db.insert(users).values(user), db.insert(refreshTokens).values(row)]);
  } catch (error) {
    if (sqlStateOf(error) === SQL_STATE.uniqueViolation) throw new AppError("EMAIL_TAKEN", 409, "an account with this email exists");
    throw error;
  }
  return authResult(user, token, config);
}

/** Unknown email and wrong password fail alike, after the same hashing work. */
export async function login(db: Db, config: Config, input: { email: string; password: string }) {
  const [user] = await db.select().from(users).where(sql`lower(${users.email}) = lower(${input.email})`).limit(1);
  const matches = await verifyPassword(input.password, user?.passwordHash ?? DECOY_PASSWORD_HASH);
  if (!user || !matches) throw invalidCredentials();
  const { token, row } = await refreshTokenRow(user.id, newFamily(config));
  await db.insert(refreshTokens).values(row);
  return authResult(user, token, config);
}

export async function getUser(db: Db, userId: string) {
  const [user] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  if (!user) throw accountGone();
  return toPublicUser(user);
}

/**
 * Consumes a refresh token and issues the next of its family, in one statement: so when two
 * requests bring the same token at once, the one that finds it used (it waited for the winner's
 * lock) sees the winner's new token already and revokes it with the rest. A token that was used
 * already is reuse, likely theft: the whole family is revoked, including the token its thief was
 * given.
 */
export async function refresh(db: Db, config: Config, refreshToken: string) {
  const tokenHash = await sha256Hex(refreshToken);
  const next = newRefreshToken();
  const consumed = db.$with("consumed").as(
    db
      .update(refreshTokens)
      .set({ usedAt: sql`now()` })
      .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt), sql`${refreshTokens.expiresAt} > now()`))
      .returning({ userId: refreshTokens.userId, familyId: refreshTokens.familyId, expiresAt: refreshTokens.expiresAt }),
  );
  const issued = db.$with("issued").as(
    db
      .insert(refreshTokens)
      .select(
        db
          .select({
            id: sql`gen_random_uuid()`.as("id"),
            userId: consumed.userId,
            familyId: consumed.familyId,
            tokenHash: sql`${await sha256Hex(next)}`.as("token_hash"),
            expiresAt: consumed.expiresAt,
            usedAt: sql`null::timestamptz`.as("used_at"),
            createdAt: sql`now()`.as("created_at"),
          })
          .from(consumed),
      )
      .returning({ id: refreshTokens.id }),
  );
  const [found] = await db.with(consumed, issued).select({ user: users }).from(consumed).innerJoin(users, eq(users.id, consumed.userId));
  if (!found) {
    await revokeFamilyOf(db, tokenHash);
    throw invalidRefreshToken();
  }
  return authResult(found.user, next, config);
}

/** Ends the login a refresh token belongs to. Unknown tokens are ignored: logout always succeeds. */
export async function logout(db: Db, refreshToken: string) {
  await revokeFamilyOf(db, await sha256Hex(refreshToken));
}

function revokeFamilyOf(db: Db, tokenHash: string) {
  const family = db.select({ familyId: refreshTokens.familyId }).from(refreshTokens).where(eq(refreshTokens.tokenHash, tokenHash));
  return db
    .update(refreshTokens)
    .set({ usedAt: sql`now()` })
    .where(and(sql`${refreshTokens.familyId} = (${family})`, isNull(refreshTokens.usedAt)));
}
