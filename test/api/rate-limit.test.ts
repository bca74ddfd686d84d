import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { BASE, jsonOf, PASSWORD, registerUser, uniqueEmail } from "../helpers/api.ts";
import { countedBy, limiterOf, setClock } from "../helpers/meter.ts";
import { callWithEnv, readEvents, script, streamRequest } from "../helpers/stream.ts";

/** A stream request under `limits`, answered with the Worker's settings changed. */
async function stream(token: string, limits: Record<string, string>, prompt = "hi", models = ["local/echo"]) {
  const { response, settled } = await callWithEnv(limits, streamRequest(token, { prompt, models }));
  if (response.status === 200) await readEvents(response);
  await settled();
  return response;
}

function login(address: string, email: string, password: string, limits: Record<string, string> = {}) {
  return callWithEnv(
    limits,
    new Request(`${BASE}/auth/login`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": address },
      body: JSON.stringify({ email, password }),
    }),
  ).then(({ response }) => response);
}

describe("the stream limit", () => {
  it("admits exactly the limit out of 200 concurrent requests", async () => {
    const user = await registerUser();
    const statuses = await Promise.all(
      Array.from({ length: 200 }, () => stream(user.accessToken, { RATE_LIMIT_MAX_REQUESTS: "50" }).then((response) => response.status)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(50);
    expect(statuses.filter((status) => status === 429)).toHaveLength(150);
    const counted = await countedBy(`user:${user.id}`, "stream");
    expect(counted).toBe(50);
  });

  it("sends the policy and the state, then a 429 a person can read", async () => {
    const user = await registerUser();
    const limits = { RATE_LIMIT_MAX_REQUESTS: "3", RATE_LIMIT_WINDOW_SECONDS: "3600" };
    const subject = `user:${user.id}`;
    const start = Date.now();
    await setClock(subject, start);

    const first = await stream(user.accessToken, limits);
    expect(first.status).toBe(200);
    expect(first.headers.get("RateLimit-Policy")).toBe('"stream";q=3;w=3600');
    expect(first.headers.get("RateLimit")).toBe('"stream";r=2;t=3600');

    await setClock(subject, start + 600_000);
    expect((await stream(user.accessToken, limits)).headers.get("RateLimit")).toBe('"stream";r=1;t=3000');
    expect((await stream(user.accessToken, limits)).headers.get("RateLimit")).toBe('"stream";r=0;t=3000');

    const refused = await stream(user.accessToken, limits);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("3000");
    expect(refused.headers.get("RateLimit")).toBe('"stream";r=0;t=3000');
    const error = (await jsonOf(refused)).error;
    expect(error.code).toBe("RATE_LIMITED");
    expect(error.message).toBe("too many stream requests: the limit is 3 per hour; try again in 50 minutes");
  });

  it("slides: each request frees its place a window after it was made", async () => {
    const user = await registerUser();
    const limits = { RATE_LIMIT_MAX_REQUESTS: "2", RATE_LIMIT_WINDOW_SECONDS: "60" };
    const subject = `user:${user.id}`;
    const start = Date.now();
    await setClock(subject, start);
    expect((await stream(user.accessToken, limits)).status).toBe(200);
    await setClock(subject, start + 30_000);
    expect((await stream(user.accessToken, limits)).status).toBe(200);
    expect((await stream(user.accessToken, limits)).status).toBe(429);

    await setClock(subject, start + 60_001);
    expect((await stream(user.accessToken, limits)).status).toBe(200);
    const refused = await stream(user.accessToken, limits);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("Retry-After")).toBe("30");

    await setClock(subject, start + 90_001);
    expect((await stream(user.accessToken, limits)).status).toBe(200);
  });

  it("counts each user apart", async () => {
    const [first, second] = await Promise.all([registerUser(), registerUser()]);
    const limits = { RATE_LIMIT_MAX_REQUESTS: "1" };
    expect((await stream(first.accessToken, limits)).status).toBe(200);
    expect((await stream(first.accessToken, limits)).status).toBe(429);
    expect((await stream(second.accessToken, limits)).status).toBe(200);
  });

  it("never lets a refused request reach an upstream model", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    const limits = { RATE_LIMIT_MAX_REQUESTS: "1" };
    expect((await stream(user.accessToken, limits, `one ${upstream.tag}`, ["gpt-4o-mini"])).status).toBe(200);
    expect((await stream(user.accessToken, limits, `two ${upstream.tag}`, ["gpt-4o-mini"])).status).toBe(429);
    expect(await upstream.requests()).toHaveLength(1);
  });

  it("keeps its storage bounded and clears an idle limiter", async () => {
    const user = await registerUser();
    const subject = `user:${user.id}`;
    const limits = { RATE_LIMIT_MAX_REQUESTS: "2", RATE_LIMIT_WINDOW_SECONDS: "60" };
    const start = Date.now();
    for (let request = 0; request < 6; request++) {
      await setClock(subject, start + request * 40_000);
      await stream(user.accessToken, limits);
    }
    expect(await countedBy(subject, "stream")).toBeLessThanOrEqual(2);

    await setClock(subject, start + 10 * 60_000);
    expect(await runDurableObjectAlarm(limiterOf(subject))).toBe(true);
    const tables = await runInDurableObject(limiterOf(subject), (_, state) =>
      state.storage.sql.exec("select name from sqlite_master where type = 'table' and name = 'hits'").toArray(),
    );
    expect(tables).toHaveLength(0);
    expect((await stream(user.accessToken, limits)).status).toBe(200);
  });
});

