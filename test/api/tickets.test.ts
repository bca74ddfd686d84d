// Tokens out of URLs: EventSource cannot send a header, so it takes a ticket, good for one stream of
// one user within 60 seconds, checked off in the call that admits the stream.
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { BASE, call, jsonOf, registerUser } from "../helpers/api.ts";
import { callWithEnv, readEvents } from "../helpers/stream.ts";
import { TEST_JWT_SECRET } from "../test-secrets.ts";

async function ticketFor(token: string) {
  const response = await call("POST", "/playground/stream/tickets", { token });
  expect(response.status).toBe(201);
  const body = await jsonOf(response);
  expect(body).toEqual({ ticket: expect.any(String), expiresIn: 60 });
  return body.ticket as string;
}

const streamWith = (query: string) => call("GET", `/playground/stream?prompt=hello+there&models=local/echo&${query}`);

async function expectUnauthenticated(response: Response) {
  expect(response.status).toBe(401);
  const { error } = await jsonOf(response);
  expect(error.code).toBe("UNAUTHENTICATED");
  return error.message as string;
}

const ticketClaims = (sub: string, overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub,
    iat: now,
    exp: now + 60,
    iss: "model-playground-api",
    aud: "model-playground-stream-ticket",
    jti: crypto.randomUUID(),
    ...overrides,
  };
};

describe("stream tickets", () => {
  it("open one stream of their user, with no credential in the URL", async () => {
    const user = await registerUser();
    const ticket = await ticketFor(user.accessToken);
    expect(ticket).not.toContain(user.accessToken);
    const response = await streamWith(`ticket=${ticket}`);
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events.at(-1)).toMatchObject({ type: "done", stored: "database" });
    const sessions = await jsonOf(await call("GET", "/playground/sessions", { token: user.accessToken }));
    expect(sessions.sessions.map((session: { id: string }) => session.id)).toEqual([events[0]!.sessionId]);
  });

  it("are refused the second time", async () => {
    const user = await registerUser();
    const ticket = await ticketFor(user.accessToken);
    expect((await streamWith(`ticket=${ticket}`)).status).toBe(200);
    expect(await expectUnauthenticated(await streamWith(`ticket=${ticket}`))).toBe(
      "this stream ticket was used already; ask for a new one",
    );
  });

  it("are checked off once, whatever number of streams try one at once", async () => {
    const user = await registerUser();
    const ticket = await ticketFor(user.accessToken);
    const statuses = await Promise.all(Array.from({ length: 5 }, () => streamWith(`ticket=${ticket}`).then((response) => response.status)));
    expect(statuses.sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it("are not used up by a stream a limit refuses", async () => {
    const user = await registerUser();
    const limits = { RATE_LIMIT_MAX_REQUESTS: "1", RATE_LIMIT_WINDOW_SECONDS: "60" };
    const first = await callWithEnv(
      limits,
      new Request(`${BASE}/playground/stream?prompt=one&models=local/echo&token=${user.accessToken}`),
    );
    await readEvents(first.response);
    const ticket = await ticketFor(user.accessToken);
    const refused = await callWithEnv(limits, new Request(`${BASE}/playground/stream?prompt=two&models=local/echo&ticket=${ticket}`));
    expect(refused.response.status).toBe(429);
    const later = await streamWith(`ticket=${ticket}`);
    expect(later.status).toBe(200);
    await readEvents(later);
  });

  it("are refused when expired, forged, or an access token in a ticket's place", async () => {
    const user = await registerUser();
    await expectUnauthenticated(
      await streamWith(`ticket=${await sign(ticketClaims(user.id, { exp: Math.floor(Date.now() / 1000) - 1 }), TEST_JWT_SECRET, "HS256")}`),
    );
    await expectUnauthenticated(
      await streamWith(`ticket=${await sign(ticketClaims(user.id), "a-forger-who-guessed-32-bytes-of-key", "HS256")}`),
    );
    await expectUnauthenticated(await streamWith(`ticket=${user.accessToken}`));
    await expectUnauthenticated(await streamWith("ticket=not-a-ticket"));
  });

  it("are no access token anywhere else", async () => {
    const user = await registerUser();
    const ticket = await ticketFor(user.accessToken);
    await expectUnauthenticated(await call("GET", "/auth/profile", { token: ticket }));
    await expectUnauthenticated(
      await call("POST", "/playground/stream", { token: ticket, body: { prompt: "hi", models: ["local/echo"] } }),
    );
  });

  it("are needed: a stream with no credential at all is a 401", async () => {
    await expectUnauthenticated(await streamWith(""));
  });

  it("leave the access token in the URL working for older clients", async () => {
    const user = await registerUser();
    const response = await streamWith(`token=${user.accessToken}`);
    expect(response.status).toBe(200);
    expect((await readEvents(response)).at(-1)).toMatchObject({ type: "done" });
  });
});
