import { describe, expect, it, vi } from "vitest";
import { call, jsonOf, registerUser } from "../helpers/api.ts";
import { callWithEnv, type Event, eventsOf, ofType, postStream, readEvents, script, sessionOf, streamRequest } from "../helpers/stream.ts";

const GPT4O = { input: 2.5, cached: 1.25, output: 10 };
const GPT4O_MINI = { input: 0.15, cached: 0.075, output: 0.6 };

/** The events of one model, in order, as `type[:status]` labels. */
const labels = (events: Event[], model: string) =>
  events.filter((event) => event.model === model).map((event) => (event.type === "status" ? `status:${event.status}` : event.type));

describe("the stream", () => {
  it("streams two models side by side, in the contract's order, and stores the session", async () => {
    const user = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["Hello", " from", " 4o"], chunkDelayMs: 30, usage: { prompt: 10, completion: 3 } },
      "gpt-4o-mini": { chunks: ["Hi", " from", " mini"], firstChunkDelayMs: 15, chunkDelayMs: 30, usage: { prompt: 10, completion: 3 } },
    });
    const response = await postStream(user.accessToken, { prompt: `Say hello ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] });

    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toContain("text/event-stream");
    expect(response.headers.get("Cache-Control")).toContain("no-cache");
    expect(response.headers.get("X-Accel-Buffering")).toBe("no");
    const events = await readEvents(response);

    expect(events.map((event) => event.id)).toEqual(events.map((_, index) => index + 1));
    expect(events[0]).toMatchObject({ type: "session", sessionId: expect.any(String) });
    expect(events.at(-1)).toMatchObject({ type: "done", sessionId: events[0]!.sessionId });
    for (const model of ["gpt-4o", "gpt-4o-mini"]) {
      expect(labels(events, model)).toEqual(["status:streaming", "chunk", "chunk", "chunk", "metrics", "status:completed"]);
    }
    const chunkModels = ofType(events, "chunk").map((event) => event.model);
    expect(chunkModels.slice(0, 4)).toContain("gpt-4o-mini");
    expect(chunkModels.slice(0, 4)).toContain("gpt-4o");
    expect(
      ofType(events, "chunk", "gpt-4o")
        .map((event) => event.content)
        .join(""),
    ).toBe("Hello from 4o");
    for (const chunk of ofType(events, "chunk")) expect(chunk.timestamp).toBeGreaterThan(Date.now() - 60_000);

    const { status, body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(status).toBe(200);
    expect(session).toMatchObject({ prompt: `Say hello ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"], status: "completed" });
    const byModel = Object.fromEntries(
      session.conversations.map((conversation: { modelName: string }) => [conversation.modelName, conversation]),
    );
    expect(byModel["gpt-4o"]).toMatchObject({
      response: "Hello from 4o",
      status: "completed",
      inputTokens: 10,
      outputTokens: 3,
      estimated: false,
      error: null,
    });
    expect(byModel["gpt-4o-mini"]).toMatchObject({ response: "Hi from mini", status: "completed" });
  });

  it("keeps every character, multi-byte ones split across network packets included", async () => {
    const user = await registerUser();
    const chunks = ["Grüße ", "aus ", "東京 ", "🎉🎉", " naïve ", '"quoted"\nnew line', " ok"];
    const upstream = await script({ "gpt-4o-mini": { chunks, splitBytes: true } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o-mini"] }));
    expect(ofType(events, "chunk").map((event) => event.content)).toEqual(chunks);
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.conversations[0].response).toBe(chunks.join(""));
  });

  it("reads an upstream that ends lines with CRLF and sends comments", async () => {
    const user = await registerUser();
    const chunks = ["line one\n", "line two", " — done"];
    const upstream = await script({ "gpt-4o": { chunks, crlf: true, splitBytes: true, usage: { prompt: 3, completion: 3 } } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }));
    expect(ofType(events, "chunk").map((event) => event.content)).toEqual(chunks);
    expect(ofType(events, "metrics")[0]).toMatchObject({ estimated: false, inputTokens: 3, outputTokens: 3 });
    expect(ofType(events, "status").at(-1)).toMatchObject({ status: "completed" });
  });

  it("reports the upstream's usage exactly and prices cached input at the cached rate", async () => {
    const user = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["a"], usage: { prompt: 1_000, completion: 500, cached: 400, reasoning: 120 } },
      "gpt-4o-mini": { chunks: ["b"], usage: { prompt: 2_000_000, completion: 1_000_000 } },
    });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] }));
    const [big] = ofType(events, "metrics", "gpt-4o");
    const fourOCost = (600 * GPT4O.input + 400 * GPT4O.cached + 500 * GPT4O.output) / 1_000_000;
    expect(big).toMatchObject({ inputTokens: 1_000, outputTokens: 500, tokensUsed: 1_500, estimated: false });
    expect(big!.cost).toBeCloseTo(fourOCost, 10);
    const [mini] = ofType(events, "metrics", "gpt-4o-mini");
    expect(mini!.cost).toBeCloseTo(2 * GPT4O_MINI.input + GPT4O_MINI.output, 10);

    const [done] = ofType(events, "done");
    expect(done!.totalTokens).toBe(1_500 + 3_000_000);
    expect(done!.totalCost).toBeCloseTo(fourOCost + 2 * GPT4O_MINI.input + GPT4O_MINI.output, 10);

    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    const stored = session.conversations.find((conversation: { modelName: string }) => conversation.modelName === "gpt-4o");
    expect(stored).toMatchObject({ cachedTokens: 400, reasoningTokens: 120, inputTokens: 1_000, outputTokens: 500 });
    expect(stored.cost).toBeCloseTo(fourOCost, 10);
    expect(session.totalTokens).toBe(done!.totalTokens);
    expect(session.totalCost).toBeCloseTo(done!.totalCost, 10);
  });

  it("estimates usage where the upstream reports none, and says so", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["12345678", "1234"], usage: false } });
    const prompt = `${"p".repeat(40 - upstream.tag.length - 1)} ${upstream.tag}`;
    const events = await readEvents(await postStream(user.accessToken, { prompt, models: ["gpt-4o"] }));
    const [metrics] = ofType(events, "metrics");
    expect(metrics).toMatchObject({ estimated: true, inputTokens: 10, outputTokens: 3, tokensUsed: 13 });
    expect(metrics!.cost).toBeCloseTo((10 * GPT4O.input + 3 * GPT4O.output) / 1_000_000, 12);
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.conversations[0]).toMatchObject({ estimated: true, inputTokens: 10, outputTokens: 3 });
  });
});

