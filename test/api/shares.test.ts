// Sharing a session by link, and exporting one: API.md's "Sharing and export".
import { describe, expect, it } from "vitest";
import { BASE, call, jsonOf, registerUser } from "../helpers/api.ts";
import { callWithEnv, script, streamSession } from "../helpers/stream.ts";

const share = (token: string, sessionId: string) => call("POST", `/playground/sessions/${sessionId}/share`, { token });
const withdraw = (token: string, sessionId: string) => call("DELETE", `/playground/sessions/${sessionId}/share`, { token });
const readShared = (token: string) => call("GET", `/playground/shared/${token}`);

async function sharedToken(accessToken: string, sessionId: string) {
  const response = await share(accessToken, sessionId);
  expect(response.status).toBe(201);
  return (await jsonOf(response)).share.token as string;
}

async function expectGone(token: string) {
  const response = await readShared(token);
  expect(response.status).toBe(404);
  expect((await jsonOf(response)).error).toMatchObject({ code: "NOT_FOUND", message: "no shared session has this link" });
}

describe("sharing a session", () => {
  it("gives a link of 128 bits or more, and the same link when shared again", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "share me", models: ["local/echo"] });
    const first = await share(user.accessToken, sessionId);
    expect(first.status).toBe(201);
    const { share: made } = await jsonOf(first);
    expect(made).toEqual({
      token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      url: `/shared/${made.token}`,
      createdAt: expect.any(String),
    });
    const again = await share(user.accessToken, sessionId);
    expect(again.status).toBe(200);
    expect((await jsonOf(again)).share).toEqual(made);
    const atOnce = await Promise.all([1, 2, 3].map(() => share(user.accessToken, sessionId).then(jsonOf)));
    expect(new Set(atOnce.map((body) => body.share.token))).toEqual(new Set([made.token]));
  });

  it("lets anyone with the link read it, with no login, nothing of its owner, and no shared cache", async () => {
    const user = await registerUser({ name: "Ada Lovelace" });
    const sessionId = await streamSession(user.accessToken, { prompt: "what is shared", models: ["local/echo", "local/lorem"] });
    const response = await readShared(await sharedToken(user.accessToken, sessionId));
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    const text = await response.text();
    for (const owner of [user.id, user.email, "Ada Lovelace", "userId"]) expect(text).not.toContain(owner);
    const { session } = JSON.parse(text);
    const owned = (await jsonOf(await call("GET", `/playground/sessions/${sessionId}`, { token: user.accessToken }))).session;
    expect(session).toEqual(owned);
  });

  it("shows a blind session with its labels and no cost until its vote, then real ids and costs", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["an answer"], usage: { prompt: 10, completion: 3 } } });
    const sessionId = await streamSession(user.accessToken, {
      prompt: `blind ${upstream.tag}`,
      models: ["gpt-4o", "gpt-4o-mini"],
      blind: true,
    });
    const token = await sharedToken(user.accessToken, sessionId);

    const before = await (await readShared(token)).text();
    expect(before).not.toContain("gpt-4o");
    const { session: hidden } = JSON.parse(before);
    expect(hidden.models).toEqual(["model-a", "model-b"]);
    expect(hidden).not.toHaveProperty("totalCost");
    for (const conversation of hidden.conversations) expect(conversation).not.toHaveProperty("cost");

    expect(
      (await call("POST", `/playground/sessions/${sessionId}/votes`, { token: user.accessToken, body: { winner: "model-a" } })).status,
    ).toBe(201);
    const { session: revealed } = await jsonOf(await readShared(token));
    expect(revealed.models.sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(revealed.totalCost).toBeGreaterThan(0);
    for (const conversation of revealed.conversations) expect(conversation.cost).toBeGreaterThan(0);
  });

  it("stops working at once when withdrawn, and a new share is a new link", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "withdrawn", models: ["local/echo"] });
    const token = await sharedToken(user.accessToken, sessionId);
    expect((await withdraw(user.accessToken, sessionId)).status).toBe(204);
    await expectGone(token);
    expect((await withdraw(user.accessToken, sessionId)).status).toBe(404);
    const again = await sharedToken(user.accessToken, sessionId);
    expect(again).not.toBe(token);
    await expectGone(token);
  });

  it("stops working when the session is deleted", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "deleted", models: ["local/echo"] });
    const token = await sharedToken(user.accessToken, sessionId);
    expect((await call("DELETE", `/playground/sessions/${sessionId}`, { token: user.accessToken })).status).toBe(204);
    await expectGone(token);
  });

  it("answers a forged or tampered link as an unknown one", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "forged", models: ["local/echo"] });
    const token = await sharedToken(user.accessToken, sessionId);
    const tampered = `${token.slice(0, 30)}${token[30] === "A" ? "B" : "A"}${token.slice(31)}`;
    await expectGone(tampered);
    await expectGone("A".repeat(43));
    await expectGone("not-a-token");
  });

  it("is the owner's to make and withdraw: another user's session is 404", async () => {
    const [owner, other] = [await registerUser(), await registerUser()];
    const sessionId = await streamSession(owner.accessToken, { prompt: "mine", models: ["local/echo"] });
    expect((await share(other.accessToken, sessionId)).status).toBe(404);
    const token = await sharedToken(owner.accessToken, sessionId);
    expect((await withdraw(other.accessToken, sessionId)).status).toBe(404);
    expect((await readShared(token)).status).toBe(200);
  });

  it("limits readers per client address", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "limited", models: ["local/echo"] });
    const token = await sharedToken(user.accessToken, sessionId);
    const from = (address: string) =>
      callWithEnv(
        { API_RATE_LIMIT_MAX_REQUESTS: "2", API_RATE_LIMIT_WINDOW_SECONDS: "60" },
        new Request(`${BASE}/playground/shared/${token}`, { headers: { "CF-Connecting-IP": address } }),
      ).then(({ response }) => response.status);
    expect([await from("198.51.100.7"), await from("198.51.100.7"), await from("198.51.100.7")]).toEqual([200, 200, 429]);
    expect(await from("198.51.100.8")).toBe(200);
  });
});

