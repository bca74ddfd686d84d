import { describe, expect, it } from "vitest";
import { call, jsonOf, registerUser } from "../helpers/api.ts";
import { callWithEnv, ofType, postStream, readEvents, script, sessionOf, streamRequest, streamSession } from "../helpers/stream.ts";

const THREE = ["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano"];

const vote = (token: string, sessionId: string, body: unknown) => call("POST", `/playground/sessions/${sessionId}/votes`, { token, body });

async function leaderboardOf(token: string, scope?: "mine" | "all") {
  const response = await call("GET", `/playground/leaderboard${scope ? `?scope=${scope}` : ""}`, { token });
  expect(response.status).toBe(200);
  return jsonOf(response);
}

async function expectError(response: Response, status: number, code: string) {
  expect(response.status).toBe(status);
  const { error } = await jsonOf(response);
  expect(error.code).toBe(code);
  return error;
}

/** Every real id of these models must be absent from `text` (a label may not give one away). */
const expectNoIds = (text: string, models: string[]) => {
  for (const model of models) expect(text).not.toContain(model);
};

describe("turns", () => {
  it("numbers each stream of a session, from 1", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "one", models: ["local/echo", "local/lorem"], maxTokens: 2 });
    await streamSession(user.accessToken, { prompt: "two", models: ["local/echo"], sessionId });
    await streamSession(user.accessToken, { prompt: "three", models: ["local/echo", "local/lorem"], sessionId, maxTokens: 2 });
    const { body: session } = await sessionOf(user.accessToken, sessionId);
    expect(session.conversations.map((row: { turn: number; modelName: string }) => `${row.turn} ${row.modelName}`)).toEqual([
      "1 local/echo",
      "1 local/lorem",
      "2 local/echo",
      "3 local/echo",
      "3 local/lorem",
    ]);
  });

  it("gives two continuations written at once two turns", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "start", models: ["local/echo"] });
    await Promise.all(["left", "right"].map((prompt) => streamSession(user.accessToken, { prompt, models: ["local/echo"], sessionId })));
    const { body: session } = await sessionOf(user.accessToken, sessionId);
    expect(session.conversations.map((row: { turn: number }) => row.turn)).toEqual([1, 2, 3]);
  });
});

