// The OpenAI-compatible API as its clients use it: the real `openai` SDK pointed at the Worker with an
// API key. Every call is a one-model turn of the playground: limited, reserved, settled and kept.
import { exports } from "cloudflare:workers";
import { APIError, AuthenticationError, BadRequestError, InternalServerError, NotFoundError, type OpenAI, RateLimitError } from "openai";
import { describe, expect, it } from "vitest";
import { BASE, call, jsonOf, registerUser } from "../helpers/api.ts";
import { createApiKey, openAIClient } from "../helpers/openai.ts";
import { callWithEnv, script } from "../helpers/stream.ts";
import { UPSTREAM_API_KEY } from "../upstream/scripted-upstream.ts";

/** gpt-4o's prices, US dollars per million tokens, and its most output tokens. */
const GPT4O = { input: 2.5, output: 10, maxOutputTokens: 16_384 };

const costOf = (prompt: number, completion: number) => (prompt * GPT4O.input + completion * GPT4O.output) / 1_000_000;

type Message = { role: string; content: string };

/**
 * What the API reserves for a call to gpt-4o, in units of 10⁻¹⁰ USD: every UTF-8 byte of every
 * message's content as a token, 8 tokens a message and 8 for the request, at the input price, and
 * every output token allowed at the output price, rounded up.
 */
const reservedUnits = (messages: Message[], maxTokens: number) => {
  const inputTokens = messages.reduce((sum, message) => sum + new TextEncoder().encode(message.content).length + 8, 8);
  return Math.ceil(((inputTokens * GPT4O.input + maxTokens * GPT4O.output) / 1_000_000) * 1e10);
};

/** A new user and an API key of theirs. */
async function keyHolder() {
  const user = await registerUser();
  const { key, apiKey } = await createApiKey(user.accessToken);
  return { user, key, keyId: apiKey.id };
}

/** The SDK through the Worker with some variables changed; `settled` waits for every call's work. */
function clientWithEnv(key: string, overrides: Record<string, string | undefined>) {
  const pending: (() => Promise<void>)[] = [];
  const client = openAIClient(key, async (input, init) => {
    const { response, settled } = await callWithEnv(overrides, new Request(input, init));
    pending.push(settled);
    return response;
  });
  return { client, settled: () => Promise.all(pending.map((settled) => settled())) };
}

/** The error a call failed with; fails the test when it did not. */
async function failureOf(call: Promise<unknown>): Promise<APIError> {
  const outcome = await call.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(APIError);
  return outcome as APIError;
}

/** The user's sessions as the playground lists them. */
async function sessionsOf(accessToken: string, query = "") {
  const response = await call("GET", `/playground/sessions${query}`, { token: accessToken });
  expect(response.status).toBe(200);
  return (await jsonOf(response)).sessions as { id: string; source: string; status: string; totalCost: number; prompt: string }[];
}

type ChatParams = OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming;

/** A one-message request to local/echo, which says the message back. */
const chatBody = (content: string): ChatParams => ({ model: "local/echo", messages: [{ role: "user", content }] });

