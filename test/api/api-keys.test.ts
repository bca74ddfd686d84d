// API keys through HTTP: made, listed and revoked with an access token; taken on /playground and /v1
// as their user; refused on /auth, and everywhere once revoked, expired, forged or their user gone.
import { describe, expect, it } from "vitest";
import { call, jsonOf, registerUser } from "../helpers/api.ts";
import { deleteUser } from "../helpers/database.ts";
import { setClock } from "../helpers/meter.ts";
import { createApiKey } from "../helpers/openai.ts";
import { readEvents, streamSession } from "../helpers/stream.ts";

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;

interface ApiKeyListing {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

/** The user's live keys, as GET /auth/api-keys lists them. */
async function listKeys(accessToken: string): Promise<ApiKeyListing[]> {
  const response = await call("GET", "/auth/api-keys", { token: accessToken });
  expect(response.status).toBe(200);
  return (await jsonOf(response)).apiKeys;
}

const createKey = (accessToken: string, body: unknown) => call("POST", "/auth/api-keys", { token: accessToken, body });
const revokeKey = (accessToken: string, keyId: string) => call("DELETE", `/auth/api-keys/${keyId}`, { token: accessToken });

/** A read that any key of a live user may make. */
const readSessions = (credential: string) => call("GET", "/playground/sessions", { token: credential });

async function expectUnauthenticated(response: Response) {
  expect(response.status).toBe(401);
  expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
}

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");

/** A key of the right form for `userId` that was never made: random bytes in place of a real key's. */
const forgedKeyFor = (userId: string) =>
  `mpk_${base64url(crypto.getRandomValues(new Uint8Array(32)))}${base64url(
    Uint8Array.from(userId.replace(/-/g, "").match(/../g)!, (pair) => Number.parseInt(pair, 16)),
  )}`;

describe("making a key", () => {
  it("answers the key once, with its listing", async () => {
    const user = await registerUser();
    const before = Date.now();
    const response = await createKey(user.accessToken, { name: "nightly evals" });
    expect(response.status).toBe(201);
    const { apiKey, key } = await jsonOf(response);
    expect(key).toMatch(/^mpk_[A-Za-z0-9_-]{65}$/);
    expect(apiKey).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "nightly evals",
      prefix: key.slice(0, 12),
      createdAt: expect.any(String),
      expiresAt: null,
      lastUsedAt: null,
    });
    expect(apiKey.prefix).toMatch(/^mpk_.{8}$/);
    expect(Date.parse(apiKey.createdAt)).toBeGreaterThanOrEqual(before - 1_000);
    expect(Date.parse(apiKey.createdAt)).toBeLessThanOrEqual(Date.now() + 1_000);

    const listed = await call("GET", "/auth/api-keys", { token: user.accessToken });
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(JSON.parse(text).apiKeys).toEqual([apiKey]);
    expect(text).not.toContain(key);
    expect(text).not.toContain(key.slice(12));
  });

  it("makes a different key each time", async () => {
    const user = await registerUser();
    const first = await createApiKey(user.accessToken, { name: "one" });
    const second = await createApiKey(user.accessToken, { name: "one" });
    expect(second.key).not.toBe(first.key);
    expect(second.apiKey.id).not.toBe(first.apiKey.id);
  });

  it("sets the expiry from expiresInDays", async () => {
    const user = await registerUser();
    for (const days of [1, 30, 365]) {
      const response = await createKey(user.accessToken, { name: `for ${days} days`, expiresInDays: days });
      expect(response.status).toBe(201);
      const { apiKey } = await jsonOf(response);
      expect(Date.parse(apiKey.expiresAt) - Date.parse(apiKey.createdAt)).toBe(days * DAY_MS);
    }
  });

  it("takes a name of 64 characters", async () => {
    const user = await registerUser();
    const response = await createKey(user.accessToken, { name: "n".repeat(64) });
    expect(response.status).toBe(201);
    expect((await jsonOf(response)).apiKey.name).toBe("n".repeat(64));
  });

  it.each([
    ["an empty name", { name: "" }, "name"],
    ["a name of spaces only", { name: "   " }, "name"],
    ["a name over 64 characters", { name: "n".repeat(65) }, "name"],
    ["a name with a NUL", { name: "nightly\u0000evals" }, "name"],
    ["no name", { expiresInDays: 30 }, "name"],
    ["expiresInDays 0", { name: "k", expiresInDays: 0 }, "expiresInDays"],
    ["expiresInDays 366", { name: "k", expiresInDays: 366 }, "expiresInDays"],
    ["expiresInDays 1.5", { name: "k", expiresInDays: 1.5 }, "expiresInDays"],
    ["expiresInDays as a string", { name: "k", expiresInDays: "30" }, "expiresInDays"],
  ])("refuses %s", async (_, body, path) => {
    const user = await registerUser();
    const response = await createKey(user.accessToken, body);
    expect(response.status).toBe(400);
    const { error } = await jsonOf(response);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(path);
    expect(await listKeys(user.accessToken)).toEqual([]);
  });
});

