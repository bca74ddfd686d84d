// The Worker's bindings and its configuration, parsed and checked once per isolate.
import { z } from "zod";

/** Variables and secrets the Worker reads; all optional here, their defaults are in `configSchema`. */
type ConfigVariables = Partial<
  Record<
    | "ENVIRONMENT"
    | "DATABASE_URL"
    | "JWT_SECRET"
    | "JWT_EXPIRES_IN"
    | "REFRESH_EXPIRES_IN"
    | "CORS_ORIGIN"
    | "RATE_LIMIT_MAX_REQUESTS"
    | "RATE_LIMIT_WINDOW_SECONDS"
    | "AUTH_RATE_LIMIT_MAX_REQUESTS"
    | "AUTH_RATE_LIMIT_WINDOW_SECONDS"
    | "LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS"
    | "LOGIN_EMAIL_RATE_LIMIT_WINDOW_SECONDS"
    | "API_RATE_LIMIT_MAX_REQUESTS"
    | "API_RATE_LIMIT_WINDOW_SECONDS"
    | "SPEND_LIMIT_USD"
    | "SPEND_LIMIT_WINDOW_SECONDS"
    | "DEFAULT_MAX_TOKENS"
    | "DATABASE_RETRY_HOURS"
    | "FIRST_TOKEN_TIMEOUT_SECONDS"
    | "STREAM_TIMEOUT_SECONDS"
    | "PING_INTERVAL_SECONDS"
    | "MIN_VOTES_FOR_RANK"
    | "VOTES_PER_USER_PER_DAY",
    string
  >
>;

/** Everything bound to the Worker: the generated bindings plus the variables it reads. */
export type Bindings = Env & ConfigVariables & Record<string, unknown>;

