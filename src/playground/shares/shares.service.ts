// Sharing a session by link: a capability to read that one session, made, found again, withdrawn,
// and read by whoever holds it, with nothing that names or points to the session's owner.
import { and, asc, eq, sql } from "drizzle-orm";
import { accountQuery, requireAccount } from "../../auth/account.ts";
import type { Db } from "../../db/client.ts";
import { conversations, sessions, shares, votes } from "../../db/schema.ts";
import { AppError } from "../../http/errors.ts";
import { isHidden } from "../blind.ts";
import { detailOf, voteColumns } from "../sessions/sessions.service.ts";
import { shareIdOf, shareToken } from "./share-token.ts";

const notShared = () => new AppError("NOT_FOUND", 404, "no shared session has this link");

const ownedBy = (sessionId: string, userId: string) =>
  sql`exists (select 1 from ${sessions} where ${sessions.id} = ${sessionId} and ${sessions.userId} = ${userId})`;

async function shareOf(row: { id: string; createdAt: Date }, secret: string) {
  const token = await shareToken(row.id, secret);
  return { token, url: `/shared/${token}`, createdAt: row.createdAt.toISOString() };
}

/**
 * Shares the user's session, or finds its share again (the same link): one round trip, and two
 * shares of one session at once make one (a unique index). `created` says which.
 */
export async function shareSession(db: Db, userId: string, sessionId: string, secret: string) {
  const [account, made, found] = await db.batch([
    accountQuery(db, userId),
    db
      .insert(shares)
      .select(
        db
          .select({ id: sql`${crypto.randomUUID()}::uuid`.as("id"), sessionId: sessions.id, createdAt: sql`now()`.as("created_at") })
          .from(sessions)
          .where(and(eq(sessions.id, sessionId), eq(sessions.userId, userId))),
      )
      .onConflictDoNothing({ target: shares.sessionId })
      .returning({ id: shares.id }),
    db
      .select({ id: shares.id, createdAt: shares.createdAt })
      .from(shares)
      .where(and(eq(shares.sessionId, sessionId), ownedBy(sessionId, userId))),
  ]);
  requireAccount(account);
  const [share] = found;
  if (!share) throw new AppError("NOT_FOUND", 404, "session not found");
  return { share: await shareOf(share, secret), created: made.length > 0 };
}

/** Withdraws a session's share: its link stops working at once. */
export async function withdrawShare(db: Db, userId: string, sessionId: string) {
  const [account, withdrawn] = await db.batch([
    accountQuery(db, userId),
    db
      .delete(shares)
      .where(and(eq(shares.sessionId, sessionId), ownedBy(sessionId, userId)))
      .returning({ id: shares.id }),
  ]);
  requireAccount(account);
  if (withdrawn.length === 0) throw new AppError("NOT_FOUND", 404, "this session is not shared");
}

/**
 * The session a link shares, for anyone who holds the link: the same 404 for a token that is
 * forged, unknown or withdrawn. A blind session before its vote keeps its labels and shows no cost
 * (a price would tell which model is which).
 */
export async function sharedSession(db: Db, token: string, secret: string) {
  const shareId = await shareIdOf(token, secret);
  if (!shareId) throw notShared();
  const shared = sql`(select ${shares.sessionId} from ${shares} where ${shares.id} = ${shareId})`;
  const [[session], turns, cast] = await db.batch([
    db.select().from(sessions).where(sql`${sessions.id} = ${shared}`),
    db.select().from(conversations).where(sql`${conversations.sessionId} = ${shared}`).orderBy(asc(conversations.turn)),
    db.select(voteColumns).from(votes).where(sql`${votes.sessionId} = ${shared}`).orderBy(asc(votes.turn)),
  ]);
  if (!session) throw notShared();
  const { totalCost, ...detail } = detailOf(session, turns, cast);
  if (!isHidden(session)) return { ...detail, totalCost };
  return { ...detail, conversations: detail.conversations.map(({ cost: _, ...conversation }) => conversation) };
}
