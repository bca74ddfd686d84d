// Exact sliding windows of requests, one per policy: every request let through is a row until it
// leaves its window. One rule for expiry: a row counts while `expires_at` is in the future.

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted request leaves the window, freeing a unit. */
  resetSeconds: number;
  /** Seconds until a request would be allowed: 0 when allowed. */
  retryAfterSeconds: number;
  /** Identifies the recorded request, so a caller refused by another policy can give it back. */
  hitId: number | null;
}

/**
 * The windows of one subject, over its object's SQLite storage. Every method is synchronous, so
 * the object decides concurrent requests one after another.
 *
 * @example
 * const decision = windows.decide("stream", 50, 3600);
 * if (decision.allowed) windows.record(decision, "stream", 3600);
 */
export class SlidingWindows {
  private readonly sql: SqlStorage;
  private readonly now: () => number;

  constructor(sql: SqlStorage, now: () => number) {
    this.sql = sql;
    this.now = now;
  }

  /**
   * Whether a request may pass `policy` now, without counting it. Reads a count and one expiry, never
   * the window's rows: a user near a large limit costs what one far from it does. Rows that left the
   * window are skipped here and deleted by the alarm (`prune`).
   */
  decide(policy: string, limit: number, windowSeconds: number): RateLimitDecision {
    const now = this.now();
    this.sql.exec("delete from hits where policy = ? and expires_at <= ?", policy, now);
    const { counted, oldest } = this.sql
      .exec<{ counted: number; oldest: number | null }>(
        "select count(*) as counted, min(expires_at) as oldest from hits where policy = ?",
        policy,
      )
      .one();
    const secondsUntil = (at: number) => Math.max(1, Math.ceil((at - now) / 1000));
    if (counted >= limit) {
      // The request that leaves the window first makes room for the next one.
      const freeing = this.sql
        .exec<{ expiresAt: number }>(
          "select expires_at as expiresAt from hits where policy = ? order by expires_at limit 1 offset ?",
          policy,
          counted - limit,
        )
        .one().expiresAt;
      const wait = secondsUntil(freeing);
      return { allowed: false, limit, remaining: 0, resetSeconds: wait, retryAfterSeconds: wait, hitId: null };
    }
    return {
      allowed: true,
      limit,
      remaining: limit - counted - 1,
      resetSeconds: secondsUntil(oldest ?? now + windowSeconds * 1000),
      retryAfterSeconds: 0,
      hitId: null,
    };
  }

  /** Counts an allowed request, setting its `hitId`; returns when it leaves the window. */
  record(decision: RateLimitDecision, policy: string, windowSeconds: number): number {
    const now = this.now();
    const expiresAt = now + windowSeconds * 1000;
    decision.hitId = this.sql
      .exec<{ id: number }>("insert into hits (policy, at, expires_at) values (?, ?, ?) returning id", policy, now, expiresAt)
      .one().id;
    return expiresAt;
  }

  /** Forgets a counted request (another policy refused it). */
  giveBack(hitId: number): void {
    this.sql.exec("delete from hits where id = ?", hitId);
  }

  /** The requests counted now for `policy`. */
  count(policy: string): number {
    return this.sql.exec<{ n: number }>("select count(*) as n from hits where policy = ? and expires_at > ?", policy, this.now()).one().n;
  }

  /** Drops what has left its window; returns when the last row left will, or null when none is left. */
  prune(): number | null {
    this.sql.exec("delete from hits where expires_at <= ?", this.now());
    return this.sql.exec<{ last: number | null }>("select max(expires_at) as last from hits").one().last;
  }
}
