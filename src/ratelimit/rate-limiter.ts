// One Durable Object per subject (a user, a client address, an email), the one place where all of
// its requests meet, from every edge. For any subject: an exact sliding window of requests per
// policy. For a user also: the spend limit (reservations settled to real costs, in a sliding
// window) and the turns the database could not take yet, written later by the alarm.
import { DurableObject } from "cloudflare:workers";
import { createDb, type Db } from "../db/client.ts";
import { type TurnRecord, writeTurn } from "../db/turns.ts";
import { type Bindings, readConfig } from "../env.ts";
import { failureOf } from "../http/errors.ts";

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

/** Money is counted in whole units of 10⁻¹⁰ US dollars, the database's precision: sums stay exact. */
export const UNITS_PER_USD = 1e10;

export interface StreamAdmissionRequest {
  rate: { policy: string; limit: number; windowSeconds: number };
  /** `limitUnits` null: spend is counted but not capped. */
  spend: { limitUnits: number | null; windowSeconds: number; reserveUnits: number };
}

export type StreamAdmission =
  | { allowed: true; rate: RateLimitDecision; reservationId: number | null }
  | { allowed: false; refusedBy: "rate"; rate: RateLimitDecision }
  | {
      allowed: false;
      refusedBy: "spend";
      rate: RateLimitDecision;
      /** What is left of the limit in the window now, reservations of running streams deducted. */
      leftUnits: number;
      /** Null when waiting cannot make room: the stream could cost more than the whole limit. */
      retryAfterSeconds: number | null;
    };

export interface SpendState {
  usedUnits: number;
  reservedUnits: number;
  /** When the oldest spend leaves the window (ms since the epoch), or null when nothing is counted. */
  resetsAt: number | null;
}

/** A turn handed over because the database could not take it. */
export interface QueuedTurn {
  /** The same id for the same turn: handing it over twice keeps one. */
  id: string;
  record: TurnRecord;
  /** The stream request's id, for the logs. */
  requestId: string;
  /** When to stop trying (ms since the epoch). */
  giveUpAt: number;
}

/** Pauses between tries of a queued turn: the first within 10 s, none over a minute in the first hour. */
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS_FIRST_HOUR = 60_000;
const MAX_RETRY_MS = 10 * 60_000;

export class RateLimiter extends DurableObject<Env> {
  /** False until the tables exist: at first use, and again after an idle object cleared itself. */
  private ready = false;
  /** Whether a clean-up alarm is pending; undefined until read from storage. */
  private alarmPending: boolean | undefined;

  private ensureTables() {
    if (this.ready) return;
    const sql = this.ctx.storage.sql;
    sql.exec(
      "create table if not exists hits (id integer primary key, policy text not null, at integer not null, expires_at integer not null)",
    );
    sql.exec("create index if not exists hits_policy_at on hits (policy, at)");
    // A reservation until settled, then what the stream really cost; counted from when it began.
    sql.exec(
      "create table if not exists spend (id integer primary key, at integer not null, units integer not null, settled integer not null default 0, expires_at integer not null)",
    );
    sql.exec(
      "create table if not exists queued_turns (id text primary key, record text not null, request_id text not null, attempts integer not null default 0, queued_at integer not null, next_attempt_at integer not null, give_up_at integer not null)",
    );
    this.ready = true;
  }

  /** The object's clock in milliseconds; tests move it instead of sleeping. */
  now(): number {
    return Date.now();
  }

  /** The database queued turns are written to; tests point it elsewhere. */
  database(): Db {
    return createDb(readConfig(this.env as Bindings).databaseUrl);
  }

  /**
   * Counts a request against `policy` if fewer than `limit` were let through in the last
   * `windowSeconds`. Runs without an await, so concurrent calls are decided one after another.
   */
  take(policy: string, limit: number, windowSeconds: number): RateLimitDecision {
    this.ensureTables();
    const decision = this.decide(policy, limit, windowSeconds);
    if (decision.allowed) this.record(decision, policy, windowSeconds);
    return decision;
  }