describe("a blind stream", () => {
  it("labels the models in every event and in the session's JSON, until the first vote reveals them", async () => {
    const user = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["first", " answer"], usage: { prompt: 10, completion: 2 } },
      "gpt-4o-mini": { chunks: ["second", " answer"], usage: { prompt: 10, completion: 2 } },
    });
    const response = await postStream(user.accessToken, {
      prompt: `Which is better? ${upstream.tag}`,
      models: ["gpt-4o", "gpt-4o-mini"],
      blind: true,
    });
    expect(response.status).toBe(200);
    const text = await response.clone().text();
    const events = await readEvents(response);
    expectNoIds(text, ["gpt-4o"]);
    const named = new Set(events.filter((event) => event.model).map((event) => event.model));
    expect([...named].sort()).toEqual(["model-a", "model-b"]);
    for (const label of ["model-a", "model-b"]) {
      expect(ofType(events, "metrics", label)).toHaveLength(1);
      expect(ofType(events, "status", label).at(-1)).toMatchObject({ status: "completed" });
    }
    const sessionId = events[0]!.sessionId;

    const opened = await call("GET", `/playground/sessions/${sessionId}`, { token: user.accessToken });
    const openedText = await opened.clone().text();
    expectNoIds(openedText, ["gpt-4o"]);
    const { session } = await jsonOf(opened);
    // In the labels' order, whatever order the models were asked in: an order could tell which is which.
    expect(session).toMatchObject({ blind: true, models: ["model-a", "model-b"] });
    expect(session.conversations.map((row: { modelName: string }) => row.modelName)).toEqual(["model-a", "model-b"]);
    const listed = await call("GET", "/playground/sessions", { token: user.accessToken });
    expectNoIds(await listed.clone().text(), ["gpt-4o"]);
    expect((await jsonOf(listed)).sessions[0]).toMatchObject({ blind: true, models: ["model-a", "model-b"] });

    // Which label is which, from the text each model was scripted to say.
    const labelOf = (words: string) => session.conversations.find((row: { response: string }) => row.response === words).modelName;
    const fourO = labelOf("first answer");
    const cast = await vote(user.accessToken, sessionId, { winner: fourO });
    expect(cast.status).toBe(201);
    const result = await jsonOf(cast);
    expect(result.vote).toMatchObject({ sessionId, turn: 1, winner: "gpt-4o" });
    expect(result.models).toEqual({ [fourO]: "gpt-4o", [labelOf("second answer")]: "gpt-4o-mini" });

    const { body: revealed } = await sessionOf(user.accessToken, sessionId);
    expect(revealed).toMatchObject({ blind: true });
    expect([...revealed.models].sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(revealed.conversations.find((row: { response: string }) => row.response === "first answer").modelName).toBe("gpt-4o");
  });

  it("shuffles: across streams, each model is found under each label", async () => {
    const user = await registerUser();
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 40 && seen.size < 2; attempt++) {
      const events = await readEvents(
        await postStream(user.accessToken, { prompt: "hello there", models: ["local/echo", "local/lorem"], blind: true, maxTokens: 2 }),
      );
      const echo = ofType(events, "chunk").find((event) => event.content === "hello ")!;
      seen.add(echo.model);
    }
    expect([...seen].sort()).toEqual(["model-a", "model-b"]);
  });

  it("lists its labels in their own order, never in the order the models were asked in", async () => {
    const user = await registerUser();
    const opened = await Promise.all(
      Array.from({ length: 10 }, () =>
        streamSession(user.accessToken, { prompt: "order", models: ["local/echo", "local/lorem"], blind: true, maxTokens: 1 }),
      ),
    );
    for (const sessionId of opened) {
      const { body } = await sessionOf(user.accessToken, sessionId);
      expect(body.models).toEqual(["model-a", "model-b"]);
      expect(body.conversations.map((row: { modelName: string }) => row.modelName)).toEqual(["model-a", "model-b"]);
    }
    const { sessions } = await jsonOf(await call("GET", "/playground/sessions?limit=10", { token: user.accessToken }));
    for (const listed of sessions) expect(listed.models).toEqual(["model-a", "model-b"]);
  });

  it("keeps its labels when the session goes on before the vote, and takes them as model names", async () => {
    const user = await registerUser();
    const first = await readEvents(
      await postStream(user.accessToken, { prompt: "alpha beta", models: ["local/echo", "local/lorem"], blind: true, maxTokens: 2 }),
    );
    const sessionId = first[0]!.sessionId;
    const echoLabel = ofType(first, "chunk").find((event) => event.content === "alpha ")!.model;

    const again = await postStream(user.accessToken, { prompt: "gamma delta", models: [echoLabel], sessionId });
    expect(again.status).toBe(200);
    const events = await readEvents(again);
    expect(ofType(events, "chunk").map((event) => event.model)).toEqual([echoLabel, echoLabel]);
    expect(
      ofType(events, "chunk")
        .map((event) => event.content)
        .join(""),
    ).toBe("gamma delta");
    const { body: session } = await sessionOf(user.accessToken, sessionId);
    expect(session.conversations.filter((row: { turn: number }) => row.turn === 2)).toMatchObject([
      { modelName: echoLabel, response: "gamma delta" },
    ]);
  });

  it("names no model in its errors", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 401 } }, "gpt-4o-mini": { chunks: ["fine"] } });
    const events = await readEvents(
      await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"], blind: true }),
    );
    const [error] = ofType(events, "error");
    expect(error).toMatchObject({ code: "UPSTREAM_AUTH", message: "the upstream refused our credentials" });
    expectNoIds(JSON.stringify(events), ["gpt-4o"]);

    const { response, settled } = await callWithEnv(
      { OPENAI_API_KEY: undefined },
      streamRequest(user.accessToken, { prompt: "no key", models: ["gpt-4o", "local/echo"], blind: true }),
    );
    const unconfigured = await readEvents(response);
    await settled();
    expect(ofType(unconfigured, "error")[0]).toMatchObject({
      code: "PROVIDER_NOT_CONFIGURED",
      message: "this model's provider is not configured on the server",
    });
    expectNoIds(JSON.stringify(unconfigured), ["gpt-4o", "OPENAI_API_KEY"]);
    const { body: session } = await sessionOf(user.accessToken, unconfigured[0]!.sessionId);
    expectNoIds(JSON.stringify(session), ["gpt-4o", "OPENAI_API_KEY"]);
  });

  it.each([
    ["one model", { prompt: "hi", models: ["local/echo"], blind: true }, "models"],
    ["one model, in the query", "?prompt=hi&models=local/echo&blind=true", "models"],
    ["a blind that is not a boolean", "?prompt=hi&models=local/echo,local/lorem&blind=maybe", "blind"],
  ])("refuses %s with 400", async (_, input, path) => {
    const user = await registerUser();
    const response =
      typeof input === "string"
        ? await call("GET", `/playground/stream${input}&token=${user.accessToken}`)
        : await call("POST", "/playground/stream", { token: user.accessToken, body: input });
    const error = await expectError(response, 400, "VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it("cannot be chosen for a session that started open", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "open", models: ["local/echo", "local/lorem"], maxTokens: 2 });
    const response = await postStream(user.accessToken, {
      prompt: "now hide",
      models: ["local/echo", "local/lorem"],
      sessionId,
      blind: true,
    });
    const error = await expectError(response, 400, "VALIDATION_FAILED");
    expect(error.details[0].path).toBe("blind");
  });
});