describe("the models", () => {
  it("are listed as OpenAI lists them: the same that the playground can ask now", async () => {
    const { key } = await keyHolder();
    const client = openAIClient(key);
    const { data } = await client.models.list();
    for (const model of data)
      expect(model).toEqual({ id: expect.any(String), object: "model", created: expect.any(Number), owned_by: expect.any(String) });
    const ids = data.map((model) => model.id);
    expect(ids).toEqual(expect.arrayContaining(["local/echo", "local/lorem", "gpt-4o", "gpt-4o-mini", "gpt-3.5-turbo"]));
    expect(data.find((model) => model.id === "gpt-4o")).toMatchObject({ owned_by: "openai" });
    expect(data.find((model) => model.id === "local/echo")).toMatchObject({ owned_by: "local" });

    const playground = await jsonOf(await call("GET", "/playground/models", { token: key }));
    const available = playground.models.filter((model: { available: boolean }) => model.available).map((model: { id: string }) => model.id);
    expect([...ids].sort()).toEqual([...available].sort());
  });

  it("are retrieved one by one, ids with a slash too", async () => {
    const { key } = await keyHolder();
    const client = openAIClient(key);
    expect(await client.models.retrieve("local/echo")).toEqual({
      id: "local/echo",
      object: "model",
      created: expect.any(Number),
      owned_by: "local",
    });
    expect(await client.models.retrieve("gpt-4o")).toEqual({
      id: "gpt-4o",
      object: "model",
      created: expect.any(Number),
      owned_by: "openai",
    });
    const error = await failureOf(client.models.retrieve("nope"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, type: "invalid_request_error", code: "model_not_found" });
  });

  it("leave out those whose provider has no key", async () => {
    const { key } = await keyHolder();
    const withoutOpenAI = { OPENAI_API_KEY: undefined };
    const { response } = await callWithEnv(
      withoutOpenAI,
      new Request(`${BASE}/v1/models`, { headers: { Authorization: `Bearer ${key}` } }),
    );
    expect(response.status).toBe(200);
    const ids = (await jsonOf(response)).data.map((model: { id: string }) => model.id);
    expect(ids).toContain("local/echo");
    expect(ids).not.toContain("gpt-4o");
    expect(ids).not.toContain("gpt-4o-mini");

    const { client } = clientWithEnv(key, withoutOpenAI);
    const error = await failureOf(client.models.retrieve("gpt-4o"));
    expect(error).toBeInstanceOf(NotFoundError);
    const asked = await failureOf(client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: "hi" }] }));
    expect(asked).toBeInstanceOf(NotFoundError);
    expect(asked.code).toBe("model_not_found");
  });
});

describe("a whole completion", () => {
  it("of local/echo says back the last user message, with usage and OpenAI's headers", async () => {
    const { key } = await keyHolder();
    const client = openAIClient(key);
    const { data: completion, response } = await client.chat.completions
      .create({
        model: "local/echo",
        messages: [
          { role: "system", content: "Be an echo." },
          { role: "user", content: "first words" },
          { role: "assistant", content: "first words" },
          { role: "user", content: "say this back" },
        ],
      })
      .withResponse();
    expect(response.status).toBe(200);
    expect(completion).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: "chat.completion",
      created: expect.any(Number),
      model: "local/echo",
      choices: [
        { index: 0, message: { role: "assistant", content: "say this back", refusal: null }, logprobs: null, finish_reason: "stop" },
      ],
      usage: {
        prompt_tokens: expect.any(Number),
        completion_tokens: 3,
        total_tokens: expect.any(Number),
        prompt_tokens_details: { cached_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    });
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + 3);
    expect(Math.abs(completion.created - Date.now() / 1000)).toBeLessThan(60);
    expect(response.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-ratelimit-limit-requests")).toBe("1000000");
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("999999");
    expect(response.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+s$/);
  });

  it("of a model upstream passes every parameter on, and answers the upstream's usage", async () => {
    const { key } = await keyHolder();
    const client = openAIClient(key);
    const upstream = await script({ "gpt-4o": { chunks: ["Paris", " it", " is."], usage: { prompt: 31, completion: 7 } } });
    const completion = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "developer", content: "Answer in one line." },
        { role: "user", content: "The capital of Italy?" },
        { role: "assistant", content: "Rome." },
        { role: "user", content: `And of France? ${upstream.tag}` },
      ],
      temperature: 0.4,
      top_p: 0.9,
      max_tokens: 100_000,
      stop: ["END"],
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      user: "user-123",
    });
    expect(completion.choices[0]).toMatchObject({ message: { role: "assistant", content: "Paris it is." }, finish_reason: "stop" });
    expect(completion.model).toBe("gpt-4o");
    expect(completion.usage).toEqual({
      prompt_tokens: 31,
      completion_tokens: 7,
      total_tokens: 38,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    });

    const [received] = await upstream.requests("gpt-4o");
    expect(received!.body).toMatchObject({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Answer in one line." },
        { role: "user", content: "The capital of Italy?" },
        { role: "assistant", content: "Rome." },
        { role: "user", content: `And of France? ${upstream.tag}` },
      ],
      temperature: 0.4,
      top_p: 0.9,
      max_completion_tokens: GPT4O.maxOutputTokens,
      stop: ["END"],
      seed: 42,
      presence_penalty: 0.5,
      frequency_penalty: 0.25,
      user: "user-123",
    });
    expect((received!.body.messages as unknown[]).length).toBe(4);
    expect(received!.body).not.toHaveProperty("max_tokens");

    await client.chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `Briefly. ${upstream.tag}` }],
      max_completion_tokens: 77,
    });
    expect((await upstream.requests("gpt-4o"))[1]!.body).toMatchObject({ max_completion_tokens: 77 });
  });
});