  /**
   * Admits a stream: counts it against the rate limit and reserves its most possible cost against
   * the spend limit, in one synchronous step, so that no number of concurrent streams can
   * overshoot either. A stream refused by one limit takes nothing from the other.
   */
  admitStream({ rate, spend }: StreamAdmissionRequest): StreamAdmission {
    this.ensureTables();
    const decision = this.decide(rate.policy, rate.limit, rate.windowSeconds);
    if (!decision.allowed) return { allowed: false, refusedBy: "rate", rate: decision };
    const now = this.now();
    const windowMs = spend.windowSeconds * 1000;
    const sql = this.ctx.storage.sql;
    sql.exec("delete from spend where at <= ?", now - windowMs);
    if (spend.limitUnits !== null) {
      const counted = sql.exec<{ at: number; units: number }>("select at, units from spend order by at").toArray();
      const total = counted.reduce((sum, entry) => sum + entry.units, 0);
      const overBy = total + spend.reserveUnits - spend.limitUnits;
      if (overBy > 0) {
        return {
          allowed: false,
          refusedBy: "spend",
          rate: decision,
          leftUnits: Math.max(0, spend.limitUnits - total),
          retryAfterSeconds: spend.reserveUnits > spend.limitUnits ? null : secondsUntilFreed(counted, overBy, now, windowMs),
        };
      }
    }
    this.record(decision, rate.policy, rate.windowSeconds);
    let reservationId: number | null = null;
    if (spend.reserveUnits > 0) {
      reservationId = sql
        .exec<{ id: number }>(
          "insert into spend (at, units, expires_at) values (?, ?, ?) returning id",
          now,
          spend.reserveUnits,
          now + windowMs,
        )
        .one().id;
      this.scheduleCleanup(now + windowMs);
    }
    return { allowed: true, rate: decision, reservationId };
  }

  /** Replaces a reservation by what the stream really cost. */
  settle(reservationId: number, units: number): void {
    this.ensureTables();
    const sql = this.ctx.storage.sql;
    if (units > 0) sql.exec("update spend set units = ?, settled = 1 where id = ?", units, reservationId);
    else sql.exec("delete from spend where id = ?", reservationId);
  }

  /** The spend counted in the window: settled, and reserved by streams still running. */
  spendState(windowSeconds: number): SpendState {
    this.ensureTables();
    const windowMs = windowSeconds * 1000;
    const now = this.now();
    const sql = this.ctx.storage.sql;
    sql.exec("delete from spend where at <= ?", now - windowMs);
    const state = sql
      .exec<{ used: number | null; reserved: number | null; oldest: number | null }>(
        "select sum(case when settled = 1 then units end) as used, sum(case when settled = 0 then units end) as reserved, min(at) as oldest from spend",
      )
      .one();
    return {
      usedUnits: state.used ?? 0,
      reservedUnits: state.reserved ?? 0,
      resetsAt: state.oldest === null ? null : state.oldest + windowMs,
    };
  }

  /** Gives back a request that another policy refused, so a refused request uses no quota. */
  giveBack(hitId: number): void {
    this.ensureTables();
    this.ctx.storage.sql.exec("delete from hits where id = ?", hitId);
  }

  /** Rows counted now for `policy`; for tests and operators. */
  count(policy: string): number {
    this.ensureTables();
    return this.ctx.storage.sql.exec<{ n: number }>("select count(*) as n from hits where policy = ?", policy).one().n;
  }

