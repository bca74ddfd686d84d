// GET /playground/stats: speed and cost beside quality, against values worked out by hand.
import { describe, expect, it } from "vitest";
import { call, jsonOf, registerUser } from "../helpers/api.ts";
import { insertAnswers } from "../helpers/database.ts";
import { script, streamSession } from "../helpers/stream.ts";

const DAY_MS = 86_400_000;

async function statsOf(token: string, query = "") {
  const response = await call("GET", `/playground/stats${query}`, { token });
  expect(response.status).toBe(200);
  return jsonOf(response);
}

const modelIn = (stats: { models: { model: string }[] }, model: string) => stats.models.find((row) => row.model === model);

/** Five completed answers, 1,000 ms from first token to end, with 10 to 50 output tokens; an error; a cancellation. */
function designed(model: string) {
  const completed = [1, 2, 3, 4, 5].map((n) => ({
    modelName: model,
    timeToFirstToken: 100 * n,
    responseTime: 100 * n + 1000,
    outputTokens: 10 * n,
    cost: 0.001 * n,
  }));
  return [
    ...completed,
    {
      modelName: model,
      status: "error" as const,
      timeToFirstToken: null,
      responseTime: 50,
      outputTokens: 0,
      cost: 0,
      error: "upstream failed",
    },
    { modelName: model, status: "cancelled" as const, timeToFirstToken: 100, responseTime: 600, outputTokens: 5, cost: 0.0005 },
  ];
}

describe("the statistics", () => {
  it("give each model's counts, error rate and percentiles over completed answers, as computed by hand", async () => {
    const user = await registerUser();
    const model = `designed/${crypto.randomUUID()}`;
    await insertAnswers(user.id, designed(model));

    const stats = await statsOf(user.accessToken);
    expect(Date.parse(stats.to) - Date.parse(stats.from)).toBe(30 * DAY_MS);
    expect(modelIn(stats, model)).toEqual({
      model,
      answers: 7,
      completed: 5,
      errors: 1,
      cancelled: 1,
      errorRate: 0.1429,
      // 100…500 ms: the median 300; the 90th percentile interpolated, 400 + 0.6 × 100.
      timeToFirstTokenMs: { p50: 300, p90: 460 },
      // 10…50 tokens over 1 s each.
      outputTokensPerSecond: { p50: 30, p90: 46 },
      costPerAnswerUsd: { mean: 0.003, p90: 0.0046 },
    });
  });

  it("count only the last `days` days", async () => {
    const user = await registerUser();
    const model = `designed/${crypto.randomUUID()}`;
    await insertAnswers(user.id, [
      { modelName: model, timeToFirstToken: 100, responseTime: 1100, outputTokens: 10, createdAt: new Date(Date.now() - 40 * DAY_MS) },
      { modelName: model, timeToFirstToken: 300, responseTime: 1300, outputTokens: 30 },
    ]);
    expect(modelIn(await statsOf(user.accessToken), model)).toMatchObject({ answers: 1, timeToFirstTokenMs: { p50: 300 } });
    expect(modelIn(await statsOf(user.accessToken, "?days=60"), model)).toMatchObject({ answers: 2, timeToFirstTokenMs: { p50: 200 } });
  });

  it("show another user's answers only in everyone's", async () => {
    const [me, other] = [await registerUser(), await registerUser()];
    const model = `designed/${crypto.randomUUID()}`;
    await insertAnswers(me.id, [{ modelName: model, timeToFirstToken: 100, responseTime: 1100, outputTokens: 10 }]);
    await insertAnswers(other.id, [{ modelName: model, timeToFirstToken: 500, responseTime: 1500, outputTokens: 50 }]);

    expect(modelIn(await statsOf(me.accessToken), model)).toMatchObject({ answers: 1, timeToFirstTokenMs: { p50: 100 } });
    expect(modelIn(await statsOf(me.accessToken, "?scope=all"), model)).toMatchObject({ answers: 2, timeToFirstTokenMs: { p50: 300 } });
  });

  it("leave out models with no answers, and count blind turns under their real models", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["an", " answer"], usage: { prompt: 5, completion: 2 } } });
    await streamSession(user.accessToken, { prompt: `blind ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"], blind: true });
    const stats = await statsOf(user.accessToken);
    expect(stats.models.map((row: { model: string }) => row.model).sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(modelIn(stats, "gpt-4o")).toMatchObject({ answers: 1, completed: 1, errors: 0, errorRate: 0 });
  });

  it("refuse days out of 1 to 365, or not in digits", async () => {
    const user = await registerUser();
    for (const days of ["0", "366", "1e1", ""]) {
      const response = await call("GET", `/playground/stats?days=${days}`, { token: user.accessToken });
      expect(response.status).toBe(400);
    }
  });
});

describe("the statistics of a model with no completed answer", () => {
  it("give its counts and no percentiles", async () => {
    const user = await registerUser();
    const model = `designed/${crypto.randomUUID()}`;
    await insertAnswers(user.id, [
      { modelName: model, status: "error", timeToFirstToken: null, responseTime: 40, outputTokens: 0, error: "failed" },
    ]);
    expect(modelIn(await statsOf(user.accessToken), model)).toEqual({
      model,
      answers: 1,
      completed: 0,
      errors: 1,
      cancelled: 0,
      errorRate: 1,
      timeToFirstTokenMs: { p50: null, p90: null },
      outputTokensPerSecond: { p50: null, p90: null },
      costPerAnswerUsd: { mean: null, p90: null },
    });
  });
});