/** Used in development and tests only, when no JWT_SECRET is set. */
const DEVELOPMENT_JWT_SECRET = "development-only-jwt-secret-never-use-in-production";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** `900`, `15m`, `12h` or `30d` to seconds. */
const duration = z
  .string()
  .regex(/^\d+[smhd]?$/, "must be seconds or a number with s, m, h or d, like 15m")
  .transform((value) => {
    const unit = value.at(-1) as keyof typeof UNIT_SECONDS;
    return unit in UNIT_SECONDS ? Number(value.slice(0, -1)) * UNIT_SECONDS[unit] : Number(value);
  })
  .pipe(z.number().int().positive());

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const configSchema = z
  .object({
    ENVIRONMENT: z.enum(["production", "development", "test"]).default("production"),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, "must be a postgres:// connection string"),
    JWT_SECRET: z.string().optional(),
    JWT_EXPIRES_IN: duration.default(15 * 60),
    REFRESH_EXPIRES_IN: duration.default(30 * 86400),
    CORS_ORIGIN: z.string().default("http://localhost:3000"),
    RATE_LIMIT_MAX_REQUESTS: count(50),
    RATE_LIMIT_WINDOW_SECONDS: count(3600),
    AUTH_RATE_LIMIT_MAX_REQUESTS: count(20),
    AUTH_RATE_LIMIT_WINDOW_SECONDS: count(900),
    LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS: count(10),
    LOGIN_EMAIL_RATE_LIMIT_WINDOW_SECONDS: count(900),
    API_RATE_LIMIT_MAX_REQUESTS: count(600),
    API_RATE_LIMIT_WINDOW_SECONDS: count(60),
    SPEND_LIMIT_USD: z.coerce.number().min(0).max(1_000_000).default(5),
    SPEND_LIMIT_WINDOW_SECONDS: count(86_400),
    DEFAULT_MAX_TOKENS: count(4096),
    DATABASE_RETRY_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(72),
    FIRST_TOKEN_TIMEOUT_SECONDS: count(30),
    STREAM_TIMEOUT_SECONDS: count(300),
    PING_INTERVAL_SECONDS: count(15),
    MIN_VOTES_FOR_RANK: z.coerce.number().int().min(0).default(10),
    VOTES_PER_USER_PER_DAY: count(50),
  })
  .transform((vars, ctx) => {
    const development = vars.ENVIRONMENT !== "production";
    const jwtSecret = vars.JWT_SECRET || (development ? DEVELOPMENT_JWT_SECRET : "");
    if (new TextEncoder().encode(jwtSecret).length < 32) {
      ctx.addIssue({ code: "custom", path: ["JWT_SECRET"], message: "must be set to at least 32 bytes" });
    }
    return {
      environment: vars.ENVIRONMENT,
      databaseUrl: vars.DATABASE_URL,
      jwtSecret,
      usesDevelopmentJwtSecret: jwtSecret === DEVELOPMENT_JWT_SECRET,
      accessTokenSeconds: vars.JWT_EXPIRES_IN,
      refreshTokenSeconds: vars.REFRESH_EXPIRES_IN,
      corsOrigins: vars.CORS_ORIGIN.split(",")
        .map((origin) => origin.trim())
        .filter(Boolean),
      limits: {
        stream: { limit: vars.RATE_LIMIT_MAX_REQUESTS, windowSeconds: vars.RATE_LIMIT_WINDOW_SECONDS },
        auth: { limit: vars.AUTH_RATE_LIMIT_MAX_REQUESTS, windowSeconds: vars.AUTH_RATE_LIMIT_WINDOW_SECONDS },
        loginEmail: { limit: vars.LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS, windowSeconds: vars.LOGIN_EMAIL_RATE_LIMIT_WINDOW_SECONDS },
        api: { limit: vars.API_RATE_LIMIT_MAX_REQUESTS, windowSeconds: vars.API_RATE_LIMIT_WINDOW_SECONDS },
      },
      /** `limitUsd` null: the cap is off (SPEND_LIMIT_USD=0); spend is still counted and reported. */
      spend: { limitUsd: vars.SPEND_LIMIT_USD === 0 ? null : vars.SPEND_LIMIT_USD, windowSeconds: vars.SPEND_LIMIT_WINDOW_SECONDS },
      defaultMaxTokens: vars.DEFAULT_MAX_TOKENS,
      databaseRetryMs: vars.DATABASE_RETRY_HOURS * 3_600_000,
      firstTokenTimeoutMs: vars.FIRST_TOKEN_TIMEOUT_SECONDS * 1000,
      streamTimeoutMs: vars.STREAM_TIMEOUT_SECONDS * 1000,
      pingIntervalMs: vars.PING_INTERVAL_SECONDS * 1000,
      leaderboard: { minVotesForRank: vars.MIN_VOTES_FOR_RANK, votesPerUserPerDay: vars.VOTES_PER_USER_PER_DAY },
    };
  });

export type Config = z.output<typeof configSchema>;

const parsed = new WeakMap<object, Config>();

/**
 * The configuration for these bindings, parsed once per bindings object.
 * Throws a `ConfigError` naming each bad variable (never its value).
 */
export function readConfig(env: Bindings): Config {
  let config = parsed.get(env);
  if (config) return config;
  const result = configSchema.safeParse(withoutEmptyValues(env));
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join(".")} ${issue.message}`));
  }
  config = result.data;
  if (config.usesDevelopmentJwtSecret) {
    console.warn("JWT_SECRET is not set: using the development-only key. Never deploy without one.");
  }
  parsed.set(env, config);
  return config;
}

/** A variable that is set but blank counts as unset, as in `.dev.vars` lines like `KEY=`: never as 0. */
function withoutEmptyValues(env: Bindings) {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => typeof value !== "string" || value.trim() !== ""));
}

export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(problems: string[]) {
    super(`invalid configuration: ${problems.join("; ")}`);
  }
}

/** The signed-in user of a request, as the access token names it. */
interface AuthUser {
  id: string;
}

/** The Hono environment every router and middleware shares. */
export type AppEnv = {
  Bindings: Bindings;
  Variables: {
    requestId: string;
    config: Config;
    db: import("./db/client.ts").Db;
    user: AuthUser;
    /** Set when the request came with an API key: its hash, for the user's object to vouch for. */
    apiKey: { hash: string } | undefined;
    /** Set when the request was authenticated by a single-use stream ticket. */
    ticket: import("./auth/tokens.ts").StreamTicket | undefined;
  };
};