describe("failures", () => {
  it("reports one failing model while the other completes", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 401 } }, "gpt-4o-mini": { chunks: ["fine"] } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] }));
    expect(labels(events, "gpt-4o")).toEqual(["error", "status:error"]);
    expect(ofType(events, "error", "gpt-4o")[0]).toMatchObject({ code: "UPSTREAM_AUTH" });
    expect(JSON.stringify(events)).not.toContain("sk-test");
    expect(labels(events, "gpt-4o-mini")).toEqual(["status:streaming", "chunk", "metrics", "status:completed"]);
    expect(events.at(-1)!.type).toBe("done");
    expect((await upstream.requests()).filter((request) => request.model === "gpt-4o")).toHaveLength(1);

    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.status).toBe("partial");
    const failed = session.conversations.find((conversation: { modelName: string }) => conversation.modelName === "gpt-4o");
    expect(failed).toMatchObject({ status: "error", response: "", inputTokens: 0, cost: 0 });
    expect(failed.error).toContain("credentials");
  });

  it("retries a 429 before the first chunk, honouring retry-after, then streams", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o-mini": { fail: { status: 429, times: 1, retryAfter: "0" }, chunks: ["after", " retry"] } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o-mini"] }));
    expect(labels(events, "gpt-4o-mini")).toEqual(["status:streaming", "chunk", "chunk", "metrics", "status:completed"]);
    expect(await upstream.requests()).toHaveLength(2);
  });

  it("gives up on a 5xx after a bounded number of retries", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o-mini": { fail: { status: 500, retryAfter: "0" } } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o-mini"] }));
    expect(ofType(events, "error")[0]).toMatchObject({ code: "UPSTREAM_ERROR" });
    expect(await upstream.requests()).toHaveLength(3);
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.status).toBe("failed");
  });

  it("reports a rate-limited upstream as UPSTREAM_RATE_LIMITED once retries are spent", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o-mini": { fail: { status: 429, retryAfter: "0" } } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o-mini"] }));
    expect(ofType(events, "error")[0]).toMatchObject({ code: "UPSTREAM_RATE_LIMITED" });
  });

  it("treats a stream cut without a finish reason as an error, keeping what came", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["one", " two", " three"], cutAfter: 2 } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }));
    expect(labels(events, "gpt-4o")).toEqual(["status:streaming", "chunk", "chunk", "error", "metrics", "status:error"]);
    expect(ofType(events, "error")[0]).toMatchObject({ code: "UPSTREAM_ERROR" });
    expect(ofType(events, "metrics")[0]).toMatchObject({ estimated: true, outputTokens: 2 });
    expect(await upstream.requests()).toHaveLength(1);
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.conversations[0]).toMatchObject({ status: "error", response: "one two", estimated: true });
  });

  it("passes on the upstream's reason for a 400, without retrying", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 400 } } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }));
    const [error] = ofType(events, "error");
    expect(error).toMatchObject({ code: "UPSTREAM_ERROR" });
    expect(error!.message).toContain("Unsupported parameter");
    expect(await upstream.requests()).toHaveLength(1);
  });

  it("does not retry after the first chunk", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["partial", " answer"], cutAfter: 1 } });
    await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }));
    expect(await upstream.requests()).toHaveLength(1);
  });

  it("waits as long as retry-after asks before trying again", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o-mini": { fail: { status: 503, times: 1, retryAfter: "1" }, chunks: ["later"] } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o-mini"] }));
    expect(ofType(events, "status", "gpt-4o-mini").at(-1)).toMatchObject({ status: "completed" });
    const [first, second] = await upstream.requests();
    expect(second!.receivedAt - first!.receivedAt).toBeGreaterThanOrEqual(1_000);
  });

  it("reports an error event inside the stream once, keeping the text before it", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["half", " an", " answer"], errorAfter: 2 } });
    const events = await readEvents(await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }));
    expect(labels(events, "gpt-4o")).toEqual(["status:streaming", "chunk", "chunk", "error", "metrics", "status:error"]);
    expect(ofType(events, "error")[0]).toMatchObject({ code: "UPSTREAM_ERROR", message: expect.stringContaining("server had an error") });
    expect(await upstream.requests()).toHaveLength(1);
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.conversations[0]).toMatchObject({ status: "error", response: "half an", estimated: true });
  });

  it("retries an upstream that cannot be reached, then says so", async () => {
    const user = await registerUser();
    const { response, settled } = await callWithEnv(
      { OPENAI_BASE_URL: "http://127.0.0.1:9/v1" },
      streamRequest(user.accessToken, { prompt: "anyone there?", models: ["gpt-4o-mini", "local/echo"] }),
    );
    const events = await readEvents(response);
    await settled();
    expect(ofType(events, "error", "gpt-4o-mini")[0]).toMatchObject({
      code: "UPSTREAM_ERROR",
      message: "the upstream could not be reached",
    });
    expect(ofType(events, "status", "local/echo").at(-1)).toMatchObject({ status: "completed" });
    expect(JSON.stringify(events)).not.toContain("127.0.0.1");
  });
});

