// The Worker's configuration: defaults, durations, refusals that name a variable and never its value.
import { beforeEach, describe, expect, it, vi } from "vitest";
import { type Bindings, ConfigError, readConfig } from "../../src/env.ts";

const DATABASE_URL = "postgres://u:p@localhost:5432/db";
const PRODUCTION_SECRET = "a-production-secret-of-at-least-32-bytes";

/** A fresh bindings object each time, so no test reads another's cached configuration. */
const bindings = (variables: Record<string, string>) => ({ ...variables }) as unknown as Bindings;
const development = (variables: Record<string, string> = {}) => bindings({ ENVIRONMENT: "development", DATABASE_URL, ...variables });
const production = (variables: Record<string, string> = {}) =>
  bindings({ ENVIRONMENT: "production", DATABASE_URL, JWT_SECRET: PRODUCTION_SECRET, ...variables });

/** The ConfigError `readConfig` throws for these bindings. */
const refusalOf = (env: Bindings) => {
  try {
    readConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("the configuration was accepted");
};

let warn: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  warn = vi.spyOn(console, "warn").mockImplementation(() => {});
  return () => warn.mockRestore();
});

describe("readConfig", () => {
  it("gives development its defaults and the development key, with a warning", () => {
    const config = readConfig(development());

    expect(config.limits.stream).toEqual({ limit: 50, windowSeconds: 3600 });
    expect(config.spend).toEqual({ limitUsd: 5, windowSeconds: 86_400 });
    expect(config.defaultMaxTokens).toBe(4096);
    expect(config.accessTokenSeconds).toBe(900);
    expect(config.usesDevelopmentJwtSecret).toBe(true);
    expect(warn).toHaveBeenCalledOnce();
  });

  it("uses the JWT_SECRET it is given, without a warning", () => {
    const config = readConfig(production());

    expect(config.jwtSecret).toBe(PRODUCTION_SECRET);
    expect(config.usesDevelopmentJwtSecret).toBe(false);
    expect(warn).not.toHaveBeenCalled();
  });

  it("reads durations as seconds or with a unit, and refuses any other unit", () => {
    const config = readConfig(development({ JWT_EXPIRES_IN: "15m", REFRESH_EXPIRES_IN: "7d" }));
    expect(config.accessTokenSeconds).toBe(900);
    expect(config.refreshTokenSeconds).toBe(604_800);
    expect(readConfig(development({ JWT_EXPIRES_IN: "90" })).accessTokenSeconds).toBe(90);

    expect(refusalOf(development({ JWT_EXPIRES_IN: "15x" }))).toContain("JWT_EXPIRES_IN");
  });

  it("turns the spend cap off when SPEND_LIMIT_USD is 0", () => {
    expect(readConfig(development({ SPEND_LIMIT_USD: "0" })).spend.limitUsd).toBeNull();
  });

  it("takes an empty or blank variable as unset, never as 0", () => {
    const config = readConfig(development({ SPEND_LIMIT_USD: " ", JWT_SECRET: "", JWT_EXPIRES_IN: "" }));

    expect(config.spend.limitUsd).toBe(5);
    expect(config.usesDevelopmentJwtSecret).toBe(true);
    expect(config.accessTokenSeconds).toBe(900);
  });

  it("refuses production without a JWT_SECRET, or with a short one, and never repeats it", () => {
    expect(refusalOf(production({ JWT_SECRET: "" }))).toContain("JWT_SECRET");

    const message = refusalOf(production({ JWT_SECRET: "hunter2" }));
    expect(message).toContain("JWT_SECRET");
    expect(message).not.toContain("hunter2");
  });

  it("refuses a DATABASE_URL that is not a postgres URL, without quoting it", () => {
    const message = refusalOf(development({ DATABASE_URL: "mysql://admin:s3cr3t-password@db.example.com/app" }));

    expect(message).toContain("DATABASE_URL");
    expect(message).not.toContain("s3cr3t-password");
  });

  it("parses each bindings object once", () => {
    const env = development();

    expect(readConfig(env)).toBe(readConfig(env));
    expect(readConfig(development())).not.toBe(readConfig(env));
  });
});
