import { describe, expect, inject, it } from "vitest";
import { api, BASE, call, jsonOf, registerUser } from "../helpers/api.ts";
import { callWithEnv, type Event, ofType, readEvents, sessionOf, streamRequest } from "../helpers/stream.ts";
import { UPSTREAM_API_KEY } from "../upstream/scripted-upstream.ts";

interface Model {
  id: string;
  provider: string;
  contextWindow: number;
  maxOutputTokens: number;
  available: boolean;
}

/** The contract's fields. */
const LISTED_FIELDS = ["id", "provider", "label", "inputPricePerMTok", "outputPricePerMTok", "contextWindow", "available"];
/** Beyond the contract's list: the cached input price where there is one, and the model's output maximum. */
const OPTIONAL_FIELDS = ["cachedInputPricePerMTok", "maxOutputTokens"];

const NO_OPENAI_KEY = { OPENAI_API_KEY: undefined };

async function listModels() {
  const response = await api.playground.models.$get();
  expect(response.status).toBe(200);
  return (await response.json()).models;
}

async function listModelsWithoutKey() {
  const { response, settled } = await callWithEnv(NO_OPENAI_KEY, new Request(`${BASE}/playground/models`));
  expect(response.status).toBe(200);
  const { models } = await jsonOf(response);
  await settled();
  return models as Model[];
}

const byId = (models: Model[]) => Object.fromEntries(models.map((model) => [model.id, model]));

describe("the catalogue", () => {
  it("lists the openai models at today's prices and the offline ones, without a token", async () => {
    const models = byId(await listModels());
    expect(models["gpt-3.5-turbo"]).toMatchObject({
      provider: "openai",
      inputPricePerMTok: 0.5,
      outputPricePerMTok: 1.5,
      contextWindow: 16_385,
      available: true,
    });
    expect(models["gpt-4o-mini"]).toMatchObject({
      provider: "openai",
      inputPricePerMTok: 0.15,
      outputPricePerMTok: 0.6,
      contextWindow: 128_000,
      available: true,
    });
    expect(models["gpt-4o"]).toMatchObject({
      provider: "openai",
      inputPricePerMTok: 2.5,
      outputPricePerMTok: 10,
      contextWindow: 128_000,
      available: true,
    });
    expect(models["local/echo"]).toMatchObject({ provider: "local", inputPricePerMTok: 0, outputPricePerMTok: 0, available: true });
  });

  it("gives every model the contract's fields, with their types, and nothing else", async () => {
    const models = await listModels();
    expect(new Set(models.map((model) => model.id)).size).toBe(models.length);
    for (const model of models) {
      expect(model).toEqual(
        expect.objectContaining({
          id: expect.any(String),
          provider: expect.any(String),
          label: expect.any(String),
          inputPricePerMTok: expect.any(Number),
          outputPricePerMTok: expect.any(Number),
          contextWindow: expect.any(Number),
          available: expect.any(Boolean),
        }),
      );
      expect(Number.isInteger(model.contextWindow)).toBe(true);
      expect(Number.isInteger(model.maxOutputTokens) && model.maxOutputTokens > 0 && model.maxOutputTokens <= model.contextWindow).toBe(
        true,
      );
      expect(Object.keys(model).filter((key) => !LISTED_FIELDS.includes(key) && !OPTIONAL_FIELDS.includes(key))).toEqual([]);
    }
  });

  it("leaks no key, upstream address or internal field", async () => {
    const response = await call("GET", "/playground/models");
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).not.toContain(UPSTREAM_API_KEY);
    expect(text).not.toContain(inject("upstreamUrl"));
    expect(text).not.toMatch(/upstreamModel|reasoning|apiKey|baseUrl|keyVariable/i);
  });

  it("says which models need a key the server does not have", async () => {
    const models = await listModelsWithoutKey();
    const openai = models.filter((model) => model.provider === "openai");
    const local = models.filter((model) => model.provider === "local");
    expect(openai.map((model) => model.id)).toEqual(expect.arrayContaining(["gpt-3.5-turbo", "gpt-4o-mini", "gpt-4o"]));
    expect(openai.every((model) => model.available === false)).toBe(true);
    expect(local.map((model) => model.id)).toContain("local/echo");
    expect(local.every((model) => model.available === true)).toBe(true);
  });
});

describe("a model whose provider has no key", () => {
  const labels = (events: Event[], model: string) =>
    events.filter((event) => event.model === model).map((event) => (event.type === "status" ? `status:${event.status}` : event.type));

  it("fails with PROVIDER_NOT_CONFIGURED while a local model completes", async () => {
    const user = await registerUser();
    const { response, settled } = await callWithEnv(
      NO_OPENAI_KEY,
      streamRequest(user.accessToken, { prompt: "hello there", models: ["gpt-4o", "local/echo"] }),
    );
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    await settled();

    expect(labels(events, "gpt-4o")).toEqual(["error", "status:error"]);
    expect(ofType(events, "error", "gpt-4o")[0]).toMatchObject({
      code: "PROVIDER_NOT_CONFIGURED",
      message: expect.stringContaining("OPENAI_API_KEY"),
    });
    expect(labels(events, "local/echo")).toEqual(["status:streaming", "chunk", "chunk", "metrics", "status:completed"]);
    expect(
      ofType(events, "chunk", "local/echo")
        .map((event) => event.content)
        .join(""),
    ).toBe("hello there");
    expect(events.at(-1)).toMatchObject({ type: "done", sessionId: events[0]!.sessionId });

    const { status, body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(status).toBe(200);
    expect(session.status).toBe("partial");
    const failed = session.conversations.find((turn: { modelName: string }) => turn.modelName === "gpt-4o");
    expect(failed).toMatchObject({ status: "error", response: "", cost: 0, timeToFirstToken: null });
  });
});