describe("the list of keys", () => {
  it("is newest first, without the revoked ones", async () => {
    const user = await registerUser();
    const first = await createApiKey(user.accessToken, { name: "first" });
    const second = await createApiKey(user.accessToken, { name: "second" });
    const third = await createApiKey(user.accessToken, { name: "third" });
    expect((await listKeys(user.accessToken)).map((key) => key.name)).toEqual(["third", "second", "first"]);

    expect((await revokeKey(user.accessToken, second.apiKey.id)).status).toBe(204);
    expect((await listKeys(user.accessToken)).map((key) => key.id)).toEqual([third.apiKey.id, first.apiKey.id]);
  });

  it("never shows another user's keys", async () => {
    const owner = await registerUser();
    const other = await registerUser();
    await createApiKey(owner.accessToken, { name: "the owner's" });
    const own = await createApiKey(other.accessToken, { name: "the other's" });
    expect((await listKeys(other.accessToken)).map((key) => key.id)).toEqual([own.apiKey.id]);
    expect((await listKeys(owner.accessToken)).map((key) => key.name)).toEqual(["the owner's"]);
  });
});

describe("a key's last use", () => {
  it("is null until the key is used, then kept to the minute", async () => {
    const user = await registerUser();
    const { key, apiKey } = await createApiKey(user.accessToken);
    expect((await listKeys(user.accessToken))[0]!.lastUsedAt).toBeNull();
    // A token's use is not a key's.
    expect((await readSessions(user.accessToken)).status).toBe(200);
    expect((await listKeys(user.accessToken))[0]!.lastUsedAt).toBeNull();

    const minute = Math.ceil(Date.now() / MINUTE_MS) * MINUTE_MS + 10 * MINUTE_MS;
    await setClock(`user:${user.id}`, minute + 12_345);
    expect((await readSessions(key)).status).toBe(200);
    const [used] = await listKeys(user.accessToken);
    expect(used).toMatchObject({ id: apiKey.id, lastUsedAt: new Date(minute).toISOString() });
    expect(new Date(used!.lastUsedAt!).getUTCSeconds()).toBe(0);
    expect(new Date(used!.lastUsedAt!).getUTCMilliseconds()).toBe(0);

    await setClock(`user:${user.id}`, minute + 59_999);
    expect((await call("GET", "/v1/models", { token: key })).status).toBe(200);
    expect((await listKeys(user.accessToken))[0]!.lastUsedAt).toBe(new Date(minute).toISOString());

    await setClock(`user:${user.id}`, minute + 3 * MINUTE_MS + 1);
    expect((await readSessions(key)).status).toBe(200);
    expect((await listKeys(user.accessToken))[0]!.lastUsedAt).toBe(new Date(minute + 3 * MINUTE_MS).toISOString());
  });
});

describe("the number of live keys", () => {
  it("is at most 20: a 21st is refused until one is revoked", async () => {
    const user = await registerUser();
    const made = [];
    for (let index = 0; index < 20; index++) made.push(await createApiKey(user.accessToken, { name: `key ${index}` }));
    const refused = await createKey(user.accessToken, { name: "one too many" });
    expect(refused.status).toBe(400);
    expect((await jsonOf(refused)).error.code).toBe("VALIDATION_FAILED");
    expect(await listKeys(user.accessToken)).toHaveLength(20);

    expect((await revokeKey(user.accessToken, made[7]!.apiKey.id)).status).toBe(204);
    expect((await createKey(user.accessToken, { name: "in its place" })).status).toBe(201);
    expect(await listKeys(user.accessToken)).toHaveLength(20);
  });

  it("is exact under concurrency: 25 made at once leave 20", async () => {
    const user = await registerUser();
    const responses = await Promise.all(Array.from({ length: 25 }, (_, index) => createKey(user.accessToken, { name: `burst ${index}` })));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(20);
    expect(statuses.filter((status) => status === 400)).toHaveLength(5);
    for (const response of responses.filter((each) => each.status === 400)) {
      expect((await jsonOf(response)).error.code).toBe("VALIDATION_FAILED");
    }
    const made = await Promise.all(responses.filter((each) => each.status === 201).map(jsonOf));
    const listed = await listKeys(user.accessToken);
    expect(listed).toHaveLength(20);
    expect(listed.map((key) => key.id).sort()).toEqual(made.map(({ apiKey }) => apiKey.id).sort());
  });
});