describe("exporting a session", () => {
  it("gives Markdown that a fence in an answer cannot break, as a file named from the prompt", async () => {
    const user = await registerUser();
    const answer = "Here:\n```js\nconsole.log(1)\n```\nand a stray ``` fence";
    const upstream = await script({ "*": { chunks: [answer], usage: { prompt: 4, completion: 9 } } });
    const sessionId = await streamSession(user.accessToken, { prompt: `Show me code! ${upstream.tag}`, models: ["gpt-4o", "local/echo"] });
    const response = await call("GET", `/playground/sessions/${sessionId}/export?format=markdown`, { token: user.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toBe("text/markdown; charset=utf-8");
    expect(response.headers.get("Content-Disposition")).toMatch(/^attachment; filename="show-me-code-scripte?\w*\.md"$/);
    const markdown = await response.text();
    expect(markdown).toMatch(/^# Show me code!/);
    expect(markdown).toContain("## Turn 1");
    expect(markdown).toContain("### gpt-4o");
    expect(markdown).toContain("### local/echo");
    expect(markdown).toMatch(/_completed · 4 input \+ 9 output tokens · \$0\.\d+/);
    // The answer verbatim, inside a fence of four backticks: longer than any fence in it.
    expect(markdown).toContain(`\`\`\`\`markdown\n${answer}\n\`\`\`\``);
  });

  it("gives JSON as GET /playground/sessions/:id answers it, and is the owner's only", async () => {
    const [owner, other] = [await registerUser(), await registerUser()];
    const sessionId = await streamSession(owner.accessToken, { prompt: "json please", models: ["local/echo"] });
    const response = await call("GET", `/playground/sessions/${sessionId}/export?format=json`, { token: owner.accessToken });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    expect(response.headers.get("Content-Disposition")).toBe('attachment; filename="json-please.json"');
    const owned = await jsonOf(await call("GET", `/playground/sessions/${sessionId}`, { token: owner.accessToken }));
    expect(await jsonOf(response)).toEqual(owned);
    expect((await call("GET", `/playground/sessions/${sessionId}/export?format=json`, { token: other.accessToken })).status).toBe(404);
    expect((await call("GET", `/playground/sessions/${sessionId}/export?format=pdf`, { token: owner.accessToken })).status).toBe(400);
  });
});

describe("the shared page", () => {
  it("is the page's read-only view, served for any /shared/<token>, kept by no shared cache", async () => {
    const response = await call("GET", "/shared/any-token-at-all");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(response.headers.get("Cache-Control")).toBe("private, no-store");
    expect(await response.text()).toContain("<html");
  });
});
