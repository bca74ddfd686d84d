// One Durable Object per subject (a user, a client address, an email): an exact sliding window per
// policy, counted from the stored times of the requests it let through.
import { DurableObject } from "cloudflare:workers";

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the oldest counted request leaves the window, freeing a unit (0 when none is counted). */
  resetSeconds: number;
  /** Seconds until a request would be allowed: 0 when allowed. */
  retryAfterSeconds: number;
  /** Identifies the recorded request, so a caller refused by another policy can give it back. */
  hitId: number | null;
}

export class RateLimiter extends DurableObject<Env> {
  /** False until the table exists: at first use, and again after an idle object cleared itself. */
  private ready = false;
  /** Whether a clean-up alarm is pending; undefined until read from storage. */
  private alarmPending: boolean | undefined;

  private ensureTable() {
    if (this.ready) return;
    const sql = this.ctx.storage.sql;
    sql.exec("create table if not exists hits (id integer primary key, policy text not null, at integer not null, expires_at integer not null)");
    sql.exec("create index if not exists hits_policy_at on hits (policy, at)");
    this.ready = true;
  }

  /** The object's clock in milliseconds; tests move it instead of sleeping. */
  now(): number {
    return Date.now();
  }

  /**
   * Counts a request against `policy` if fewer than `limit` were let through in the last
   * `windowSeconds`. Runs without an await, so concurrent calls are decided one after another.
   */
  take(policy: string, limit: number, windowSeconds: number): RateLimitDecision {
    this.ensureTable();
    const now = this.now();
    const windowMs = windowSeconds * 1000;
    const sql = this.ctx.storage.sql;
    sql.exec("delete from hits where policy = ? and at <= ?", policy, now - windowMs);
    const counted = sql.exec<{ at: number }>("select at from hits where policy = ? order by at limit ?", policy, limit).toArray();
    const oldest = counted[0]?.at;
    const secondsUntil = (at: number | undefined) => (at === undefined ? 0 : Math.max(1, Math.ceil((at + windowMs - now) / 1000)));
    if (counted.length >= limit) {
      // The request that leaves the window first makes room for the next one.
      const wait = secondsUntil(counted[counted.length - limit]?.at);
      return { allowed: false, limit, remaining: 0, resetSeconds: wait, retryAfterSeconds: wait, hitId: null };
    }
    const { id } = sql
      .exec<{ id: number }>("insert into hits (policy, at, expires_at) values (?, ?, ?) returning id", policy, now, now + windowMs)
      .one();
    this.scheduleCleanup(now + windowMs);
    return {
      allowed: true,
      limit,
      remaining: limit - counted.length - 1,
      resetSeconds: secondsUntil(oldest ?? now),
      retryAfterSeconds: 0,
      hitId: id,
    };
  }

  /** Gives back a request that another policy refused, so a refused request uses no quota. */
  giveBack(hitId: number): void {
    this.ensureTable();
    this.ctx.storage.sql.exec("delete from hits where id = ?", hitId);
  }

  /** Rows counted now for `policy`; for tests and operators. */
  count(policy: string): number {
    this.ensureTable();
    return this.ctx.storage.sql.exec<{ n: number }>("select count(*) as n from hits where policy = ?", policy).one().n;
  }

  /** Expired rows go; an object with nothing left counted clears itself entirely. */
  override async alarm(): Promise<void> {
    this.ensureTable();
    const sql = this.ctx.storage.sql;
    sql.exec("delete from hits where expires_at <= ?", this.now());
    const next = sql.exec<{ at: number | null }>("select max(expires_at) as at from hits").one().at;
    if (next === null) {
      await this.ctx.storage.deleteAll();
      this.ready = false;
      this.alarmPending = false;
    } else await this.ctx.storage.setAlarm(next);
  }

  /**
   * Makes sure an alarm will clean up after `at`. Storage calls hold the answer until they are
   * durable, so they are made only when no alarm is pending, not on every request: the alarm
   * itself moves on to the latest expiry while requests keep coming.
   */
  private scheduleCleanup(at: number) {
    if (this.alarmPending) return;
    this.alarmPending = true;
    void this.ctx.storage.getAlarm().then((current) => (current === null ? this.ctx.storage.setAlarm(at) : undefined));
  }
}