describe("a client that leaves", () => {
  it("aborts the upstream requests and keeps the partial answers as cancelled", async () => {
    const user = await registerUser();
    const upstream = await script({
      "gpt-4o": { chunks: ["first", " second", " third", " fourth"], chunkDelayMs: 5_000 },
      "gpt-4o-mini": { chunks: ["slow"], headersDelayMs: 5_000 },
    });
    const response = await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] });
    let sessionId = "";
    for await (const event of eventsOf(response)) {
      if (event.type === "session") sessionId = event.sessionId;
      if (event.type === "chunk") break;
    }

    const received = await upstream.requests("gpt-4o");
    expect(received.find((request) => request.model === "gpt-4o")).toMatchObject({ closedEarly: true });
    expect((await upstream.requests("gpt-4o-mini")).find((request) => request.model === "gpt-4o-mini")).toMatchObject({
      closedEarly: true,
    });

    const session = await vi.waitFor(async () => {
      const { body } = await sessionOf(user.accessToken, sessionId);
      expect(body.conversations).toHaveLength(2);
      return body;
    });
    expect(session.status).toBe("partial");
    const byModel = Object.fromEntries(
      session.conversations.map((conversation: { modelName: string }) => [conversation.modelName, conversation]),
    );
    expect(byModel["gpt-4o"]).toMatchObject({ status: "cancelled", response: "first", estimated: true, outputTokens: 2 });
    expect(byModel["gpt-4o"].cost).toBeGreaterThan(0);
    expect(byModel["gpt-4o-mini"]).toMatchObject({ status: "cancelled", response: "", inputTokens: 0, cost: 0 });
  });
});

