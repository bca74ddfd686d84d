// The user's object's tables, set up once when the object wakes: each kind of subject gets only
// the tables it uses, and a schema version in the object's key-value storage skips the DDL when
// the tables are as this code expects. (Durable Objects refuse `PRAGMA user_version`.)
import { isUserSubject } from "./subjects.ts";

/** A user's object counts requests, spend, queued turns, used tickets and live keys; a client address's or an email's, requests only. */
export type SubjectKind = "user" | "requests-only";

/** Raised when a table changes: an object whose storage holds another version sets its tables up again. */
const SCHEMA_VERSION = 3;
const VERSION_KEY = "schemaVersion";

/** The sliding windows: every request let through, until it leaves its window at `expires_at`. */
const WINDOW_TABLES = [
  "create table if not exists hits (id integer primary key, policy text not null, at integer not null, expires_at integer not null)",
  "drop index if exists hits_policy_at",
  "create index if not exists hits_policy_expiry on hits (policy, expires_at)",
];

/** The spend ledger: a stream's reservation until settled, then what it really cost; counted until `expires_at`. */
const SPEND_TABLES = [
  "create table if not exists spend (id integer primary key, at integer not null, units integer not null, settled integer not null default 0, expires_at integer not null)",
];

/** The outbox: finished turns the database could not take yet. */
const OUTBOX_TABLES = [
  "create table if not exists queued_turns (id text primary key, record text not null, request_id text not null, attempts integer not null default 0, queued_at integer not null, next_attempt_at integer not null, give_up_at integer not null)",
];

/** Stream tickets that opened a stream: each is good for one (version 2). */
const TICKET_TABLES = ["create table if not exists used_tickets (id text primary key, expires_at integer not null)"];

/** The user's live API keys, by hash (version 3). */
const KEY_TABLES = [
  "create table if not exists api_keys (hash text primary key, key_id text not null unique, expires_at integer, last_used_at integer)",
];

/** What an object named `user:<id>`, `ip:<address>` or `email:<hash>` counts; a nameless one is taken as a user's. */
export const subjectKindOf = (name: string | undefined): SubjectKind =>
  name === undefined || isUserSubject(name) ? "user" : "requests-only";

/**
 * Creates the tables `kind` uses, unless the storage says they are at `SCHEMA_VERSION` already.
 * Idempotent, and safe on storage that an older version of this code wrote: it keeps every row.
 */
export function prepareStorage(storage: DurableObjectStorage, kind: SubjectKind): void {
  if (storage.kv.get(VERSION_KEY) === SCHEMA_VERSION) return;
  const statements =
    kind === "user" ? [...WINDOW_TABLES, ...SPEND_TABLES, ...OUTBOX_TABLES, ...TICKET_TABLES, ...KEY_TABLES] : WINDOW_TABLES;
  for (const statement of statements) storage.sql.exec(statement);
  storage.kv.put(VERSION_KEY, SCHEMA_VERSION);
}