describe("a streamed completion", () => {
  it("sends the role first, the contents in order, the finish reason, then the usage, under one id", async () => {
    const { key } = await keyHolder();
    const client = openAIClient(key);
    const stream = await client.chat.completions.create({
      model: "local/echo",
      messages: [{ role: "user", content: "one two three four" }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]!.choices[0]!.delta).toMatchObject({ role: "assistant" });
    const contents = chunks.slice(1, -2).map((chunk) => chunk.choices[0]!.delta.content);
    expect(contents.join("")).toBe("one two three four");
    expect(contents.length).toBeGreaterThan(1);
    for (const chunk of chunks.slice(0, -2)) expect(chunk.choices[0]!.finish_reason).toBeNull();
    expect(chunks.at(-2)!.choices).toEqual([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4, prompt_tokens: expect.any(Number) } });
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
    expect(new Set(chunks.map((chunk) => chunk.id)).size).toBe(1);
    for (const chunk of chunks) expect(chunk).toMatchObject({ object: "chat.completion.chunk", model: "local/echo" });
  });

  it("sends no usage chunk unless asked", async () => {
    const { key } = await keyHolder();
    const stream = await openAIClient(key).chat.completions.create({ ...chatBody("no usage please"), stream: true });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(chunks.some((chunk) => chunk.usage)).toBe(false);
  });

  it("is server-sent events of data lines, ending with [DONE]", async () => {
    const { key } = await keyHolder();
    const response = await call("POST", "/v1/chat/completions", {
      token: key,
      body: { ...chatBody("read me raw"), stream: true, stream_options: { include_usage: true } },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/event-stream/);
    expect(response.headers.get("x-ratelimit-limit-requests")).toBe("1000000");
    const text = await response.text();
    expect(text.endsWith("data: [DONE]\n\n")).toBe(true);
    const blocks = text.split("\n\n").filter((block) => block !== "");
    for (const block of blocks) expect(block).toMatch(/^data: /);
    const data = blocks.map((block) => block.slice("data: ".length));
    expect(data.filter((line) => line === "[DONE]")).toHaveLength(1);
    for (const line of data.slice(0, -1)) expect(() => JSON.parse(line)).not.toThrow();
    expect(JSON.parse(data.at(-2)!)).toMatchObject({ choices: [], usage: { completion_tokens: 3 } });
  });
});

describe("every call is kept", () => {
  it("as a session of one conversation from the api, in sessions, usage and the spend state", async () => {
    const { user, key } = await keyHolder();
    const client = openAIClient(key);
    const upstream = await script({ "gpt-4o": { chunks: ["kept"], usage: { prompt: 40, completion: 10 } } });
    await call("POST", "/playground/stream", { token: user.accessToken, body: { prompt: "from the page", models: ["local/echo"] } }).then(
      (response) => response.text(),
    );

    const prompt = `keep this ${upstream.tag}`;
    const completion = await client.chat.completions.create({
      model: "gpt-4o",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: prompt },
      ],
    });
    expect(completion.choices[0]!.message.content).toBe("kept");

    const [session, other] = await sessionsOf(user.accessToken);
    expect(other).toMatchObject({ source: "playground", prompt: "from the page" });
    expect(session).toMatchObject({ source: "api", prompt, status: "completed", models: ["gpt-4o"], totalTokens: 50 });
    expect(session!.totalCost).toBeCloseTo(costOf(40, 10), 10);
    expect((await sessionsOf(user.accessToken, "?source=api")).map(({ id }) => id)).toEqual([session!.id]);
    expect((await sessionsOf(user.accessToken, "?source=playground")).map(({ id }) => id)).toEqual([other!.id]);

    const detail = await call("GET", `/playground/sessions/${session!.id}`, { token: user.accessToken });
    expect(detail.status).toBe(200);
    const { conversations } = (await jsonOf(detail)).session;
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({
      modelName: "gpt-4o",
      userPrompt: prompt,
      response: "kept",
      inputTokens: 40,
      outputTokens: 10,
      status: "completed",
      estimated: false,
    });
    expect(conversations[0].cost).toBeCloseTo(costOf(40, 10), 10);

    const usage = await jsonOf(await call("GET", "/playground/usage", { token: key }));
    expect(usage.byModel.find((row: { model: string }) => row.model === "gpt-4o")).toMatchObject({
      requests: 1,
      inputTokens: 40,
      outputTokens: 10,
    });
    expect(usage.totals.requests).toBe(2);
    expect(usage.totals.cost).toBeCloseTo(costOf(40, 10), 10);
    expect(usage.spend.usedUsd).toBeCloseTo(costOf(40, 10), 10);
    expect(usage.spend.reservedUsd).toBe(0);
  });

  it("streamed as well", async () => {
    const { user, key } = await keyHolder();
    const upstream = await script({ "gpt-4o": { chunks: ["streamed", " and", " kept"], usage: { prompt: 12, completion: 3 } } });
    const stream = await openAIClient(key).chat.completions.create({
      model: "gpt-4o",
      messages: [{ role: "user", content: `stream it ${upstream.tag}` }],
      stream: true,
    });
    for await (const _ of stream);
    const [session] = await sessionsOf(user.accessToken, "?source=api");
    expect(session).toMatchObject({ source: "api", status: "completed" });
    expect(session!.totalCost).toBeCloseTo(costOf(12, 3), 10);
    const { conversations } = (await jsonOf(await call("GET", `/playground/sessions/${session!.id}`, { token: user.accessToken }))).session;
    expect(conversations).toEqual([expect.objectContaining({ response: "streamed and kept", status: "completed" })]);
  });
});

