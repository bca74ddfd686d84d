// The tables. Every table a user owns cascades from `users`, so deleting a user deletes their data.
import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/** A check that a text column holds one of `values` (drizzle's text enums are checked only in TypeScript). */
const oneOf = (column: AnyPgColumn, values: readonly string[]) =>
  sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(", "))})`;

/** Milliseconds, as JavaScript keeps them, so a timestamp read back compares equal (pagination cursors). */
const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: "date", precision: 3 });
const createdAt = () => timestamptz("created_at").notNull().defaultNow();
const usd = (name: string) => numeric(name, { precision: 20, scale: 10, mode: "number" }).notNull().default(0);

export const users = pgTable(
  "users",
  {
    id: uuid().primaryKey().defaultRandom(),
    email: text().notNull(),
    name: text(),
    passwordHash: text("password_hash").notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("users_email_lower_key").on(sql`lower(${table.email})`)],
);

/** The user a row belongs to: deleting the user deletes it. */
const ownerId = () =>
  uuid("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" });

export const refreshTokens = pgTable(
  "refresh_tokens",
  {
    id: uuid().primaryKey().defaultRandom(),
    userId: ownerId(),
    familyId: uuid("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: timestamptz("expires_at").notNull(),
    usedAt: timestamptz("used_at"),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex("refresh_tokens_token_hash_key").on(table.tokenHash),
    index("refresh_tokens_family_idx").on(table.familyId),
    index("refresh_tokens_user_idx").on(table.userId),
  ],
);

/**
 * API keys: only each key's SHA-256 is kept, with the first characters that let a person recognise
 * it. Which keys are live is decided in the user's Durable Object, which holds their hashes too.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: uuid().primaryKey(),
    userId: ownerId(),
    name: text().notNull(),
    /** The key's first 12 characters (`mpk_` and 8 more). */
    prefix: text().notNull(),
    keyHash: text("key_hash").notNull(),
    createdAt: createdAt(),
    expiresAt: timestamptz("expires_at"),
    revokedAt: timestamptz("revoked_at"),
  },
  (table) => [
    uniqueIndex("api_keys_key_hash_key").on(table.keyHash),
    index("api_keys_user_created_idx").on(table.userId, table.createdAt.desc()),
  ],
);

export const sessionStatuses = ["pending", "streaming", "completed", "partial", "failed"] as const;
/** Where a session was asked: the playground's stream, or the OpenAI-compatible API. */
export const sessionSources = ["playground", "api"] as const;
export type SessionStatus = (typeof sessionStatuses)[number];

export const sessions = pgTable(
  "sessions",
  {
    id: uuid().primaryKey(),
    userId: ownerId(),
    prompt: text().notNull(),
    models: text().array().notNull(),
    status: text({ enum: sessionStatuses }).notNull().default("pending"),
    totalCost: usd("total_cost"),
    totalTokens: integer("total_tokens").notNull().default(0),
    /** A blind session's models in the order of their labels (`model-a`, `model-b`, …); null when not blind. */
    blindModels: text("blind_models").array(),
    /** When a blind session's first vote revealed its models. */
    revealedAt: timestamptz("revealed_at"),
    source: text({ enum: sessionSources }).notNull().default("playground"),
    createdAt: createdAt(),
    updatedAt: timestamptz("updated_at").notNull().defaultNow(),
  },
  (table) => [
    index("sessions_user_created_idx").on(table.userId, table.createdAt.desc(), table.id.desc()),
    index("sessions_user_source_created_idx").on(table.userId, table.source, table.createdAt.desc(), table.id.desc()),
    check("sessions_status_check", oneOf(table.status, sessionStatuses)),
    check("sessions_source_check", oneOf(table.source, sessionSources)),
  ],
);

/** The session a row belongs to: deleting the session deletes it. */
const sessionOf = () =>
  uuid("session_id")
    .notNull()
    .references((): AnyPgColumn => sessions.id, { onDelete: "cascade" });

export const conversationStatuses = ["completed", "error", "cancelled"] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

export const conversations = pgTable(
  "conversations",
  {
    id: uuid().primaryKey(),
    sessionId: sessionOf(),
    userId: ownerId(),
    modelName: text("model_name").notNull(),
    /** 1 for the prompt that started the session, 2 for the first continuation, … */
    turn: integer().notNull(),
    userPrompt: text("user_prompt").notNull(),
    response: text().notNull().default(""),
    system: text(),
    /** Double precision: any number a request may send (real could not hold 1e-300). */
    temperature: doublePrecision(),
    maxTokens: integer("max_tokens"),
    inputTokens: integer("input_tokens").notNull().default(0),
    outputTokens: integer("output_tokens").notNull().default(0),
    cachedTokens: integer("cached_tokens").notNull().default(0),
    reasoningTokens: integer("reasoning_tokens").notNull().default(0),
    estimated: boolean().notNull().default(false),
    cost: usd("cost"),
    responseTime: integer("response_time").notNull().default(0),
    timeToFirstToken: integer("time_to_first_token"),
    status: text({ enum: conversationStatuses }).notNull(),
    error: text(),
    createdAt: createdAt(),
  },
  (table) => [
    index("conversations_session_created_idx").on(table.sessionId, table.createdAt),
    index("conversations_user_created_idx").on(table.userId, table.createdAt),
    // Everyone's statistics over the last days.
    index("conversations_created_idx").on(table.createdAt),
    uniqueIndex("conversations_session_turn_model_key").on(table.sessionId, table.turn, table.modelName),
    check("conversations_status_check", oneOf(table.status, conversationStatuses)),
  ],
);

/** What a vote can name besides a model of the turn. */
export const voteVerdicts = ["tie", "bothBad"] as const;

export const votes = pgTable(
  "votes",
  {
    id: uuid().primaryKey().defaultRandom(),
    sessionId: sessionOf(),
    userId: ownerId(),
    turn: integer().notNull(),
    /** A model id of the turn, or `tie` or `bothBad`. */
    winner: text().notNull(),
    /**
     * The turn's models that completed, sorted: the players of this vote. Kept with the vote (a turn
     * never changes once written) so the leaderboard reads votes alone.
     */
    models: text().array().notNull(),
    /** Each player's output tokens, in the order of `models`: what length control needs, read with the vote. */
    outputTokens: integer("output_tokens").array().notNull().default(sql`'{}'`),
    /** Cast while the session hid its models: the voter did not know which was which. */
    blind: boolean().notNull().default(false),
    createdAt: createdAt(),
  },
  (table) => [
    // One vote per turn: concurrent votes cannot make two.
    uniqueIndex("votes_session_turn_key").on(table.sessionId, table.turn),
    index("votes_user_idx").on(table.userId),
    // Everyone's leaderboard counts blind votes per user and UTC day in the order they were cast:
    // this index hands them over in that order, so the count needs no sort.
    index("votes_blind_user_day_idx")
      .on(table.userId, sql`((${table.createdAt} at time zone 'UTC')::date)`, table.createdAt, table.id)
      .where(sql`${table.blind}`),
  ],
);

/**
 * A session shared by link. The link's token is derived from the share's id with a key only the
 * Worker holds (an HMAC), so this table alone makes no working link; withdrawing deletes the row.
 */
export const shares = pgTable(
  "shares",
  {
    id: uuid().primaryKey(),
    sessionId: sessionOf(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex("shares_session_key").on(table.sessionId)],
);