describe("revoking a key", () => {
  it("makes it fail at once on every route that takes keys", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "kept for later", models: ["local/echo"] });
    const { key, apiKey } = await createApiKey(user.accessToken);
    const chat = { model: "local/echo", messages: [{ role: "user", content: "hello" }] };

    expect((await readSessions(key)).status).toBe(200);
    expect((await call("GET", `/playground/sessions/${sessionId}`, { token: key })).status).toBe(200);
    expect((await call("GET", "/v1/models", { token: key })).status).toBe(200);
    expect((await call("POST", "/playground/stream/tickets", { token: key })).status).toBe(201);
    const completion = await call("POST", "/v1/chat/completions", { token: key, body: chat });
    expect(completion.status).toBe(200);
    expect((await jsonOf(completion)).choices[0].message.content).toBe("hello");

    expect((await revokeKey(user.accessToken, apiKey.id)).status).toBe(204);

    const playground: [string, string, unknown?][] = [
      ["GET", "/playground/sessions"],
      ["GET", `/playground/sessions/${sessionId}`],
      ["DELETE", `/playground/sessions/${sessionId}`],
      ["GET", "/playground/usage"],
      ["GET", "/playground/leaderboard"],
      ["POST", `/playground/sessions/${sessionId}/votes`, { winner: "local/echo" }],
      ["POST", "/playground/stream", { prompt: "hello", models: ["local/echo"] }],
      ["GET", "/playground/stream?prompt=hello&models=local/echo"],
      ["POST", "/playground/stream/tickets"],
    ];
    for (const [method, path, body] of playground) {
      const response = await call(method, path, { token: key, body });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
    }
    const v1: [string, string, unknown?][] = [
      ["GET", "/v1/models"],
      ["GET", "/v1/models/local/echo"],
      ["POST", "/v1/chat/completions", chat],
      ["POST", "/v1/chat/completions", { ...chat, stream: true }],
    ];
    for (const [method, path, body] of v1) {
      const response = await call(method, path, { token: key, body });
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 401 });
      expect((await jsonOf(response)).error).toMatchObject({ type: "authentication_error", code: "invalid_api_key" });
    }

    // Nothing the refused requests asked for happened: the session is there, with no vote, and no stream was kept.
    const session = await call("GET", `/playground/sessions/${sessionId}`, { token: user.accessToken });
    expect(session.status).toBe(200);
    expect((await jsonOf(session)).session.votes).toEqual([]);
    const sessions = (await jsonOf(await readSessions(user.accessToken))).sessions;
    expect(sessions.map((each: { source: string }) => each.source).sort()).toEqual(["api", "playground"]);
  });

  it("refuses a revoked key before its request is looked at, as a bad access token is", async () => {
    const user = await registerUser();
    const { key, apiKey } = await createApiKey(user.accessToken);
    expect((await revokeKey(user.accessToken, apiKey.id)).status).toBe(204);
    const requests: [string, string, unknown][] = [
      ["POST", "/v1/chat/completions", { model: "nope", messages: [{ role: "user", content: "hello" }] }],
      ["POST", "/v1/chat/completions", { model: "local/echo", messages: [] }],
      ["POST", "/playground/stream", { prompt: "hello", models: ["nope"] }],
      ["POST", "/playground/stream", { prompt: "", models: ["local/echo"] }],
      ["POST", "/playground/stream", { prompt: "hello", models: ["local/echo"], sessionId: crypto.randomUUID() }],
    ];
    const statuses = [];
    for (const [method, path, body] of requests) {
      statuses.push({ path, body, status: (await call(method, path, { token: key, body })).status });
    }
    expect(statuses).toEqual(requests.map(([, path, body]) => ({ path, body, status: 401 })));
  });

  it("of another user is not found, and leaves the key working", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const { key, apiKey } = await createApiKey(owner.accessToken);
    const response = await revokeKey(stranger.accessToken, apiKey.id);
    expect(response.status).toBe(404);
    expect((await jsonOf(response)).error.code).toBe("NOT_FOUND");
    expect((await readSessions(key)).status).toBe(200);
    expect((await listKeys(owner.accessToken)).map((listed) => listed.id)).toEqual([apiKey.id]);
  });

  it("twice: the second time is not found", async () => {
    const user = await registerUser();
    const { apiKey } = await createApiKey(user.accessToken);
    expect((await revokeKey(user.accessToken, apiKey.id)).status).toBe(204);
    const again = await revokeKey(user.accessToken, apiKey.id);
    expect(again.status).toBe(404);
    expect((await jsonOf(again)).error.code).toBe("NOT_FOUND");
  });

  it("of an id that is no key is not found, and a malformed id is a 400", async () => {
    const user = await registerUser();
    expect((await revokeKey(user.accessToken, crypto.randomUUID())).status).toBe(404);
    const malformed = await revokeKey(user.accessToken, "not-an-id");
    expect(malformed.status).toBe(400);
    expect((await jsonOf(malformed)).error.code).toBe("VALIDATION_FAILED");
  });
});