describe("errors, as the SDK's own", () => {
  it("are AuthenticationError for a bad key, a revoked key and no key", async () => {
    const { user, key, keyId } = await keyHolder();
    const chat = chatBody("hello");
    for (const credential of ["mpk_not-a-real-key", "sk-proj-something", "not even a token"]) {
      const error = await failureOf(openAIClient(credential).chat.completions.create(chat));
      expect(error).toBeInstanceOf(AuthenticationError);
      expect(error).toMatchObject({ status: 401, type: "authentication_error", code: "invalid_api_key" });
    }

    expect((await call("DELETE", `/auth/api-keys/${keyId}`, { token: user.accessToken })).status).toBe(204);
    const revoked = await failureOf(openAIClient(key).chat.completions.create(chat));
    expect(revoked).toBeInstanceOf(AuthenticationError);
    expect(revoked).toMatchObject({ status: 401, type: "authentication_error", code: "invalid_api_key" });
    expect(await failureOf(openAIClient(key).models.list())).toBeInstanceOf(AuthenticationError);

    const keyless = openAIClient("dropped", (input, init) => {
      const request = new Request(input, init);
      request.headers.delete("Authorization");
      return exports.default.fetch(request);
    });
    const none = await failureOf(keyless.chat.completions.create(chat));
    expect(none).toBeInstanceOf(AuthenticationError);
    expect(none).toMatchObject({ status: 401, type: "authentication_error", code: "invalid_api_key" });
    expect(none.requestID).toMatch(/^[0-9a-f-]{36}$/);
  });

  it.each([
    ["tools", { tools: [{ type: "function", function: { name: "lookup", parameters: {} } }] }, "tools"],
    ["n: 2", { n: 2 }, "n"],
    ["logprobs: true", { logprobs: true }, "logprobs"],
    ["response_format json_object", { response_format: { type: "json_object" } }, "response_format"],
    ["audio", { audio: { voice: "alloy", format: "mp3" } }, "audio"],
    ["modalities with audio", { modalities: ["text", "audio"] }, "modalities"],
  ])("are BadRequestError unsupported_parameter for %s", async (_, extra, param) => {
    const { key } = await keyHolder();
    const error = await failureOf(openAIClient(key).chat.completions.create({ ...chatBody("hello"), ...extra } as ChatParams));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, type: "invalid_request_error", code: "unsupported_parameter", param });
    expect(error.message).toContain(param);
  });

  it("are BadRequestError unsupported_parameter for an image part, naming where it is", async () => {
    const { key } = await keyHolder();
    const error = await failureOf(
      openAIClient(key).chat.completions.create({
        model: "local/echo",
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this?" },
              { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
            ],
          },
        ],
      }),
    );
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error).toMatchObject({ status: 400, code: "unsupported_parameter" });
    expect(error.param).toMatch(/^messages\[0\]\.content\[1\]/);
    expect(error.message).toContain("image_url");
  });

  it("leave the same parameters at their neutral values alone, as SDKs send them", async () => {
    const { key } = await keyHolder();
    const completion = await openAIClient(key).chat.completions.create({
      model: "local/echo",
      messages: [{ role: "user", content: [{ type: "text", text: "neutral values" }] }],
      tools: [],
      n: 1,
      logprobs: false,
      response_format: { type: "text" },
      modalities: ["text"],
      // A field a client adds of its own.
      some_client_field: "ignored",
    } as ChatParams);
    expect(completion.choices[0]!.message.content).toBe("neutral values");
  });

  it("are BadRequestError for missing messages and an invalid temperature", async () => {
    const { key } = await keyHolder();
    const client = openAIClient(key);
    const missing = await failureOf(client.chat.completions.create({ model: "local/echo" } as ChatParams));
    expect(missing).toBeInstanceOf(BadRequestError);
    expect(missing).toMatchObject({ status: 400, type: "invalid_request_error", code: "missing_required_parameter", param: "messages" });

    const hot = await failureOf(client.chat.completions.create({ ...chatBody("hello"), temperature: 3 }));
    expect(hot).toBeInstanceOf(BadRequestError);
    expect(hot).toMatchObject({ status: 400, code: "invalid_value", param: "temperature" });
  });

  it("are NotFoundError for a model that is not here", async () => {
    const { key } = await keyHolder();
    const error = await failureOf(
      openAIClient(key).chat.completions.create({ model: "nope", messages: [{ role: "user", content: "hi" }] }),
    );
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error).toMatchObject({ status: 404, type: "invalid_request_error", code: "model_not_found", param: "model" });
  });

  it("are RateLimitError rate_limit_exceeded over the stream rate limit, with Retry-After", async () => {
    const { key } = await keyHolder();
    const { client } = clientWithEnv(key, { RATE_LIMIT_MAX_REQUESTS: "1" });
    const { response } = await client.chat.completions.create(chatBody("the one allowed")).withResponse();
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("0");

    const error = await failureOf(client.chat.completions.create(chatBody("one too many")));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, code: "rate_limit_exceeded" });
    expect(error.headers!.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(error.headers!.get("x-ratelimit-limit-requests")).toBe("1");
    expect(error.headers!.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(error.headers!.get("x-ratelimit-reset-requests")).toMatch(/^\d+s$/);
  });

  it("are RateLimitError insufficient_quota over the spend limit, and nothing reaches the model", async () => {
    const { key } = await keyHolder();
    const upstream = await script({ "*": { chunks: ["never"] } });
    const { client } = clientWithEnv(key, { SPEND_LIMIT_USD: "0.000001" });
    const error = await failureOf(
      client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `costly ${upstream.tag}` }] }),
    );
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ status: 429, type: "insufficient_quota", code: "insufficient_quota" });
    expect(await upstream.requests()).toEqual([]);
  });

  it.each([500, 401])("are a 502 upstream_error when the model fails with %i before any chunk, whole or streamed", async (status) => {
    const { key } = await keyHolder();
    const upstream = await script({ "gpt-4o": { fail: { status } } });
    const client = openAIClient(key);
    const messages = [{ role: "user" as const, content: `fail ${upstream.tag}` }];

    const whole = await failureOf(client.chat.completions.create({ model: "gpt-4o", messages }));
    expect(whole).toBeInstanceOf(InternalServerError);
    expect(whole).toMatchObject({ status: 502, type: "server_error", code: "upstream_error" });

    const streamed = await failureOf(client.chat.completions.create({ model: "gpt-4o", messages, stream: true }));
    expect(streamed).toBeInstanceOf(InternalServerError);
    expect(streamed).toMatchObject({ status: 502, code: "upstream_error" });

    const raw = await call("POST", "/v1/chat/completions", { token: key, body: { model: "gpt-4o", messages, stream: true } });
    expect(raw.status).toBe(502);
    expect(raw.headers.get("Content-Type")).toMatch(/^application\/json/);
    const text = await raw.text();
    expect(JSON.parse(text).error).toMatchObject({ type: "server_error", code: "upstream_error" });
    for (const said of [text, whole.message, JSON.stringify(whole.error), streamed.message]) expect(said).not.toContain(UPSTREAM_API_KEY);
  });

  it("end an open stream with an error line and no [DONE] when the model fails midway; the SDK throws", async () => {
    const { key } = await keyHolder();
    const upstream = await script({ "gpt-4o": { chunks: ["half", " an", " answer"], errorAfter: 2 } });
    const messages = [{ role: "user" as const, content: `midway ${upstream.tag}` }];

    const raw = await call("POST", "/v1/chat/completions", { token: key, body: { model: "gpt-4o", messages, stream: true } });
    expect(raw.status).toBe(200);
    const text = await raw.text();
    expect(text).not.toContain("[DONE]");
    expect(text).not.toContain(UPSTREAM_API_KEY);
    const data = text
      .split("\n\n")
      .filter((block) => block !== "")
      .map((block) => JSON.parse(block.replace(/^data: /, "")));
    expect(data.at(-1)).toEqual({ error: expect.objectContaining({ message: expect.any(String), type: "server_error" }) });
    expect(
      data
        .slice(0, -1)
        .map((chunk) => chunk.choices[0].delta.content)
        .join(""),
    ).toBe("half an");

    const stream = await openAIClient(key).chat.completions.create({ model: "gpt-4o", messages, stream: true });
    const received: string[] = [];
    const failure = await (async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? "");
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(APIError);
    expect(received.join("")).toBe("half an");
  });
});

