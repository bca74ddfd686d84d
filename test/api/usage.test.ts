import { describe, expect, it } from "vitest";
import { api, bearer, call, jsonOf, registerUser } from "../helpers/api.ts";
import { script, sessionOf, streamSession } from "../helpers/stream.ts";

/** US dollars per million tokens, from the catalogue. */
const PRICES: Record<string, { input: number; output: number }> = {
  "gpt-4o": { input: 2.5, output: 10 },
  "gpt-4o-mini": { input: 0.15, output: 0.6 },
};
const costOf = (model: string, input: number, output: number) =>
  (input * PRICES[model]!.input + output * PRICES[model]!.output) / 1_000_000;

const ZERO = { totals: { requests: 0, inputTokens: 0, outputTokens: 0, cost: 0 }, byModel: [] };
const NO_SPEND = { limitUsd: 5, usedUsd: 0, reservedUsd: 0, windowSeconds: 86_400, resetsAt: null };

const usageResponse = (token: string, query = "") => call("GET", `/playground/usage${query}`, { token });

async function usageOf(token: string, query: { from?: string; to?: string } = {}) {
  const response = await api.playground.usage.$get({ query }, bearer(token));
  expect(response.status).toBe(200);
  if (response.status !== 200) throw new Error(`usage answered ${response.status}`);
  return response.json();
}

interface Conversation {
  modelName: string;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  responseTime: number;
  timeToFirstToken: number | null;
}

/** Every conversation of these sessions, as GET /playground/sessions/:id reports them. */
async function conversationsOf(token: string, sessionIds: string[]): Promise<Conversation[]> {
  const sessions = await Promise.all(sessionIds.map((id) => sessionOf(token, id)));
  return sessions.flatMap(({ body }) => body.conversations);
}

const average = (values: number[]) => Math.round(values.reduce((sum, value) => sum + value, 0) / values.length);

describe("usage", () => {
  it("is zero for a new user", async () => {
    const user = await registerUser();
    expect(await usageOf(user.accessToken)).toEqual({ ...ZERO, spend: NO_SPEND });
  });

  it("adds up the user's conversations, in all and per model", async () => {
    const user = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["big"], usage: { prompt: 1_000, completion: 200 } },
      "gpt-4o-mini": { chunks: ["small"], usage: { prompt: 3_000, completion: 1_500 } },
    });
    const first = await streamSession(user.accessToken, { prompt: `one ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] });
    const second = await streamSession(user.accessToken, { prompt: `two ${upstream.tag}`, models: ["gpt-4o-mini"] });
    await streamSession(user.accessToken, { prompt: `three ${upstream.tag}`, models: ["gpt-4o-mini"], sessionId: second });

    const usage = await usageOf(user.accessToken);
    const fourO = costOf("gpt-4o", 1_000, 200);
    const mini = costOf("gpt-4o-mini", 3_000, 1_500);
    expect(usage.totals).toEqual({ requests: 4, inputTokens: 10_000, outputTokens: 4_700, cost: expect.any(Number) });
    expect(usage.totals.cost).toBeCloseTo(fourO + 3 * mini, 12);

    const conversations = await conversationsOf(user.accessToken, [first, second]);
    expect(conversations).toHaveLength(4);
    const byModel = Object.fromEntries(usage.byModel.map((row) => [row.model, row]));
    expect(Object.keys(byModel).sort()).toEqual(["gpt-4o", "gpt-4o-mini"]);
    for (const [model, requests, cost] of [
      ["gpt-4o", 1, fourO],
      ["gpt-4o-mini", 3, 3 * mini],
    ] as const) {
      const turns = conversations.filter((turn) => turn.modelName === model);
      expect(turns).toHaveLength(requests);
      const row = byModel[model]!;
      expect(row).toEqual({
        model,
        requests,
        inputTokens: turns.reduce((sum, turn) => sum + turn.inputTokens, 0),
        outputTokens: turns.reduce((sum, turn) => sum + turn.outputTokens, 0),
        cost: expect.any(Number),
        avgResponseTime: average(turns.map((turn) => turn.responseTime)),
        avgTimeToFirstToken: average(turns.map((turn) => turn.timeToFirstToken!)),
      });
      expect(row.cost).toBeCloseTo(cost, 12);
      expect(row.cost).toBeCloseTo(
        turns.reduce((sum, turn) => sum + turn.cost, 0),
        12,
      );
      expect(Number.isInteger(row.avgResponseTime)).toBe(true);
      expect(Number.isInteger(row.avgTimeToFirstToken)).toBe(true);
    }
  });

  it("counts a failed answer as a request, with no tokens, no cost and no time to first token", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 401 } } });
    await streamSession(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] });

    const usage = await usageOf(user.accessToken);
    expect(usage.totals).toEqual({ requests: 1, inputTokens: 0, outputTokens: 0, cost: 0 });
    expect(usage.byModel).toEqual([
      {
        model: "gpt-4o",
        requests: 1,
        inputTokens: 0,
        outputTokens: 0,
        cost: 0,
        avgResponseTime: expect.any(Number),
        avgTimeToFirstToken: null,
      },
    ]);
  });

  it("never counts other users' usage", async () => {
    const alice = await registerUser();
    const bob = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["a"], usage: { prompt: 70, completion: 30 } },
      "gpt-4o-mini": { chunks: ["b"], usage: { prompt: 5, completion: 5 } },
    });
    await Promise.all([
      streamSession(alice.accessToken, { prompt: `alice ${upstream.tag}`, models: ["gpt-4o"] }),
      streamSession(bob.accessToken, { prompt: `bob ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] }),
    ]);

    const usage = await usageOf(alice.accessToken);
    expect(usage.totals).toMatchObject({ requests: 1, inputTokens: 70, outputTokens: 30 });
    expect(usage.totals.cost).toBeCloseTo(costOf("gpt-4o", 70, 30), 12);
    expect(usage.byModel.map((row: { model: string }) => row.model)).toEqual(["gpt-4o"]);
    expect((await usageOf(bob.accessToken)).totals).toMatchObject({ requests: 2, inputTokens: 75, outputTokens: 35 });
  });
});