describe("a key on /auth", () => {
  it("is refused: a key cannot read the profile, nor make, list or revoke keys", async () => {
    const user = await registerUser();
    const { key, apiKey } = await createApiKey(user.accessToken);
    await expectUnauthenticated(await call("GET", "/auth/profile", { token: key }));
    await expectUnauthenticated(await call("POST", "/auth/api-keys", { token: key, body: { name: "minted by a key" } }));
    await expectUnauthenticated(await call("GET", "/auth/api-keys", { token: key }));
    await expectUnauthenticated(await call("DELETE", `/auth/api-keys/${apiKey.id}`, { token: key }));

    expect((await listKeys(user.accessToken)).map((listed) => listed.id)).toEqual([apiKey.id]);
    expect((await readSessions(key)).status).toBe(200);
  });
});

describe("a key that is not live", () => {
  it("is refused once expired", async () => {
    const user = await registerUser();
    const { key } = await createApiKey(user.accessToken, { name: "a day", expiresInDays: 1 });
    expect((await readSessions(key)).status).toBe(200);
    await setClock(`user:${user.id}`, Date.now() + DAY_MS - MINUTE_MS);
    expect((await readSessions(key)).status).toBe(200);
    await setClock(`user:${user.id}`, Date.now() + DAY_MS + MINUTE_MS);
    await expectUnauthenticated(await readSessions(key));
    await expectUnauthenticated(await call("POST", "/playground/stream", { token: key, body: { prompt: "hi", models: ["local/echo"] } }));
    expect((await call("GET", "/v1/models", { token: key })).status).toBe(401);
  });

  it.each([
    ["mpk_ and junk", () => "mpk_junk"],
    ["mpk_ and characters outside base64url", () => `mpk_${"!".repeat(65)}`],
    ["a key one character short", () => "mpk_".padEnd(68, "A")],
  ])("is refused when malformed: %s", async (_, key) => {
    await expectUnauthenticated(await readSessions(key()));
    expect((await call("GET", "/v1/models", { token: key() })).status).toBe(401);
  });

  it("is refused when well-formed but never made, for a user who exists or not", async () => {
    const user = await registerUser();
    await createApiKey(user.accessToken);
    await expectUnauthenticated(await readSessions(forgedKeyFor(user.id)));
    await expectUnauthenticated(
      await call("POST", "/playground/stream", { token: forgedKeyFor(user.id), body: { prompt: "hi", models: ["local/echo"] } }),
    );
    await expectUnauthenticated(await readSessions(forgedKeyFor(crypto.randomUUID())));
    expect((await call("GET", "/v1/models", { token: forgedKeyFor(user.id) })).status).toBe(401);
  });

  it("is refused once its user's account is deleted", async () => {
    const user = await registerUser();
    const { key } = await createApiKey(user.accessToken);
    expect((await readSessions(key)).status).toBe(200);
    await deleteUser(user.id);
    await expectUnauthenticated(await readSessions(key));
    await expectUnauthenticated(await call("GET", "/playground/usage", { token: key }));
  });
});

describe("a key acts as its user", () => {
  it("a stream made with a key is the user's session", async () => {
    const user = await registerUser();
    const other = await registerUser();
    const { key } = await createApiKey(user.accessToken);
    const response = await call("POST", "/playground/stream", { token: key, body: { prompt: "by key", models: ["local/echo"] } });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events.at(-1)).toMatchObject({ type: "done", stored: "database" });
    const sessionId = events[0]!.sessionId;

    const own = await readSessions(user.accessToken);
    expect(own.status).toBe(200);
    expect((await jsonOf(own)).sessions).toEqual([expect.objectContaining({ id: sessionId, prompt: "by key", source: "playground" })]);
    expect((await jsonOf(await readSessions(other.accessToken))).sessions).toEqual([]);
    expect((await call("GET", `/playground/sessions/${sessionId}`, { token: other.accessToken })).status).toBe(404);
  });
});