describe("votes", () => {
  it("take one vote per turn, also when two arrive at once", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "race", models: ["local/echo", "local/lorem"], maxTokens: 2 });
    const statuses = await Promise.all([
      vote(user.accessToken, sessionId, { winner: "tie" }),
      vote(user.accessToken, sessionId, { winner: "local/echo" }),
    ]);
    expect(statuses.map((response) => response.status).sort()).toEqual([201, 409]);
    const accepted = await jsonOf(statuses.find((response) => response.status === 201)!);
    const refused = statuses.find((response) => response.status === 409)!;
    await expectError(refused, 409, "ALREADY_VOTED");
    await expectError(await vote(user.accessToken, sessionId, { winner: "bothBad", turn: 1 }), 409, "ALREADY_VOTED");

    await streamSession(user.accessToken, { prompt: "again", models: ["local/echo", "local/lorem"], sessionId, maxTokens: 2 });
    const second = await vote(user.accessToken, sessionId, { winner: "bothBad" });
    expect(second.status).toBe(201);
    expect((await jsonOf(second)).vote).toMatchObject({ turn: 2, winner: "bothBad" });
    const { body: session } = await sessionOf(user.accessToken, sessionId);
    expect(session.votes.map(({ turn, winner }: { turn: number; winner: string }) => ({ turn, winner }))).toEqual([
      { turn: 1, winner: accepted.vote.winner },
      { turn: 2, winner: "bothBad" },
    ]);
  });

  it("answers 404 for another user's session, as if it did not exist", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const sessionId = await streamSession(owner.accessToken, { prompt: "mine", models: ["local/echo", "local/lorem"], maxTokens: 2 });
    await expectError(await vote(stranger.accessToken, sessionId, { winner: "tie" }), 404, "NOT_FOUND");
    await expectError(await vote(stranger.accessToken, crypto.randomUUID(), { winner: "tie" }), 404, "NOT_FOUND");
    expect((await vote(owner.accessToken, sessionId, { winner: "tie" })).status).toBe(201);
  });

  it("let only a model that completed its answer win", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 400 } }, "gpt-4o-mini": { chunks: ["done"] } });
    const sessionId = await streamSession(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] });
    const error = await expectError(await vote(user.accessToken, sessionId, { winner: "gpt-4o" }), 400, "VALIDATION_FAILED");
    expect(error.message).toContain("only a model that completed its answer can win");
    expect((await vote(user.accessToken, sessionId, { winner: "gpt-4o-mini" })).status).toBe(201);
  });

  it.each([
    ["a model not in the turn", { winner: "gpt-4o" }, "winner"],
    ["a turn the session does not have", { winner: "tie", turn: 2 }, "turn"],
    ["a turn that is not a positive integer", { winner: "tie", turn: 0 }, "turn"],
    ["no winner", {}, "winner"],
  ])("refuse %s with 400", async (_, body, path) => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "pick", models: ["local/echo", "local/lorem"], maxTokens: 2 });
    const error = await expectError(await vote(user.accessToken, sessionId, body), 400, "VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it("need a turn with two models at least", async () => {
    const user = await registerUser();
    const sessionId = await streamSession(user.accessToken, { prompt: "alone", models: ["local/echo"] });
    const error = await expectError(await vote(user.accessToken, sessionId, { winner: "local/echo" }), 400, "VALIDATION_FAILED");
    expect(error.message).toContain("asked one");
  });
});

