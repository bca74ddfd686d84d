// One Durable Object per subject (a user, a client address, an email): the one place where all of
// its requests meet, from every edge. It composes three jobs over its SQLite storage: the sliding
// windows of requests (every subject), and for a user the spend ledger and the outbox of turns the
// database could not take yet, written later by the alarm.
import { DurableObject } from "cloudflare:workers";
import { createDb, type Db } from "../db/client.ts";
import { type KeyRecord, KeyRing } from "./key-ring.ts";
import { type RateLimitDecision, SlidingWindows } from "./sliding-window.ts";
import { type SpendCheck, SpendLedger, type SpendRequest, type SpendState } from "./spend-ledger.ts";
import { prepareStorage, type SubjectKind, subjectKindOf } from "./storage-schema.ts";
import { type QueuedTurn, TurnOutbox } from "./turn-outbox.ts";
import { UsedTickets } from "./used-tickets.ts";

export interface StreamAdmissionRequest {
  rate: { policy: string; limit: number; windowSeconds: number };
  spend: SpendRequest;
  /** The stream ticket the request came with, if any: good for one stream. */
  ticket?: { id: string; expiresAt: number };
  /** The hash of the API key the request came with, if any: it must be live. */
  keyHash?: string;
}

export type StreamAdmission =
  | { allowed: true; rate: RateLimitDecision; reservationId: number | null }
  | { allowed: false; refusedBy: "ticket" }
  | { allowed: false; refusedBy: "key" }
  | { allowed: false; refusedBy: "rate"; rate: RateLimitDecision }
  | ({ allowed: false; refusedBy: "spend"; rate: RateLimitDecision } & Omit<Extract<SpendCheck, { fits: false }>, "fits">);

/** What the object depends on outside itself; tests replace them from inside the object. */
export interface MeterDependencies {
  /** The clock, in milliseconds since the epoch. */
  now(): number;
  /** The database queued turns are written to. */
  database(): Db;
}

interface Jobs {
  windows: SlidingWindows;
  ledger: SpendLedger;
  outbox: TurnOutbox;
  tickets: UsedTickets;
  keys: KeyRing;
}