describe("a client that stops", () => {
  it("aborts the upstream, and the call is kept as cancelled", async () => {
    const { user, key } = await keyHolder();
    const upstream = await script({ "gpt-4o": { chunks: ["first", " second", " third", " fourth", " fifth"], chunkDelayMs: 200 } });
    const { client, settled } = clientWithEnv(key, {});
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: "gpt-4o", messages: [{ role: "user", content: `stop me ${upstream.tag}` }], stream: true },
      { signal: controller.signal },
    );
    const chunks = stream[Symbol.asyncIterator]();
    let content = "";
    while (content === "") content = (await chunks.next()).value?.choices[0]?.delta.content ?? "";
    expect(content).toBe("first");
    controller.abort();

    expect((await upstream.requests("gpt-4o")).find((request) => request.model === "gpt-4o")).toMatchObject({ closedEarly: true });
    await settled();
    const [session] = await sessionsOf(user.accessToken, "?source=api");
    expect(session).toMatchObject({ source: "api", status: "partial" });
    const detail = await jsonOf(await call("GET", `/playground/sessions/${session!.id}`, { token: user.accessToken }));
    expect(detail.session.conversations).toHaveLength(1);
    const [conversation] = detail.session.conversations;
    expect(conversation).toMatchObject({ modelName: "gpt-4o", status: "cancelled" });
    expect(conversation.response.startsWith("first")).toBe(true);
    expect(conversation.response).not.toBe("first second third fourth fifth");
    const usage = await jsonOf(await call("GET", "/playground/usage", { token: user.accessToken }));
    expect(usage.spend.reservedUsd).toBe(0);
    expect(usage.spend.usedUsd).toBeCloseTo(conversation.cost, 10);
  });
});

