// The outbox of one user: finished turns the database could not take, kept in the object's storage
// (a restart keeps them) and written by the alarm with growing pauses until the database takes
// them or their time runs out.
import type { Db } from "../db/client.ts";
import { describeFailure, isTransientFailure } from "../db/errors.ts";
import { type TurnRecord, writeTurn } from "../db/turns.ts";

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

/** A queued turn as the outbox lists it, for operators and tests. */
export type OutboxEntry = {
  id: string;
  requestId: string;
  attempts: number;
  queuedAt: number;
  nextAttemptAt: number;
};

/** Pauses between tries of a queued turn: the first within 10 s, none over a minute in the first hour. */
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS_FIRST_HOUR = 60_000;
const MAX_RETRY_MS = 10 * 60_000;

/**
 * The pause after `failedAttempts` failures: 10 s, 20 s, 40 s, then a minute (ten after the first
 * hour), shortened by up to a fifth at random (`random` in [0, 1)) so that the objects of many users
 * do not retry in step.
 *
 * @example
 * retryPause(1, 0, () => 0.5); // 9_000
 */
export function retryPause(failedAttempts: number, queuedForMs: number, random: () => number = Math.random): number {
  const cap = queuedForMs < 3_600_000 ? MAX_RETRY_MS_FIRST_HOUR : MAX_RETRY_MS;
  return Math.min(cap, FIRST_RETRY_MS * 2 ** failedAttempts) * (0.8 + 0.2 * random());
}

type Row = { id: string; record: string; requestId: string; attempts: number; queuedAt: number; giveUpAt: number };

export class TurnOutbox {
  private readonly sql: SqlStorage;
  private readonly now: () => number;
  private readonly database: () => Db;

  constructor(sql: SqlStorage, now: () => number, database: () => Db) {
    this.sql = sql;
    this.now = now;
    this.database = database;
  }

  /** Keeps a turn (once, whatever number of times it is handed over); returns when it is first tried. */
  add(turn: QueuedTurn): number {
    const now = this.now();
    const nextAttemptAt = now + FIRST_RETRY_MS;
    this.sql.exec(
      "insert or ignore into queued_turns (id, record, request_id, queued_at, next_attempt_at, give_up_at) values (?, ?, ?, ?, ?, ?)",
      turn.id,
      JSON.stringify(turn.record),
      turn.requestId,
      now,
      nextAttemptAt,
      turn.giveUpAt,
    );
    return nextAttemptAt;
  }

  /** The turns waiting, oldest first. */
  list(): OutboxEntry[] {
    return this.sql
      .exec<OutboxEntry>(
        "select id, request_id as requestId, attempts, queued_at as queuedAt, next_attempt_at as nextAttemptAt from queued_turns order by queued_at",
      )
      .toArray();
  }

  /** Tries every turn that is due, one after another; returns when the next one is, or null when none is left. */
  async writeDue(): Promise<number | null> {
    const due = this.sql
      .exec<Row>(
        "select id, record, request_id as requestId, attempts, queued_at as queuedAt, give_up_at as giveUpAt from queued_turns where next_attempt_at <= ? order by queued_at",
        this.now(),
      )
      .toArray();
    for (const turn of due) await this.tryToWrite(turn);
    return this.sql.exec<{ next: number | null }>("select min(next_attempt_at) as next from queued_turns").one().next;
  }

  /**
   * One try; its outcome is logged once, with the request id and never the SQL or its values. A
   * turn the database refuses for what it holds (not for being down) is dropped at once: it would
   * be refused at every try.
   */
  private async tryToWrite(turn: Row) {
    const attempt = turn.attempts + 1;
    try {
      await writeTurn(this.database(), JSON.parse(turn.record) as TurnRecord);
      this.sql.exec("delete from queued_turns where id = ?", turn.id);
      console.log(`[${turn.requestId}] queued turn written to the database, at attempt ${attempt}`);
    } catch (error) {
      const now = this.now();
      if (!isTransientFailure(error) || now >= turn.giveUpAt) {
        this.sql.exec("delete from queued_turns where id = ?", turn.id);
        const why = isTransientFailure(error) ? `the database did not take it in ${attempt} attempts` : "the database refused it";
        console.error(`[${turn.requestId}] queued turn dropped: ${why} (${describeFailure(error)})`);
        return;
      }
      const pause = retryPause(attempt, now - turn.queuedAt);
      this.sql.exec("update queued_turns set attempts = ?, next_attempt_at = ? where id = ?", attempt, now + pause, turn.id);
      console.error(
        `[${turn.requestId}] queued turn not written (attempt ${attempt}, ${describeFailure(error)}); next try in ${Math.round(pause / 1000)} s`,
      );
    }
  }
}
