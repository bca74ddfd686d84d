// A turn planned before it runs: the session it leaves, each model's name, messages and output
// bound, the cost it reserves, and the 400s a request can deserve.
import { describe, expect, it } from "vitest";
import { AppError } from "../../src/http/errors.ts";
import type { ConversationRow, SessionRow } from "../../src/playground/sessions/sessions.service.ts";
import type { StreamRequest } from "../../src/playground/stream/stream.schemas.ts";
import { type PlanInput, planTurn } from "../../src/playground/stream/turn-plan.ts";
import { maxCostOf } from "../../src/providers/catalogue.ts";

const userId = "11111111-1111-4111-8111-111111111111";
const sessionId = "22222222-2222-4222-8222-222222222222";
const newSessionId = "33333333-3333-4333-8333-333333333333";
const startedAt = new Date("2026-11-05T10:00:00.000Z");

const plan = (request: Partial<StreamRequest> & Pick<StreamRequest, "models">, input: Partial<PlanInput> = {}) =>
  planTurn({ request: { prompt: "What is a monad?", ...request }, userId, newSessionId, startedAt, defaultMaxTokens: 4096, ...input });

const session = (fields: Partial<SessionRow> = {}): SessionRow => ({
  id: sessionId,
  userId,
  prompt: "Say hello",
  models: ["local/echo", "local/lorem"],
  status: "completed",
  totalCost: 0,
  totalTokens: 40,
  blindModels: null,
  revealedAt: null,
  source: "playground",
  createdAt: new Date("2026-11-05T09:00:00.000Z"),
  updatedAt: new Date("2026-11-05T09:00:05.000Z"),
  ...fields,
});

const conversation = (modelName: string, turn: number, userPrompt: string, response: string): ConversationRow => ({
  id: crypto.randomUUID(),
  sessionId,
  userId,
  modelName,
  turn,
  userPrompt,
  response,
  system: null,
  temperature: null,
  maxTokens: null,
  inputTokens: 10,
  outputTokens: 10,
  cachedTokens: 0,
  reasoningTokens: 0,
  estimated: true,
  cost: 0,
  responseTime: 200,
  timeToFirstToken: 150,
  status: response === "" ? "error" : "completed",
  error: response === "" ? "upstream failed" : null,
  createdAt: new Date("2026-11-05T09:00:00.000Z"),
});

/** What `planTurn` throws for this request. */
const refusalOf = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error("the turn was planned");
};

const reverse = (ids: readonly string[]) => [...ids].reverse();

describe("planTurn, for a new session", () => {
  it("starts the session under the new id, with its models and prompt", () => {
    const { session, turn } = plan({ models: ["local/echo", "gpt-4o-mini"], system: "Be brief.", temperature: 0.2 });

    expect(session).toEqual({
      id: newSessionId,
      userId,
      prompt: "What is a monad?",
      models: ["local/echo", "gpt-4o-mini"],
      blindModels: null,
      source: "playground",
      createdAt: "2026-11-05T10:00:00.000Z",
    });
    expect(turn).toEqual({ prompt: "What is a monad?", system: "Be brief.", temperature: 0.2, startedAt });
  });

  it("sends each model the system prompt, when there is one, then the prompt", () => {
    const withSystem = plan({ models: ["local/echo", "gpt-4o-mini"], system: "Be brief." });
    for (const model of withSystem.models) {
      expect(model.messages).toEqual([
        { role: "system", content: "Be brief." },
        { role: "user", content: "What is a monad?" },
      ]);
    }

    expect(plan({ models: ["local/echo"] }).models[0]!.messages).toEqual([{ role: "user", content: "What is a monad?" }]);
  });

  it("names each model by its id, openly", () => {
    const { models } = plan({ models: ["local/echo", "gpt-4o-mini"] });

    expect(models.map(({ model, name, anonymous }) => [model.id, name, anonymous])).toEqual([
      ["local/echo", "local/echo", false],
      ["gpt-4o-mini", "gpt-4o-mini", false],
    ]);
  });

  it("bounds the output by the default, never above the model's maximum", () => {
    expect(plan({ models: ["gpt-4o"] }, { defaultMaxTokens: 1000 }).models[0]!.maxTokens).toBe(1000);
    expect(plan({ models: ["gpt-4o"] }, { defaultMaxTokens: 100_000 }).models[0]!.maxTokens).toBe(16_384);
  });

  it("bounds the output by the request's maxTokens when it gives one, lowered to each model's maximum", () => {
    expect(plan({ models: ["gpt-4o"], maxTokens: 200 }, { defaultMaxTokens: 100_000 }).models[0]!.maxTokens).toBe(200);
    const bounds = plan({ models: ["gpt-4o", "gpt-3.5-turbo"], maxTokens: 600_000 }).models.map((model) => model.maxTokens);
    expect(bounds).toEqual([16_384, 4096]);
  });

  it("refuses a model the catalogue does not have", () => {
    const error = refusalOf(() => plan({ models: ["local/echo", "gpt-9"] }));

    expect(error.status).toBe(400);
    expect(error.code).toBe("UNKNOWN_MODEL");
    expect(error.details).toEqual([{ path: "models", message: "unknown model gpt-9" }]);
  });

  it("hides a blind session's models behind labels in the shuffled order", () => {
    const { session, models } = plan({ models: ["gpt-4o-mini", "local/echo", "local/lorem"], blind: true }, { shuffle: reverse });

    expect(session.blindModels).toEqual(["local/lorem", "local/echo", "gpt-4o-mini"]);
    expect(models.map(({ model, name, anonymous }) => [model.id, name, anonymous])).toEqual([
      ["gpt-4o-mini", "model-c", true],
      ["local/echo", "model-b", true],
      ["local/lorem", "model-a", true],
    ]);
  });

  it("reserves the most every answer can cost", () => {
    const { models, maxCostUsd } = plan({ models: ["gpt-4o", "local/echo"], system: "Be brief." });

    const expected = models.reduce((sum, { model, messages, maxTokens }) => sum + maxCostOf(model, messages, maxTokens), 0);
    expect(maxCostUsd).toBe(expected);
    expect(maxCostUsd).toBeGreaterThan(0);
    expect(plan({ models: ["local/echo", "local/lorem"] }).maxCostUsd).toBe(0);
  });
});