describe("time limits and keep-alive", () => {
  it("fails a model with no first token in time, and closes its upstream", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { headersDelayMs: 10_000 }, "gpt-4o-mini": { chunks: ["quick"] } });
    const { response, settled } = await callWithEnv(
      { FIRST_TOKEN_TIMEOUT_SECONDS: "1" },
      streamRequest(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-4o-mini"] }),
    );
    const events = await readEvents(response);
    await settled();
    expect(ofType(events, "error", "gpt-4o")[0]).toMatchObject({ code: "TIMEOUT" });
    expect(ofType(events, "status", "gpt-4o-mini").at(-1)).toMatchObject({ status: "completed" });
    expect((await upstream.requests("gpt-4o")).find((request) => request.model === "gpt-4o")).toMatchObject({ closedEarly: true });
  });

  it("fails a model that does not finish in time, keeping what it sent", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["a", "b", "c", "d", "e"], chunkDelayMs: 400 } });
    const { response, settled } = await callWithEnv(
      { STREAM_TIMEOUT_SECONDS: "1" },
      streamRequest(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }),
    );
    const events = await readEvents(response);
    await settled();
    expect(ofType(events, "error")[0]).toMatchObject({ code: "TIMEOUT" });
    const sent = ofType(events, "chunk")
      .map((event) => event.content)
      .join("");
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(5);
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    expect(session.conversations[0]).toMatchObject({ status: "error", response: sent });
  });

  it("sends a ping comment while nothing else flows", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["late"], firstChunkDelayMs: 2_500 } });
    const { response, settled } = await callWithEnv(
      { PING_INTERVAL_SECONDS: "1" },
      streamRequest(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o"] }),
    );
    const text = await response.text();
    await settled();
    expect(text).toMatch(/\n: ping\n\n/);
    expect(text).toContain('"type":"done"');
  });
});