export class UserMeter extends DurableObject<Env> {
  /** A field, not a method: RPC does not expose it. */
  readonly dependencies: MeterDependencies = {
    now: () => Date.now(),
    database: () => createDb(databaseUrlOf(this.env)),
  };
  readonly #kind: SubjectKind;
  // `#` members are the object's own: RPC reaches none of them.
  /** The jobs over tables set up when the object woke; unset after the alarm wiped the storage. */
  #ready: Jobs | undefined;
  /** Whether a clean-up alarm is pending; undefined until read from storage. */
  #alarmPending: boolean | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.#kind = subjectKindOf(ctx.id.name);
    void ctx.blockConcurrencyWhile(async () => {
      this.#ready = this.#open();
    });
  }

  /** Sets the tables up (no DDL when they are current) and the jobs over them. */
  #open(): Jobs {
    prepareStorage(this.ctx.storage, this.#kind);
    const { sql } = this.ctx.storage;
    const now = () => this.dependencies.now();
    return {
      windows: new SlidingWindows(sql, now),
      ledger: new SpendLedger(sql, now),
      outbox: new TurnOutbox(sql, now, () => this.dependencies.database()),
      tickets: new UsedTickets(sql, now),
      keys: new KeyRing(sql, now),
    };
  }

  get #jobs(): Jobs {
    this.#ready ??= this.#open();
    return this.#ready;
  }

  /**
   * Counts a request against `policy` if fewer than `limit` were let through in the last
   * `windowSeconds`. Runs without an await, so concurrent calls are decided one after another.
   * With `keyHash` (a user's object), the request's API key must be live, or nothing is counted.
   */
  take(policy: string, limit: number, windowSeconds: number, keyHash?: string): RateLimitDecision | "key refused" {
    const { windows, keys } = this.#jobs;
    if (keyHash !== undefined && !keys.check(keyHash)) return "key refused";
    const decision = windows.decide(policy, limit, windowSeconds);
    if (decision.allowed) this.#scheduleCleanup(windows.record(decision, policy, windowSeconds));
    return decision;
  }

  /**
   * Admits a stream: counts it against the rate limit and reserves its most possible cost against
   * the spend limit, in one synchronous step, so that no number of concurrent streams can
   * overshoot either. A stream refused by one limit takes nothing from the other. A stream ticket
   * is checked off in the same step: a used one is refused, and a refused stream does not use it;
   * so is an API key, which must be live.
   */
  admitStream({ rate, spend, ticket, keyHash }: StreamAdmissionRequest): StreamAdmission {
    const { windows, ledger, tickets, keys } = this.#jobs;
    if (keyHash !== undefined && !keys.check(keyHash)) return { allowed: false, refusedBy: "key" };
    if (ticket && tickets.isUsed(ticket.id)) return { allowed: false, refusedBy: "ticket" };
    const decision = windows.decide(rate.policy, rate.limit, rate.windowSeconds);
    if (!decision.allowed) return { allowed: false, refusedBy: "rate", rate: decision };
    const { fits: _, ...refusal } = ledger.check(spend);
    if ("leftUnits" in refusal) return { allowed: false, refusedBy: "spend", rate: decision, ...refusal };
    this.#scheduleCleanup(windows.record(decision, rate.policy, rate.windowSeconds));
    const reservation = ledger.reserve(spend.reserveUnits, spend.windowSeconds);
    if (reservation) this.#scheduleCleanup(reservation.expiresAt);
    if (ticket) {
      tickets.use(ticket.id, ticket.expiresAt);
      this.#scheduleCleanup(ticket.expiresAt);
    }
    return { allowed: true, rate: decision, reservationId: reservation?.id ?? null };
  }

  /** Replaces a reservation by what the stream really cost. */
  settle(reservationId: number, units: number): void {
    this.#jobs.ledger.settle(reservationId, units);
  }

  /** The spend counted in the window: settled, and reserved by streams still running. */
  spendState(): SpendState {
    return this.#jobs.ledger.state();
  }

  /** Keeps a new API key's hash, unless `max` keys are live already (false). */
  addKey(key: KeyRecord, max: number): boolean {
    const added = this.#jobs.keys.add(key, max);
    if (added && key.expiresAt !== null) this.#scheduleCleanup(key.expiresAt);
    return added;
  }

  /** Whether an API key is live, without counting anything (a request that reads before it is admitted). */
  verifyKey(hash: string): boolean {
    return this.#jobs.keys.check(hash);
  }

  /** Forgets an API key: from this answer on, it works nowhere. */
  revokeKey(keyId: string): void {
    this.#jobs.keys.revoke(keyId);
  }

  /** When each live key was last used, to the minute. */
  keyLastUses(): { keyId: string; lastUsedAt: number | null }[] {
    return this.#jobs.keys.lastUses();
  }

  /** Gives back a request that another policy refused, so a refused request uses no quota. */
  giveBack(hitId: number): void {
    this.#jobs.windows.giveBack(hitId);
  }

  /**
   * Keeps a turn the database could not take, and writes it with the alarm, from within 10 s, until
   * it is written or `giveUpAt` passes. It lives in the object's storage, so a restart keeps it.
   */
  async queueTurn(turn: QueuedTurn): Promise<void> {
    const nextAttemptAt = this.#jobs.outbox.add(turn);
    const alarm = await this.ctx.storage.getAlarm();
    if (alarm === null || alarm > nextAttemptAt) await this.ctx.storage.setAlarm(nextAttemptAt);
    this.#alarmPending = true;
  }

  /**
   * Writes the queued turns that are due, lets expired counts go, and sets the next alarm; an
   * object with nothing counted, reserved, queued or keyed deletes its storage.
   */
  override async alarm(): Promise<void> {
    const { windows, ledger, outbox, tickets, keys } = this.#jobs;
    const user = this.#kind === "user";
    const nextTurn = user ? await outbox.writeDue() : null;
    const liveKeys = user ? keys.prune() : { nextExpiry: null, any: false };
    const pending = [nextTurn, windows.prune(), user ? ledger.prune() : null, user ? tickets.prune() : null, liveKeys.nextExpiry];
    const next = pending.filter((at) => at !== null);
    if (next.length > 0) {
      await this.ctx.storage.setAlarm(Math.min(...next));
      return;
    }
    this.#alarmPending = false;
    if (liveKeys.any) return;
    await this.ctx.storage.deleteAll();
    this.#ready = undefined;
  }

  /**
   * Makes sure an alarm will clean up after `at`. Storage calls hold the answer until they are
   * durable, so they are made only when no alarm is pending, not on every request: the alarm
   * itself moves on to the latest expiry while requests keep coming.
   */
  #scheduleCleanup(at: number) {
    if (this.#alarmPending) return;
    this.#alarmPending = true;
    void this.ctx.storage.getAlarm().then((current) => (current === null ? this.ctx.storage.setAlarm(at) : undefined));
  }
}

/** The database's URL from the bindings, without parsing the app's whole configuration. */
function databaseUrlOf(env: Env): string {
  const url = (env as { DATABASE_URL?: unknown }).DATABASE_URL;
  if (typeof url !== "string" || url === "") throw new Error("DATABASE_URL is not set");
  return url;
}