describe("planTurn, continuing a session", () => {
  const history = [
    conversation("local/echo", 1, "Say hello", "hello"),
    conversation("gpt-4o-mini", 1, "Say hello", ""),
    conversation("local/echo", 2, "Again", "hello again"),
  ];

  it("sends each model its own earlier turns, skipping empty answers, before the prompt", () => {
    const previous = { session: session({ models: ["local/echo", "gpt-4o-mini"] }), conversations: history };
    const { models } = plan({ models: ["local/echo", "gpt-4o-mini", "local/lorem"] }, { previous });

    const [echo, mini, lorem] = models.map((model) => model.messages);
    expect(echo).toEqual([
      { role: "user", content: "Say hello" },
      { role: "assistant", content: "hello" },
      { role: "user", content: "Again" },
      { role: "assistant", content: "hello again" },
      { role: "user", content: "What is a monad?" },
    ]);
    expect(mini).toEqual([{ role: "user", content: "What is a monad?" }]);
    expect(lorem).toEqual([{ role: "user", content: "What is a monad?" }]);
  });

  it("keeps the session's id and adds the new models to its own", () => {
    const previous = { session: session({ models: ["local/echo", "gpt-4o-mini"] }), conversations: history };
    const { session: continued } = plan({ models: ["local/lorem", "local/echo"] }, { previous });

    expect(continued.id).toBe(sessionId);
    expect(continued.models).toEqual(["local/echo", "gpt-4o-mini", "local/lorem"]);
    expect(continued.blindModels).toBeNull();
  });

  it("takes a hidden blind session's labels as model names, and keeps the labels", () => {
    const previous = { session: session({ blindModels: ["local/lorem", "local/echo"] }), conversations: history };
    const { session: continued, models } = plan({ models: ["model-b", "model-a", "gpt-4o-mini"] }, { previous });

    expect(continued.blindModels).toEqual(["local/lorem", "local/echo", "gpt-4o-mini"]);
    expect(models.map(({ model, name, anonymous }) => [model.id, name, anonymous])).toEqual([
      ["local/echo", "model-b", true],
      ["local/lorem", "model-a", true],
      ["gpt-4o-mini", "model-c", true],
    ]);
    expect(models[0]!.messages).toHaveLength(5);
  });

  it("names a revealed blind session's models by their ids", () => {
    const revealed = session({ blindModels: ["local/lorem", "local/echo"], revealedAt: new Date("2026-11-05T09:30:00.000Z") });
    const { models } = plan({ models: ["local/echo"] }, { previous: { session: revealed, conversations: [] } });

    expect(models.map(({ name, anonymous }) => [name, anonymous])).toEqual([["local/echo", false]]);
  });

  it("refuses to make a session blind after it started", () => {
    const error = refusalOf(() => plan({ models: ["local/echo"], blind: true }, { previous: { session: session(), conversations: [] } }));

    expect(error.status).toBe(400);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail) => detail.path)).toEqual(["blind"]);
  });

  it("refuses a model named twice, by its label and by its id", () => {
    const previous = { session: session({ blindModels: ["local/lorem", "local/echo"] }), conversations: [] };
    const error = refusalOf(() => plan({ models: ["model-a", "local/lorem"] }, { previous }));

    expect(error.status).toBe(400);
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail) => detail.path)).toEqual(["models"]);
  });
});