describe("parameters and history", () => {
  it("sends system, temperature and maxTokens upstream", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    const response = await postStream(user.accessToken, {
      prompt: `x ${upstream.tag}`,
      models: ["gpt-4o"],
      system: "You are terse.",
      temperature: 0.3,
      maxTokens: 55,
    });
    await readEvents(response);
    const [request] = await upstream.requests();
    expect(request!.body).toMatchObject({
      model: "gpt-4o",
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.3,
      max_completion_tokens: 55,
      messages: [
        { role: "system", content: "You are terse." },
        { role: "user", content: `x ${upstream.tag}` },
      ],
    });
  });

  it("bounds every model's output: DEFAULT_MAX_TOKENS, never above the model's own maximum", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    const { response, settled } = await callWithEnv(
      { DEFAULT_MAX_TOKENS: "8000" },
      streamRequest(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-4o", "gpt-3.5-turbo"] }),
    );
    await readEvents(response);
    await settled();
    const sent = Object.fromEntries((await upstream.requests()).map((request) => [request.model, request.body.max_completion_tokens]));
    expect(sent).toEqual({ "gpt-4o": 8000, "gpt-3.5-turbo": 4096 });
    const { body: session } = await sessionOf(
      user.accessToken,
      (await readEvents(await postStream(user.accessToken, { prompt: "y", models: ["local/echo"] })))[0]!.sessionId,
    );
    expect(session.conversations[0].maxTokens).toBe(4096);
  });

  it("lowers a request's maxTokens to each model's own maximum, sent and reserved so", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"], usage: { prompt: 10, completion: 1 } } });
    // 600,000 output tokens of gpt-4o would cost $6, over the whole $5 limit; it writes at most 16,384.
    const response = await postStream(user.accessToken, {
      prompt: `big ${upstream.tag}`,
      models: ["gpt-4o", "gpt-3.5-turbo"],
      maxTokens: 600_000,
    });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events.at(-1)).toMatchObject({ type: "done" });
    const sent = Object.fromEntries((await upstream.requests()).map((request) => [request.model, request.body.max_completion_tokens]));
    expect(sent).toEqual({ "gpt-4o": 16_384, "gpt-3.5-turbo": 4096 });
    const { body: session } = await sessionOf(user.accessToken, events[0]!.sessionId);
    const bounds = Object.fromEntries(
      session.conversations.map((row: { modelName: string; maxTokens: number }) => [row.modelName, row.maxTokens]),
    );
    expect(bounds).toEqual({ "gpt-4o": 16_384, "gpt-3.5-turbo": 4096 });
  });

  it("sends no temperature to a reasoning model, which refuses one", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    await readEvents(
      await postStream(user.accessToken, { prompt: `x ${upstream.tag}`, models: ["gpt-5-mini"], temperature: 0.2, maxTokens: 9 }),
    );
    const [request] = await upstream.requests();
    expect(request!.body).not.toHaveProperty("temperature");
    expect(request!.body).toMatchObject({ model: "gpt-5-mini", max_completion_tokens: 9 });
  });

  it("gives each model its own earlier turns when a session goes on", async () => {
    const user = await registerUser();
    const first = await script({ "gpt-4o": { chunks: ["4o first"] }, "gpt-4o-mini": { chunks: ["mini first"] } });
    const opening = await readEvents(await postStream(user.accessToken, { prompt: `one ${first.tag}`, models: ["gpt-4o", "gpt-4o-mini"] }));
    const sessionId = opening[0]!.sessionId;

    const second = await script({ "*": { chunks: ["again"] } });
    const events = await readEvents(
      await postStream(user.accessToken, { prompt: `two ${second.tag}`, models: ["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano"], sessionId }),
    );
    expect(events[0]).toMatchObject({ type: "session", sessionId });
    const sent = Object.fromEntries((await second.requests()).map((request) => [request.model, request.body.messages]));
    expect(sent["gpt-4o"]).toEqual([
      { role: "user", content: `one ${first.tag}` },
      { role: "assistant", content: "4o first" },
      { role: "user", content: `two ${second.tag}` },
    ]);
    expect(sent["gpt-4o-mini"]).toEqual([
      { role: "user", content: `one ${first.tag}` },
      { role: "assistant", content: "mini first" },
      { role: "user", content: `two ${second.tag}` },
    ]);
    expect(sent["gpt-4.1-nano"]).toEqual([{ role: "user", content: `two ${second.tag}` }]);

    const { body: session } = await sessionOf(user.accessToken, sessionId);
    expect(session.models).toEqual(["gpt-4o", "gpt-4o-mini", "gpt-4.1-nano"]);
    expect(session.conversations).toHaveLength(5);
    expect(session.prompt).toBe(`one ${first.tag}`);
  });

  it("refuses to go on with another user's session", async () => {
    const owner = await registerUser();
    const stranger = await registerUser();
    const events = await readEvents(await postStream(owner.accessToken, { prompt: "hi", models: ["local/echo"] }));
    const response = await postStream(stranger.accessToken, {
      prompt: "mine now",
      models: ["local/echo"],
      sessionId: events[0]!.sessionId,
    });
    expect(response.status).toBe(404);
    expect((await jsonOf(response)).error.code).toBe("NOT_FOUND");
  });
});

