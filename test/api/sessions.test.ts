import { describe, expect, it } from "vitest";
import { call, jsonOf, registerUser } from "../helpers/api.ts";
import { conversationRowsOf, setCreatedAt } from "../helpers/database.ts";
import { script, streamSession } from "../helpers/stream.ts";

const echo = (token: string, prompt = "hello there") => streamSession(token, { prompt, models: ["local/echo"] });

/** `count` new sessions of local/echo, made at once. */
const echoes = (token: string, count: number) => Promise.all(Array.from({ length: count }, (_, index) => echo(token, `prompt ${index}`)));

const listPage = (token: string, query = "") => call("GET", `/playground/sessions${query}`, { token });

/** Every page of the user's sessions, following `nextCursor` to the end. */
async function walkPages(token: string, limit: number) {
  const pages: string[][] = [];
  let cursor: string | null = null;
  do {
    const response = await listPage(token, `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    pages.push(body.sessions.map((session: { id: string }) => session.id));
    cursor = body.nextCursor;
  } while (cursor !== null && pages.length <= 100);
  return pages;
}

async function listedIds(token: string) {
  const response = await listPage(token, "?limit=100");
  expect(response.status).toBe(200);
  return (await jsonOf(response)).sessions.map((session: { id: string }) => session.id) as string[];
}

const sessionPath = (id: string) => `/playground/sessions/${id}`;

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const body = await jsonOf(response);
  expect(body.error.code).toBe(code);
  return body.error;
}

/** A timestamp as the contract writes them: ISO 8601, in UTC, to the millisecond. */
const isoDate = expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);

describe("listing sessions", () => {
  it("lists the user's sessions newest first", async () => {
    const user = await registerUser();
    const first = await echo(user.accessToken, "first");
    const second = await echo(user.accessToken, "second");
    const third = await echo(user.accessToken, "third");

    const response = await listPage(user.accessToken);
    expect(response.status).toBe(200);
    const body = await jsonOf(response);
    expect(body.sessions.map((session: { id: string }) => session.id)).toEqual([third, second, first]);
    expect(body.sessions.map((session: { prompt: string }) => session.prompt)).toEqual(["third", "second", "first"]);
    expect(body.nextCursor).toBeNull();
  });

  it("answers an empty list to a user with no sessions", async () => {
    const user = await registerUser();
    const response = await listPage(user.accessToken);
    expect(response.status).toBe(200);
    expect(await jsonOf(response)).toEqual({ sessions: [], nextCursor: null });
  });

  it.each(["0", "101", "abc", "1.5", "-1"])("refuses limit=%s", async (limit) => {
    const user = await registerUser();
    const error = await expectError(await listPage(user.accessToken, `?limit=${limit}`), 400, "VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain("limit");
  });

  it("accepts limit 1 and 100", async () => {
    const user = await registerUser();
    await echoes(user.accessToken, 2);
    const one = await listPage(user.accessToken, "?limit=1");
    expect(one.status).toBe(200);
    expect((await jsonOf(one)).sessions).toHaveLength(1);
    const hundred = await listPage(user.accessToken, "?limit=100");
    expect(hundred.status).toBe(200);
    expect((await jsonOf(hundred)).sessions).toHaveLength(2);
  });

  it("walks every page with nextCursor, without gaps or repeats, and stops on the last", async () => {
    const user = await registerUser();
    const created = await echoes(user.accessToken, 5);

    const pages = await walkPages(user.accessToken, 2);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(await listedIds(user.accessToken));
    expect(new Set(pages.flat())).toEqual(new Set(created));
  });

  it("gives no cursor when the last page is exactly full", async () => {
    const user = await registerUser();
    await echoes(user.accessToken, 3);
    expect(await walkPages(user.accessToken, 3)).toHaveLength(1);
  });

  it("pages stably through sessions created at the same instant", async () => {
    const user = await registerUser();
    const older = await echo(user.accessToken, "older");
    const twins = await echoes(user.accessToken, 5);
    const newer = await echo(user.accessToken, "newer");
    const [olderRow] = await conversationRowsOf(older);
    const instant = new Date(olderRow!.createdAt.getTime() + 1);
    await setCreatedAt(twins, instant);
    const listed = (await jsonOf(await listPage(user.accessToken))).sessions;
    expect(listed.filter((session: { createdAt: string }) => session.createdAt === instant.toISOString())).toHaveLength(5);

    for (const limit of [1, 2, 3]) {
      const walked = (await walkPages(user.accessToken, limit)).flat();
      expect(walked).toHaveLength(7);
      expect(new Set(walked).size).toBe(7);
      expect(walked[0]).toBe(newer);
      expect(walked.at(-1)).toBe(older);
      expect(new Set(walked.slice(1, 6))).toEqual(new Set(twins));
      expect(walked).toEqual(await listedIds(user.accessToken));
    }
  });

  it.each([
    ["garbage", "garbage"],
    ["base64 of junk", btoa("junk")],
    ["a date without an id", btoa("2025-01-01T00:00:00.000Z")],
    ["a date with an id that is not a uuid", btoa("2025-01-01T00:00:00.000Z|42")],
    ["no date", btoa(`|${crypto.randomUUID()}`)],
    ["a date in a format it never writes", btoa(`1|${crypto.randomUUID()}`)],
    ["a date before year 1", btoa(`0000-01-01T00:00:00.000Z|${crypto.randomUUID()}`)],
    ["a negative year", btoa(`-000001-01-01T00:00:00.000Z|${crypto.randomUUID()}`)],
    ["a year past 9999", btoa(`+275000-01-01T00:00:00.000Z|${crypto.randomUUID()}`)],
    ["over 200 characters", "A".repeat(201)],
  ])("refuses a cursor it never gave: %s", async (_, cursor) => {
    const user = await registerUser();
    const error = await expectError(await listPage(user.accessToken, `?cursor=${encodeURIComponent(cursor)}`), 400, "VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain("cursor");
  });

  it("shows each user only their own sessions", async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const alices = await echoes(alice.accessToken, 2);
    const bobs = await echoes(bob.accessToken, 1);

    expect(new Set(await listedIds(alice.accessToken))).toEqual(new Set(alices));
    expect(await listedIds(bob.accessToken)).toEqual(bobs);
  });
});

describe("one session", () => {
  it("returns a continued session with every conversation, oldest first, in the contract's shape", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o-mini": { usage: { prompt: 100, completion: 20 } } });
    const sessionId = await streamSession(user.accessToken, { prompt: `first ${upstream.tag}`, models: ["local/echo", "gpt-4o-mini"] });
    await streamSession(user.accessToken, { prompt: `second ${upstream.tag}`, models: ["local/echo", "gpt-4o-mini"], sessionId });

    const response = await call("GET", sessionPath(sessionId), { token: user.accessToken });
    expect(response.status).toBe(200);
    const { session } = await jsonOf(response);
    expect(session).toEqual(
      expect.objectContaining({
        id: sessionId,
        prompt: `first ${upstream.tag}`,
        models: ["local/echo", "gpt-4o-mini"],
        status: "completed",
        totalCost: expect.any(Number),
        totalTokens: expect.any(Number),
        createdAt: isoDate,
        updatedAt: isoDate,
        conversations: expect.any(Array),
      }),
    );
    const { conversations } = session;
    expect(conversations.map((turn: { userPrompt: string }) => turn.userPrompt)).toEqual([
      `first ${upstream.tag}`,
      `first ${upstream.tag}`,
      `second ${upstream.tag}`,
      `second ${upstream.tag}`,
    ]);
    const times = conversations.map((turn: { createdAt: string }) => Date.parse(turn.createdAt));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(times[2]).toBeGreaterThan(times[1]);
    expect(session.createdAt).toBe(conversations[0].createdAt);
    expect(Date.parse(session.updatedAt)).toBeGreaterThanOrEqual(times[3]);

    for (const turn of conversations) {
      expect(turn).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          modelName: expect.stringMatching(/^(local\/echo|gpt-4o-mini)$/),
          userPrompt: expect.any(String),
          response: turn.userPrompt,
          inputTokens: expect.any(Number),
          outputTokens: expect.any(Number),
          cost: expect.any(Number),
          responseTime: expect.any(Number),
          timeToFirstToken: expect.any(Number),
          estimated: false,
          status: "completed",
          error: null,
          createdAt: isoDate,
        }),
      );
      expect(Number.isInteger(turn.responseTime)).toBe(true);
      expect(Number.isInteger(turn.timeToFirstToken)).toBe(true);
    }
    expect(new Set(conversations.map((turn: { id: string }) => turn.id)).size).toBe(4);
    const paid = conversations.filter((turn: { modelName: string }) => turn.modelName === "gpt-4o-mini");
    expect(paid.map((turn: { inputTokens: number; outputTokens: number }) => [turn.inputTokens, turn.outputTokens])).toEqual([
      [100, 20],
      [100, 20],
    ]);
    const sum = (field: "cost" | "inputTokens" | "outputTokens") =>
      conversations.reduce((total: number, turn: Record<string, number>) => total + turn[field]!, 0);
    expect(session.totalTokens).toBe(sum("inputTokens") + sum("outputTokens"));
    expect(session.totalCost).toBeCloseTo(sum("cost"), 10);
    expect(session.totalCost).toBeCloseTo((2 * (100 * 0.15 + 20 * 0.6)) / 1_000_000, 12);
  });

  it("answers 404 for another user's session, as if it did not exist", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const sessionId = await echo(owner.accessToken);
    await expectError(await call("GET", sessionPath(sessionId), { token: stranger.accessToken }), 404, "NOT_FOUND");
  });

  it.each(["GET", "DELETE"])("%s refuses a malformed id with 400", async (method) => {
    const user = await registerUser();
    const error = await expectError(await call(method, sessionPath("not-a-uuid"), { token: user.accessToken }), 400, "VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain("id");
  });

  it.each(["GET", "DELETE"])("%s answers 404 for an unknown id", async (method) => {
    const user = await registerUser();
    await expectError(await call(method, sessionPath(crypto.randomUUID()), { token: user.accessToken }), 404, "NOT_FOUND");
  });
});

describe("deleting a session", () => {
  it("deletes it with its conversations", async () => {
    const user = await registerUser();
    const sessionId = await echo(user.accessToken);
    const kept = await echo(user.accessToken);
    expect(await conversationRowsOf(sessionId)).toHaveLength(1);

    const response = await call("DELETE", sessionPath(sessionId), { token: user.accessToken });
    expect(response.status).toBe(204);
    expect(await response.text()).toBe("");

    await expectError(await call("GET", sessionPath(sessionId), { token: user.accessToken }), 404, "NOT_FOUND");
    expect(await conversationRowsOf(sessionId)).toEqual([]);
    expect(await listedIds(user.accessToken)).toEqual([kept]);
    await expectError(await call("DELETE", sessionPath(sessionId), { token: user.accessToken }), 404, "NOT_FOUND");
  });

  it("refuses to delete another user's session, which stays", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const sessionId = await echo(owner.accessToken);

    await expectError(await call("DELETE", sessionPath(sessionId), { token: stranger.accessToken }), 404, "NOT_FOUND");
    const response = await call("GET", sessionPath(sessionId), { token: owner.accessToken });
    expect(response.status).toBe(200);
    expect((await jsonOf(response)).session.conversations).toHaveLength(1);
  });
});

describe("a session's status", () => {
  async function statusOf(token: string, sessionId: string) {
    const response = await call("GET", sessionPath(sessionId), { token });
    expect(response.status).toBe(200);
    const { session } = await jsonOf(response);
    const listed = (await jsonOf(await listPage(token))).sessions.find((entry: { id: string }) => entry.id === sessionId);
    expect(listed.status).toBe(session.status);
    return session.status;
  }

  it("is completed when every model completed", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o-mini": { chunks: ["fine"] } });
    const sessionId = await streamSession(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["local/echo", "gpt-4o-mini"] });
    expect(await statusOf(user.accessToken, sessionId)).toBe("completed");
  });

  it("is failed when every model failed", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { fail: { status: 401 } } });
    const sessionId = await streamSession(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] });
    expect(await statusOf(user.accessToken, sessionId)).toBe("failed");
  });

  it("is partial when some models failed", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 401 } } });
    const sessionId = await streamSession(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "local/echo"] });
    expect(await statusOf(user.accessToken, sessionId)).toBe("partial");
  });

  it("follows every turn of the session, not only the last", async () => {
    const user = await registerUser();
    const sessionId = await echo(user.accessToken, "first");
    expect(await statusOf(user.accessToken, sessionId)).toBe("completed");

    const upstream = await script({ "gpt-4o": { fail: { status: 401 } } });
    await streamSession(user.accessToken, { prompt: `second ${upstream.tag}`, models: ["gpt-4o"], sessionId });
    expect(await statusOf(user.accessToken, sessionId)).toBe("partial");
  });
});

describe("without a token", () => {
  it.each([
    ["GET", "/playground/sessions"],
    ["GET", sessionPath(crypto.randomUUID())],
    ["DELETE", sessionPath(crypto.randomUUID())],
  ])("%s %s answers 401", async (method, path) => {
    await expectError(await call(method, path), 401, "UNAUTHENTICATED");
  });
});