describe("the leaderboard", () => {
  it("is empty before any vote", async () => {
    const user = await registerUser();
    expect(await leaderboardOf(user.accessToken)).toEqual({ models: [], totalVotes: 0, method: expect.stringContaining("Bradley-Terry") });
  });

  it("orders and counts a designed set of votes", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["answer"] } });
    const [a, b, c] = THREE;
    // a wins 3, b wins 2, one tie: a beats b and c three times, b beats a and c twice, all tie once.
    for (const winner of [a, a, a, b, b, "tie"]) {
      const sessionId = await streamSession(user.accessToken, { prompt: `round ${upstream.tag}`, models: THREE });
      expect((await vote(user.accessToken, sessionId, { winner })).status).toBe(201);
    }
    const board = await leaderboardOf(user.accessToken);
    expect(board.totalVotes).toBe(6);
    expect(board.models.map((row: { model: string }) => row.model)).toEqual([a, b, c]);
    expect(
      board.models.map(({ model, wins, losses, ties, votes }: Record<string, unknown>) => ({ model, wins, losses, ties, votes })),
    ).toEqual([
      { model: a, wins: 3, losses: 2, ties: 1, votes: 6 },
      { model: b, wins: 2, losses: 3, ties: 1, votes: 6 },
      { model: c, wins: 0, losses: 5, ties: 1, votes: 6 },
    ]);
    const ratings = board.models.map((row: { rating: number }) => row.rating);
    expect(ratings.reduce((sum: number, rating: number) => sum + rating, 0) / 3).toBeCloseTo(1000, 0);
    for (const row of board.models) expect(row.ci95[0] < row.rating && row.rating < row.ci95[1]).toBe(true);
  });

  it("matches a hand computation on a small case", async () => {
    const user = await registerUser();
    // local/echo beats local/lorem three times, and loses once.
    for (const winner of ["local/echo", "local/echo", "local/echo", "local/lorem"]) {
      const sessionId = await streamSession(user.accessToken, { prompt: "duel", models: ["local/echo", "local/lorem"], maxTokens: 2 });
      expect((await vote(user.accessToken, sessionId, { winner })).status).toBe(201);
    }
    // By symmetry the strengths are t and -t, where the log-posterior's slope is zero:
    // 3 - 4·σ(2t) - λ·t = 0, with λ = 0.5 the prior's precision. Found by bisection.
    const lambda = 0.5;
    const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
    let [low, high] = [0, 5];
    for (let step = 0; step < 200; step++) {
      const t = (low + high) / 2;
      if (3 - 4 * sigmoid(2 * t) - lambda * t > 0) low = t;
      else high = t;
    }
    const t = (low + high) / 2;
    const eloPerUnit = 400 / Math.LN10;
    // The information matrix is [[λ+w, -w], [-w, λ+w]] with w = 4p(1-p); the variance of θ_echo - mean is 1/(2(λ+2w)).
    const p = sigmoid(2 * t);
    const w = 4 * p * (1 - p);
    const half = 1.959964 * eloPerUnit * Math.sqrt(1 / (2 * (lambda + 2 * w)));
    const expected = 1000 + eloPerUnit * t;

    const board = await leaderboardOf(user.accessToken);
    const [echo, lorem] = board.models;
    expect(echo).toMatchObject({ model: "local/echo", wins: 3, losses: 1, ties: 0, votes: 4 });
    expect(echo.rating).toBeCloseTo(expected, 1);
    expect(lorem.rating).toBeCloseTo(2000 - expected, 1);
    expect(echo.ci95[0]).toBeCloseTo(expected - half, 1);
    expect(echo.ci95[1]).toBeCloseTo(expected + half, 1);
  });

  it("refuses an unknown scope", async () => {
    const user = await registerUser();
    await expectError(await call("GET", "/playground/leaderboard?scope=everyone", { token: user.accessToken }), 400, "VALIDATION_FAILED");
  });
});