  /**
   * Keeps a turn the database could not take, and writes it with the alarm, from within 10 s, until
   * it is written or `giveUpAt` passes. It lives in the object's storage, so a restart keeps it.
   */
  async queueTurn(turn: QueuedTurn): Promise<void> {
    this.ensureTables();
    const now = this.now();
    const nextAttemptAt = now + FIRST_RETRY_MS;
    this.ctx.storage.sql.exec(
      "insert or ignore into queued_turns (id, record, request_id, queued_at, next_attempt_at, give_up_at) values (?, ?, ?, ?, ?, ?)",
      turn.id,
      JSON.stringify(turn.record),
      turn.requestId,
      now,
      nextAttemptAt,
      turn.giveUpAt,
    );
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > nextAttemptAt) await this.ctx.storage.setAlarm(nextAttemptAt);
    this.alarmPending = true;
  }

  /** The turns waiting for the database; for tests and operators. */
  queuedTurns(): { id: string; requestId: string; attempts: number; queuedAt: number; nextAttemptAt: number }[] {
    this.ensureTables();
    return this.ctx.storage.sql
      .exec<{ id: string; requestId: string; attempts: number; queuedAt: number; nextAttemptAt: number }>(
        "select id, request_id as requestId, attempts, queued_at as queuedAt, next_attempt_at as nextAttemptAt from queued_turns order by queued_at",
      )
      .toArray();
  }

  /**
   * Writes the queued turns that are due, lets expired counts go, and sets the next alarm; an
   * object with nothing counted, reserved or queued deletes its storage.
   */
  override async alarm(): Promise<void> {
    this.ensureTables();
    const sql = this.ctx.storage.sql;
    const due = sql
      .exec<{ id: string; record: string; request_id: string; attempts: number; queued_at: number; give_up_at: number }>(
        "select id, record, request_id, attempts, queued_at, give_up_at from queued_turns where next_attempt_at <= ? order by queued_at",
        this.now(),
      )
      .toArray();
    for (const turn of due) await this.writeQueued(turn);

    const now = this.now();
    sql.exec("delete from hits where expires_at <= ?", now);
    sql.exec("delete from spend where expires_at <= ?", now);
    const next = sql
      .exec<{ at: number | null }>(
        "select min(at) as at from (select min(next_attempt_at) as at from queued_turns union all select max(expires_at) from hits union all select max(expires_at) from spend)",
      )
      .one().at;
    if (next === null) {
      await this.ctx.storage.deleteAll();
      this.ready = false;
      this.alarmPending = false;
    } else await this.ctx.storage.setAlarm(next);
  }

  /** One try of a queued turn; a failure is logged once, with the request id and no SQL or values. */
  private async writeQueued(turn: {
    id: string;
    record: string;
    request_id: string;
    attempts: number;
    queued_at: number;
    give_up_at: number;
  }) {
    const sql = this.ctx.storage.sql;
    const attempt = turn.attempts + 1;
    try {
      await writeTurn(this.database(), JSON.parse(turn.record) as TurnRecord);
      sql.exec("delete from queued_turns where id = ?", turn.id);
      console.log(`[${turn.request_id}] queued turn written to the database, at attempt ${attempt}`);
      return;
    } catch (error) {
      const now = this.now();
      if (now >= turn.give_up_at) {
        sql.exec("delete from queued_turns where id = ?", turn.id);
        console.error(
          `[${turn.request_id}] queued turn dropped: the database did not take it in ${attempt} attempts (${failureOf(error)})`,
        );
        return;
      }
      const pause = retryPause(attempt, now - turn.queued_at);
      sql.exec("update queued_turns set attempts = ?, next_attempt_at = ? where id = ?", attempt, now + pause, turn.id);
      console.error(
        `[${turn.request_id}] queued turn not written (attempt ${attempt}, ${failureOf(error)}); next try in ${Math.round(pause / 1000)} s`,
      );
    }
  }

  /** Whether a request may pass `policy` now, without counting it. */
  private decide(policy: string, limit: number, windowSeconds: number): RateLimitDecision {
    const now = this.now();
    const windowMs = windowSeconds * 1000;
    const sql = this.ctx.storage.sql;
    sql.exec("delete from hits where policy = ? and at <= ?", policy, now - windowMs);
    const counted = sql.exec<{ at: number }>("select at from hits where policy = ? order by at limit ?", policy, limit).toArray();
    const secondsUntil = (at: number | undefined) => (at === undefined ? 0 : Math.max(1, Math.ceil((at + windowMs - now) / 1000)));
    if (counted.length >= limit) {
      // The request that leaves the window first makes room for the next one.
      const wait = secondsUntil(counted[counted.length - limit]?.at);
      return { allowed: false, limit, remaining: 0, resetSeconds: wait, retryAfterSeconds: wait, hitId: null };
    }
    return {
      allowed: true,
      limit,
      remaining: limit - counted.length - 1,
      resetSeconds: secondsUntil(counted[0]?.at ?? now),
      retryAfterSeconds: 0,
      hitId: null,
    };
  }

  /** Counts an allowed request. */
  private record(decision: RateLimitDecision, policy: string, windowSeconds: number) {
    const now = this.now();
    const expiresAt = now + windowSeconds * 1000;
    decision.hitId = this.ctx.storage.sql
      .exec<{ id: number }>("insert into hits (policy, at, expires_at) values (?, ?, ?) returning id", policy, now, expiresAt)
      .one().id;
    this.scheduleCleanup(expiresAt);
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

/**
 * Seconds until enough of the counted spend leaves the window to make room for `overBy` units
 * (the oldest leaves first): reservations of running streams may settle lower sooner, so this is
 * the longest wait.
 */
function secondsUntilFreed(counted: { at: number; units: number }[], overBy: number, now: number, windowMs: number) {
  let freed = 0;
  for (const entry of counted) {
    freed += entry.units;
    if (freed >= overBy) return Math.max(1, Math.ceil((entry.at + windowMs - now) / 1000));
  }
  return null;
}

/**
 * The pause after `failedAttempts` failures: 10 s, 20 s, 40 s, then a minute (ten after the first
 * hour), a little shorter at random so that the objects of many users do not retry in step.
 */
function retryPause(failedAttempts: number, queuedForMs: number) {
  const cap = queuedForMs < 3_600_000 ? MAX_RETRY_MS_FIRST_HOUR : MAX_RETRY_MS;
  return Math.min(cap, FIRST_RETRY_MS * 2 ** failedAttempts) * (0.8 + 0.2 * Math.random());
}