describe("the EventSource form", () => {
  it("takes the query and the token parameter", async () => {
    const user = await registerUser();
    const response = await call(
      "GET",
      `/playground/stream?prompt=${encodeURIComponent("Hello world")}&models=local/echo,gpt-4o-mini&token=${user.accessToken}`,
    );
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(
      ofType(events, "chunk", "local/echo")
        .map((event) => event.content)
        .join(""),
    ).toBe("Hello world");
    expect(events.at(-1)!.type).toBe("done");
  });

  it("runs the offline models with no key, within maxTokens", async () => {
    const user = await registerUser();
    const response = await call(
      "GET",
      `/playground/stream?prompt=one+two+three&models=local/echo,local/lorem&maxTokens=2&token=${user.accessToken}`,
    );
    const events = await readEvents(response);
    expect(ofType(events, "chunk", "local/echo").map((event) => event.content)).toEqual(["one ", "two "]);
    expect(ofType(events, "chunk", "local/lorem")).toHaveLength(2);
    expect(ofType(events, "metrics", "local/echo")[0]).toMatchObject({ outputTokens: 2, estimated: false, cost: 0 });
    expect(ofType(events, "status").filter((event) => event.status === "completed")).toHaveLength(2);
  });

  it("answers a reconnect with Last-Event-ID by 204, starting nothing", async () => {
    const user = await registerUser();
    const response = await call("GET", `/playground/stream?prompt=again&models=local/echo&token=${user.accessToken}`, {
      headers: { "Last-Event-ID": "7" },
    });
    expect(response.status).toBe(204);
    const sessions = await jsonOf(await call("GET", "/playground/sessions", { token: user.accessToken }));
    expect(sessions.sessions).toHaveLength(0);
  });
});

describe("bad input", () => {
  it.each([
    ["an empty prompt", { prompt: "", models: ["local/echo"] }, "prompt"],
    ["a prompt over 32,000 characters", { prompt: "x".repeat(32_001), models: ["local/echo"] }, "prompt"],
    ["no models", { prompt: "hi", models: [] }, "models"],
    ["seven models", { prompt: "hi", models: ["a", "b", "c", "d", "e", "f", "g"] }, "models"],
    ["a model named twice", { prompt: "hi", models: ["local/echo", "local/echo"] }, "models"],
    ["a temperature above 2", { prompt: "hi", models: ["local/echo"], temperature: 2.5 }, "temperature"],
    ["a fractional maxTokens", { prompt: "hi", models: ["local/echo"], maxTokens: 1.5 }, "maxTokens"],
    ["a malformed sessionId", { prompt: "hi", models: ["local/echo"], sessionId: "nope" }, "sessionId"],
  ])("refuses %s with 400", async (_, body, path) => {
    const user = await registerUser();
    const response = await call("POST", "/playground/stream", { token: user.accessToken, body });
    expect(response.status).toBe(400);
    const error = (await jsonOf(response)).error;
    expect(error.code).toBe("VALIDATION_FAILED");
    expect(error.details.map((detail: { path: string }) => detail.path)).toContain(path);
  });

  it("refuses an unknown model with UNKNOWN_MODEL", async () => {
    const user = await registerUser();
    const response = await postStream(user.accessToken, { prompt: "hi", models: ["local/echo", "gpt-9000"] });
    expect(response.status).toBe(400);
    const error = (await jsonOf(response)).error;
    expect(error.code).toBe("UNKNOWN_MODEL");
    expect(error.message).toContain("gpt-9000");
  });

  it("refuses the GET form's bad query the same way", async () => {
    const user = await registerUser();
    const response = await call("GET", `/playground/stream?prompt=hi&models=&token=${user.accessToken}`);
    expect(response.status).toBe(400);
    expect((await jsonOf(response)).error.code).toBe("VALIDATION_FAILED");
  });

  it("refuses a stream without a token", async () => {
    const response = await call("GET", "/playground/stream?prompt=hi&models=local/echo");
    expect(response.status).toBe(401);
  });
});
