// What the database cannot hold is refused at the door (API.md): a request that would end in a
// stream whose answer cannot be kept, or in a 500 a check could have answered, is a 400 or a 401.
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { call, jsonOf, registerUser, uniqueEmail } from "../helpers/api.ts";
import { conversationRowsOf, deleteUser } from "../helpers/database.ts";
import { queuedTurnsOf } from "../helpers/meter.ts";
import { callWithEnv, postStream, readEvents, streamRequest, streamSession } from "../helpers/stream.ts";
import { TEST_JWT_SECRET } from "../test-secrets.ts";

async function expectInvalid(response: Response, path: string) {
  expect(response.status).toBe(400);
  const { error } = await jsonOf(response);
  expect(error.code).toBe("VALIDATION_FAILED");
  expect(error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  return error;
}

const NUL = "\u0000";

describe("text the database cannot store", () => {
  it.each([
    ["a NUL character in the prompt", { prompt: `a${NUL}b`, models: ["local/echo"] }, "prompt"],
    ["a NUL character in the system prompt", { prompt: "hi", system: `be${NUL}brief`, models: ["local/echo"] }, "system"],
    ["an unpaired surrogate in the prompt", { prompt: "half \ud83d of an emoji", models: ["local/echo"] }, "prompt"],
    ["a NUL character in a model's name", { prompt: "hi", models: [`local/echo${NUL}`] }, "models.0"],
  ])("refuses %s with 400 before any stream opens", async (_, body, path) => {
    const user = await registerUser();
    const error = await expectInvalid(await postStream(user.accessToken, body), path);
    expect(error.message).toContain("must not contain a NUL character or an unpaired surrogate");
  });

  it("keeps a prompt with every other character, a whole emoji included", async () => {
    const user = await registerUser();
    const prompt = "tab\there, emoji 🎉, accents é, CJK 漢字, zero-width \u200b";
    const sessionId = await streamSession(user.accessToken, { prompt, models: ["local/echo"] });
    expect((await conversationRowsOf(sessionId))[0]!.userPrompt).toBe(prompt);
  });

  it("refuses a register whose name has a NUL character with 400, not 500", async () => {
    const response = await call("POST", "/auth/register", { body: { email: uniqueEmail(), password: "long enough", name: `Ada${NUL}` } });
    await expectInvalid(response, "name");
  });
});

describe("numbers the database cannot store", () => {
  it("keeps a temperature as small as 1e-300 (the column holds any number a request may send)", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "tiny", models: ["local/echo"], temperature: 1e-300 });
    expect((await conversationRowsOf(sessionId))[0]!.temperature).toBe(1e-300);
  });
});

describe("numbers and booleans in the query", () => {
  const get = (token: string, query: string) => call("GET", `/playground/stream?prompt=hi&models=local/echo&${query}`, { token });

  it.each([
    ["an empty temperature", "temperature=", "temperature"],
    ["an exponent", "maxTokens=1e3", "maxTokens"],
    ["hex", "maxTokens=0x10", "maxTokens"],
    ["a sign", "maxTokens=%2B5", "maxTokens"],
    ["a fractional bound", "maxTokens=1.5", "maxTokens"],
    ["a temperature in words", "temperature=warm", "temperature"],
    ["a boolean that is not true or false", "blind=yes", "blind"],
  ])("refuses %s with 400", async (_, query, path) => {
    const user = await registerUser();
    await expectInvalid(await get(user.accessToken, query), path);
  });

  it("takes decimal numbers and true or false", async () => {
    const user = await registerUser();
    const response = await call(
      "GET",
      `/playground/stream?prompt=hi+there&models=local/echo,local/lorem&temperature=0.7&maxTokens=12&blind=true&token=${user.accessToken}`,
    );
    expect(response.status).toBe(200);
    expect((await readEvents(response)).at(-1)).toMatchObject({ type: "done" });
  });

  it("refuses a page size that is empty or not in digits", async () => {
    const user = await registerUser();
    for (const limit of ["", "1e1", "0x10", " 5"]) {
      await expectInvalid(
        await call("GET", `/playground/sessions?limit=${encodeURIComponent(limit)}`, { token: user.accessToken }),
        "limit",
      );
    }
  });
});

describe("a token the database cannot take", () => {
  const claims = (sub: string) => {
    const now = Math.floor(Date.now() / 1000);
    return { sub, iat: now, exp: now + 600, iss: "model-playground-api", aud: "model-playground" };
  };

  it.each(["/auth/profile", "/playground/sessions", "/playground/usage", "/playground/leaderboard"])(
    "is a 401 on %s when its subject is not a user id, however well signed",
    async (path) => {
      const token = await sign(claims("not-a-uuid"), TEST_JWT_SECRET, "HS256");
      const response = await call("GET", path, { token });
      expect(response.status).toBe(401);
      expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
    },
  );

  it("is a 401 wherever a request reads the database, once its user is gone", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "before", models: ["local/echo"] });
    await deleteUser(user.id);
    for (const [method, path] of [
      ["GET", "/auth/profile"],
      ["GET", "/playground/sessions"],
      ["GET", `/playground/sessions/${sessionId}`],
      ["DELETE", `/playground/sessions/${sessionId}`],
      ["GET", "/playground/usage"],
      ["GET", "/playground/leaderboard?scope=all"],
    ] as const) {
      const response = await call(method, path, { token: user.accessToken });
      expect(response.status, `${method} ${path}`).toBe(401);
      expect((await jsonOf(response)).error.message).toBe("this account no longer exists");
    }
    const continued = await postStream(user.accessToken, { prompt: "after", models: ["local/echo"], sessionId });
    expect(continued.status).toBe(401);
  });

  it("ends a new stream of a user who is gone with an error and no done, and keeps and queues nothing", async () => {
    const user = await registerUser();
    await deleteUser(user.id);
    const { response, settled } = await callWithEnv({}, streamRequest(user.accessToken, { prompt: "orphan", models: ["local/echo"] }));
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    await settled();
    expect(events.at(-1)).toMatchObject({ type: "error", code: "UNAUTHENTICATED" });
    expect(events.at(-1)).not.toHaveProperty("model");
    expect(events.some((event) => event.type === "done")).toBe(false);
    expect(await conversationRowsOf(events[0]!.sessionId)).toEqual([]);
    expect(await queuedTurnsOf(user.id)).toEqual([]);
  });
});