describe("the login limits", () => {
  it("stops guessing from one address while another address still logs in", async () => {
    const user = await registerUser();
    const limits = { AUTH_RATE_LIMIT_MAX_REQUESTS: "5", AUTH_RATE_LIMIT_WINDOW_SECONDS: "900" };
    const attacker = `198.51.100.${Math.floor(Math.random() * 250)}`;
    for (let guess = 0; guess < 5; guess++) {
      expect((await login(attacker, user.email, `guess ${guess}`, limits)).status).toBe(401);
    }
    const blocked = await login(attacker, user.email, PASSWORD, limits);
    expect(blocked.status).toBe(429);
    expect(blocked.headers.get("Retry-After")).toMatch(/^\d+$/);
    expect((await jsonOf(blocked)).error.message).toContain("15 minutes");

    expect((await login("203.0.113.7", user.email, PASSWORD, limits)).status).toBe(200);
  });

  it("stops guessing one account from many addresses, without spending those addresses' quota", async () => {
    const user = await registerUser();
    const limits = { LOGIN_EMAIL_RATE_LIMIT_MAX_REQUESTS: "3", AUTH_RATE_LIMIT_MAX_REQUESTS: "10" };
    for (let guess = 0; guess < 3; guess++) {
      expect((await login(`192.0.2.${guess + 10}`, user.email.toUpperCase(), "wrong password", limits)).status).toBe(401);
    }
    const address = `192.0.2.${100 + Math.floor(Math.random() * 100)}`;
    const refused = await login(address, user.email, PASSWORD, limits);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("RateLimit-Policy")).toBe('"auth";q=10;w=900, "login-email";q=3;w=900');
    expect(await countedBy(`ip:${address}`, "auth")).toBe(0);

    const other = await registerUser();
    expect((await login(address, other.email, PASSWORD, limits)).status).toBe(200);
  });

  it("limits register per address", async () => {
    const limits = { AUTH_RATE_LIMIT_MAX_REQUESTS: "2" };
    const register = () =>
      callWithEnv(
        limits,
        new Request(`${BASE}/auth/register`, {
          method: "POST",
          headers: { "Content-Type": "application/json", "CF-Connecting-IP": "2001:db8::42" },
          body: JSON.stringify({ email: uniqueEmail(), password: PASSWORD }),
        }),
      ).then(({ response }) => response.status);
    expect([await register(), await register(), await register()]).toEqual([201, 201, 429]);
  });
});

describe("a limiter that cannot be reached", () => {
  const unreachable = {
    getByName: () => ({
      take: () => Promise.reject(new Error("Durable Object unreachable")),
      giveBack: () => Promise.resolve(),
    }),
  };
  const withoutLimiter = (request: Request) =>
    callWithEnv({ USER_METER: unreachable } as unknown as Record<string, string>, request).then(({ response }) => response);

  it("refuses streams and logins with 503 rather than run unmetered", async () => {
    const user = await registerUser();
    const streamed = await withoutLimiter(streamRequest(user.accessToken, { prompt: "hi", models: ["local/echo"] }));
    expect(streamed.status).toBe(503);
    expect((await jsonOf(streamed)).error.code).toBe("UNAVAILABLE");
    const loggedIn = await withoutLimiter(
      new Request(`${BASE}/auth/login`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ email: user.email, password: PASSWORD }),
      }),
    );
    expect(loggedIn.status).toBe(503);
  });

  it("still answers reads, which cost nothing upstream", async () => {
    const user = await registerUser();
    const profile = await withoutLimiter(new Request(`${BASE}/auth/profile`, { headers: { Authorization: `Bearer ${user.accessToken}` } }));
    expect(profile.status).toBe(200);
  });
});