describe("the spend limit through /v1", () => {
  it("admits exactly the calls whose reservations fit, out of 12 at once, and never spends over it", async () => {
    const { user, key } = await keyHolder();
    const maxTokens = 100;
    // Slow enough that all 12 are decided while the admitted ones run; each costs most of what it
    // reserved, so even a late one would find no room once they settled.
    const upstream = await script({
      "gpt-4o": { chunks: ["counted"], firstChunkDelayMs: 300, usage: { prompt: 20, completion: maxTokens } },
    });
    const messages: Message[] = [
      { role: "system", content: "Count the calls." },
      { role: "user", content: `one of twelve ${upstream.tag}` },
    ];
    const units = reservedUnits(messages, maxTokens);
    expect(costOf(20, maxTokens) * 1e10).toBeGreaterThan(units / 2);
    const fits = 3;
    const limitUsd = Number((((fits + 0.5) * units) / 1e10).toFixed(10));
    const settings = { SPEND_LIMIT_USD: String(limitUsd) };
    const { client, settled } = clientWithEnv(key, settings);

    const outcomes = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        client.chat.completions.create({
          model: "gpt-4o",
          messages: messages as OpenAI.Chat.Completions.ChatCompletionMessageParam[],
          max_completion_tokens: maxTokens,
        }),
      ),
    );
    await settled();
    expect(outcomes.filter((outcome) => outcome.status === "fulfilled")).toHaveLength(fits);
    const refused = outcomes.flatMap((outcome) => (outcome.status === "rejected" ? [outcome.reason] : []));
    expect(refused).toHaveLength(12 - fits);
    for (const error of refused) {
      expect(error).toBeInstanceOf(RateLimitError);
      expect(error).toMatchObject({ status: 429, type: "insufficient_quota", code: "insufficient_quota" });
    }
    expect(await upstream.requests()).toHaveLength(fits);

    const { response } = await callWithEnv(
      settings,
      new Request(`${BASE}/playground/usage`, { headers: { Authorization: `Bearer ${key}` } }),
    );
    expect(response.status).toBe(200);
    const { spend } = await jsonOf(response);
    expect(spend).toMatchObject({ limitUsd, reservedUsd: 0 });
    expect(spend.usedUsd).toBeLessThanOrEqual(limitUsd);
    expect(spend.usedUsd).toBeCloseTo(fits * costOf(20, maxTokens), 10);
    expect(await sessionsOf(user.accessToken, "?source=api")).toHaveLength(fits);
  });
});

describe("an access token", () => {
  it("works as the SDK's apiKey too", async () => {
    const user = await registerUser();
    const client = openAIClient(user.accessToken);
    expect((await client.models.list()).data.map((model) => model.id)).toContain("local/echo");
    const completion = await client.chat.completions.create(chatBody("with a token"));
    expect(completion.choices[0]!.message.content).toBe("with a token");
    expect(await sessionsOf(user.accessToken, "?source=api")).toHaveLength(1);
  });
});