describe("usage over a period", () => {
  /** One gpt-4o answer, then one gpt-4o-mini answer, with the instants before, between and after. */
  async function twoStreams() {
    const user = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["a"], usage: { prompt: 10, completion: 1 } },
      "gpt-4o-mini": { chunks: ["b"], usage: { prompt: 20, completion: 2 } },
    });
    const before = new Date().toISOString();
    await streamSession(user.accessToken, { prompt: `one ${upstream.tag}`, models: ["gpt-4o"] });
    const between = new Date().toISOString();
    await streamSession(user.accessToken, { prompt: `two ${upstream.tag}`, models: ["gpt-4o-mini"] });
    const after = new Date().toISOString();
    const modelsIn = async (query: { from?: string; to?: string }) =>
      (await usageOf(user.accessToken, query)).byModel.map((row) => row.model);
    return { user, before, between, after, modelsIn };
  }

  it("counts what was asked from `from` and before `to`", async () => {
    const { user, before, between, after, modelsIn } = await twoStreams();
    expect(between > before && after > between).toBe(true);

    expect(await modelsIn({ from: before, to: after })).toEqual(["gpt-4o", "gpt-4o-mini"]);
    expect(await modelsIn({ from: before, to: between })).toEqual(["gpt-4o"]);
    expect(await modelsIn({ from: between })).toEqual(["gpt-4o-mini"]);
    expect(await modelsIn({ to: between })).toEqual(["gpt-4o"]);
    const window = await usageOf(user.accessToken, { from: between, to: after });
    expect(window.totals).toMatchObject({ requests: 1, inputTokens: 20, outputTokens: 2 });
  });

  it("is zero before everything", async () => {
    const { user, before } = await twoStreams();
    const { spend: _, ...usage } = await usageOf(user.accessToken, { to: before });
    expect(usage).toEqual(ZERO);
  });

  it("takes the same instants written with an offset", async () => {
    const { before, between, modelsIn } = await twoStreams();
    const plusTwoHours = (iso: string) => new Date(Date.parse(iso) + 2 * 3_600_000).toISOString().replace("Z", "+02:00");
    expect(await modelsIn({ from: plusTwoHours(before), to: plusTwoHours(between) })).toEqual(["gpt-4o"]);
  });

  it("refuses `from` after `to`", async () => {
    const user = await registerUser();
    const response = await usageResponse(user.accessToken, "?from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z");
    expect(response.status).toBe(400);
    const error = (await jsonOf(response)).error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain("from");
  });

  it.each([
    ["from", "yesterday"],
    ["from", "2025-13-01T00:00:00Z"],
    ["to", "2025-01-01 10:00"],
    ["to", "1735689600000"],
    ["from", "0000-01-01T00:00:00Z"],
    ["to", "0001-01-01T00:30:00+01:00"],
  ])("refuses a malformed date: %s=%s", async (field, value) => {
    const user = await registerUser();
    const response = await usageResponse(user.accessToken, `?${field}=${encodeURIComponent(value)}`);
    expect(response.status).toBe(400);
    const error = (await jsonOf(response)).error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(field);
  });
});

describe("without a token", () => {
  it("answers 401", async () => {
    const response = await call("GET", "/playground/usage");
    expect(response.status).toBe(401);
    expect((await jsonOf(response)).error.code).toBe("UNAUTHENTICATED");
  });
});
