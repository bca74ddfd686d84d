// The spend limit of one user: each stream's most possible cost reserved before it opens, then
// replaced by what it really cost, each counted until it leaves the sliding window at `expires_at`.

/** Money is counted in whole units of 10⁻¹⁰ US dollars, the database's precision: sums stay exact. */
export const UNITS_PER_USD = 1e10;

export interface SpendRequest {
  /** Null: spend is counted but not capped. */
  limitUnits: number | null;
  windowSeconds: number;
  reserveUnits: number;
}

export type SpendCheck =
  | { fits: true }
  | {
      fits: false;
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

/**
 * One user's spend, over its object's SQLite storage; synchronous, like the windows, so a check and
 * the reservation that follows it cannot be split by another request.
 */
export class SpendLedger {
  private readonly sql: SqlStorage;
  private readonly now: () => number;

  constructor(sql: SqlStorage, now: () => number) {
    this.sql = sql;
    this.now = now;
  }

  /** Whether a reservation of `reserveUnits` fits in what is left of the limit now: a sum, not the ledger's rows. */
  check({ limitUnits, reserveUnits }: SpendRequest): SpendCheck {
    if (limitUnits === null) return { fits: true };
    const now = this.now();
    const total =
      this.sql.exec<{ total: number | null }>("select sum(units) as total from spend where expires_at > ?", now).one().total ?? 0;
    const overBy = total + reserveUnits - limitUnits;
    if (overBy <= 0) return { fits: true };
    return {
      fits: false,
      leftUnits: Math.max(0, limitUnits - total),
      retryAfterSeconds: reserveUnits > limitUnits ? null : this.secondsUntilFreed(overBy, now),
    };
  }

  /** Holds `units` for a stream; returns its id and when it leaves the window, or null for nothing to hold. */
  reserve(units: number, windowSeconds: number): { id: number; expiresAt: number } | null {
    if (units <= 0) return null;
    const now = this.now();
    const expiresAt = now + windowSeconds * 1000;
    const { id } = this.sql
      .exec<{ id: number }>("insert into spend (at, units, expires_at) values (?, ?, ?) returning id", now, units, expiresAt)
      .one();
    return { id, expiresAt };
  }

  /** Replaces a reservation by what the stream really cost; a stream that cost nothing frees it all. */
  settle(reservationId: number, units: number): void {
    if (units > 0) this.sql.exec("update spend set units = ?, settled = 1 where id = ?", units, reservationId);
    else this.sql.exec("delete from spend where id = ?", reservationId);
  }

  /** The spend counted in the window: settled, and reserved by streams still running. */
  state(): SpendState {
    const state = this.sql
      .exec<{ used: number | null; reserved: number | null; oldest: number | null }>(
        "select sum(case when settled = 1 then units end) as used, sum(case when settled = 0 then units end) as reserved, min(expires_at) as oldest from spend where expires_at > ?",
        this.now(),
      )
      .one();
    return { usedUnits: state.used ?? 0, reservedUnits: state.reserved ?? 0, resetsAt: state.oldest };
  }

  /**
   * Seconds until enough of the counted spend leaves the window to make room for `overBy` units
   * (the oldest leaves first): reservations of running streams may settle lower sooner, so this is
   * the longest wait. Read only for a refusal.
   */
  private secondsUntilFreed(overBy: number, now: number): number | null {
    let freed = 0;
    for (const entry of this.sql.exec<{ expiresAt: number; units: number }>(
      "select expires_at as expiresAt, units from spend order by expires_at",
    )) {
      freed += entry.units;
      if (freed >= overBy) return Math.max(1, Math.ceil((entry.expiresAt - now) / 1000));
    }
    return null;
  }

  /** Drops what has left the window; returns when the last entry left will, or null when none is left. */
  prune(): number | null {
    this.sql.exec("delete from spend where expires_at <= ?", this.now());
    return this.sql.exec<{ last: number | null }>("select max(expires_at) as last from spend").one().last;
  }
}
