import { describe, expect, it, vi } from "vitest";
import { BASE, jsonOf, registerUser } from "../helpers/api.ts";
import { countedBy, setClock } from "../helpers/meter.ts";
import { callWithEnv, eventsOf, readEvents, script, sessionOf, streamRequest } from "../helpers/stream.ts";

/** gpt-4o's prices, US dollars per million tokens. */
const GPT4O = { input: 2.5, output: 10 };

/**
 * What the API reserves for a one-message stream to gpt-4o, in units of 10⁻¹⁰ USD: every byte of
 * the prompt counted as a token, 8 tokens for the message and 8 for the request, at the input
 * price, and every output token allowed at the output price, rounded up.
 */
const reservedUnits = (prompt: string, maxTokens: number) =>
  Math.ceil((((new TextEncoder().encode(prompt).length + 16) * GPT4O.input + maxTokens * GPT4O.output) / 1_000_000) * 1e10);

const usdOf = (units: number) => units / 1e10;
const costOf = (prompt: number, completion: number) => (prompt * GPT4O.input + completion * GPT4O.output) / 1_000_000;

/** A stream to gpt-4o under these settings; read to its end when admitted. */
async function spendStream(token: string, settings: Record<string, string>, prompt: string, maxTokens: number) {
  const { response, settled } = await callWithEnv(settings, streamRequest(token, { prompt, models: ["gpt-4o"], maxTokens }));
  const events = response.status === 200 ? await readEvents(response) : [];
  await settled();
  return { response, events };
}

async function spendState(token: string, settings: Record<string, string> = {}) {
  const { response } = await callWithEnv(
    settings,
    new Request(`${BASE}/playground/usage`, { headers: { Authorization: `Bearer ${token}` } }),
  );
  expect(response.status).toBe(200);
  return (await jsonOf(response)).spend;
}

describe("the spend limit", () => {
  it("admits exactly what fits out of 30 concurrent streams, and the settled spend stays within it", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["a", "b"], firstChunkDelayMs: 1_000, usage: { prompt: 20, completion: 50 } } });
    const prompt = `spend ${upstream.tag}`;
    const settings = { SPEND_LIMIT_USD: "0.01" };
    const fits = Math.floor(0.01e10 / reservedUnits(prompt, 100));
    expect(fits).toBeGreaterThan(1);

    const results = await Promise.all(Array.from({ length: 30 }, () => spendStream(user.accessToken, settings, prompt, 100)));
    const admitted = results.filter(({ response }) => response.status === 200);
    expect(admitted).toHaveLength(fits);
    const refused = results.filter(({ response }) => response.status === 429);
    expect(refused).toHaveLength(30 - fits);
    for (const { response } of refused) expect((await jsonOf(response)).error.code).toBe("SPEND_LIMITED");
    for (const { events } of admitted) expect(events.at(-1)).toMatchObject({ type: "done", stored: "database" });

    const spend = await spendState(user.accessToken, settings);
    expect(spend).toMatchObject({ limitUsd: 0.01, reservedUsd: 0, windowSeconds: 86_400 });
    expect(spend.usedUsd).toBeCloseTo(fits * costOf(20, 50), 10);
    expect(spend.usedUsd).toBeLessThanOrEqual(0.01);
    // A stream refused for its cost counts no request against the rate limit.
    expect(await countedBy(`user:${user.id}`, "stream")).toBe(fits);
  });

  it("admits a stream whose most possible cost fits what is left exactly, and refuses one a unit over", async () => {
    const upstream = await script({ "gpt-4o": { chunks: ["ok"], usage: { prompt: 20, completion: 5 } } });
    const prompt = `exact ${upstream.tag}`;
    const units = reservedUnits(prompt, 100);
    const exactly = { SPEND_LIMIT_USD: (units / 1e10).toFixed(10) };
    const aUnitShort = { SPEND_LIMIT_USD: ((units - 1) / 1e10).toFixed(10) };

    const fits = await spendStream((await registerUser()).accessToken, exactly, prompt, 100);
    expect(fits.response.status).toBe(200);
    expect(fits.events.at(-1)).toMatchObject({ type: "done" });
    const over = await spendStream((await registerUser()).accessToken, aUnitShort, prompt, 100);
    expect(over.response.status).toBe(429);
    expect((await jsonOf(over.response)).error.code).toBe("SPEND_LIMITED");
  });

  it("frees the whole reservation of a stream that cost nothing, and admits the next", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { fail: { status: 400 } } });
    const prompt = `refused upstream ${upstream.tag}`;
    const settings = { SPEND_LIMIT_USD: ((reservedUnits(prompt, 100) * 1.5) / 1e10).toFixed(10) };

    const first = await spendStream(user.accessToken, settings, prompt, 100);
    expect(first.response.status).toBe(200);
    expect(first.events.find((event) => event.type === "error")).toMatchObject({ model: "gpt-4o", code: "UPSTREAM_ERROR" });
    expect(first.events.at(-1)).toMatchObject({ type: "done", totalCost: 0 });
    expect(await spendState(user.accessToken, settings)).toMatchObject({ usedUsd: 0, reservedUsd: 0, resetsAt: null });
    expect((await spendStream(user.accessToken, settings, prompt, 100)).response.status).toBe(200);
  });

  it("holds a running stream's reservation, then frees what it did not cost", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["slow"], firstChunkDelayMs: 600, usage: { prompt: 20, completion: 10 } } });
    const prompt = `room ${upstream.tag}`;
    const settings = { SPEND_LIMIT_USD: String(usdOf(reservedUnits(prompt, 200) * 1.5)) };

    const running = await callWithEnv(settings, streamRequest(user.accessToken, { prompt, models: ["gpt-4o"], maxTokens: 200 }));
    expect(running.response.status).toBe(200);
    const during = await spendState(user.accessToken, settings);
    expect(during.reservedUsd).toBeCloseTo(usdOf(reservedUnits(prompt, 200)), 10);

    const refused = await spendStream(user.accessToken, settings, prompt, 200);
    expect(refused.response.status).toBe(429);
    const { error } = await jsonOf(refused.response);
    expect(error.code).toBe("SPEND_LIMITED");
    expect(error.message).toMatch(
      /could cost up to \$0\.\d+, and \$0\.\d+ of your \$0\.\d+ spend limit per day is left: ask for fewer models or a lower maxTokens, or try again in \d+ hours/,
    );
    expect(refused.response.headers.get("Retry-After")).toMatch(/^\d+$/);

    await readEvents(running.response);
    await running.settled();
    const after = await spendState(user.accessToken, settings);
    expect(after).toMatchObject({ reservedUsd: 0 });
    expect(after.usedUsd).toBeCloseTo(costOf(20, 10), 10);
    expect((await spendStream(user.accessToken, settings, prompt, 200)).response.status).toBe(200);
  });

  it("says when the spent money leaves the window", async () => {
    const user = await registerUser();
    const prompt = "exact";
    const maxTokens = 100;
    // The first stream costs exactly its reservation, so a second no longer fits until it leaves the window.
    const upstream = await script({
      "gpt-4o": { chunks: ["x"], usage: { prompt: new TextEncoder().encode(prompt).length + 16, completion: maxTokens } },
    });
    const tagged = `${prompt} ${upstream.tag}`;
    const settings = { SPEND_LIMIT_USD: String(usdOf(reservedUnits(tagged, maxTokens) * 1.5)), SPEND_LIMIT_WINDOW_SECONDS: "3600" };
    const start = Date.now();
    await setClock(`user:${user.id}`, start);
    expect((await spendStream(user.accessToken, settings, tagged, maxTokens)).response.status).toBe(200);

    await setClock(`user:${user.id}`, start + 600_000);
    const refused = await spendStream(user.accessToken, settings, tagged, maxTokens);
    expect(refused.response.status).toBe(429);
    expect(refused.response.headers.get("Retry-After")).toBe("3000");
    expect((await jsonOf(refused.response)).error.message).toContain("try again in 50 minutes");

    await setClock(`user:${user.id}`, start + 3_600_001);
    expect((await spendStream(user.accessToken, settings, tagged, maxTokens)).response.status).toBe(200);
  });

  it("refuses a stream that could cost more than the whole limit, before any model is asked", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["never"] } });
    // gpt-4o writes at most 16,384 tokens, at $10 per million: $0.16 and a little input.
    const { response } = await spendStream(user.accessToken, { SPEND_LIMIT_USD: "0.1" }, `costly ${upstream.tag}`, 16_384);
    expect(response.status).toBe(429);
    expect(response.headers.get("Retry-After")).toBeNull();
    const { error } = await jsonOf(response);
    expect(error).toMatchObject({ code: "SPEND_LIMITED" });
    expect(error.message).toMatch(
      /could cost up to \$0\.16\d+, more than your whole \$0\.1 spend limit per day: ask for fewer models or a lower maxTokens$/,
    );
    expect(await upstream.requests()).toHaveLength(0);
    expect(await countedBy(`user:${user.id}`, "stream")).toBe(0);
  });

  it("reserves nothing for a stream the rate limit refuses", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["ok"], usage: { prompt: 10, completion: 1 } } });
    const settings = { RATE_LIMIT_MAX_REQUESTS: "1" };
    expect((await spendStream(user.accessToken, settings, `one ${upstream.tag}`, 50)).response.status).toBe(200);
    const refused = await spendStream(user.accessToken, settings, `two ${upstream.tag}`, 50);
    expect(refused.response.status).toBe(429);
    expect((await jsonOf(refused.response)).error.code).toBe("RATE_LIMITED");
    const spend = await spendState(user.accessToken);
    expect(spend.reservedUsd).toBe(0);
    expect(spend.usedUsd).toBeCloseTo(costOf(10, 1), 10);
  });

  it("settles a cancelled stream to what its partial answer cost", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["first", " second", " third"], chunkDelayMs: 2_000 } });
    const { response } = await callWithEnv(
      {},
      streamRequest(user.accessToken, { prompt: `cancel ${upstream.tag}`, models: ["gpt-4o"], maxTokens: 500 }),
    );
    let sessionId = "";
    for await (const event of eventsOf(response)) {
      if (event.type === "session") sessionId = event.sessionId;
      if (event.type === "chunk") break;
    }
    const conversation = await vi.waitFor(async () => {
      const { body } = await sessionOf(user.accessToken, sessionId);
      expect(body.conversations).toHaveLength(1);
      return body.conversations[0];
    });
    expect(conversation).toMatchObject({ status: "cancelled", response: "first" });
    expect(conversation.cost).toBeGreaterThan(0);
    await vi.waitFor(async () => {
      const spend = await spendState(user.accessToken);
      expect(spend.reservedUsd).toBe(0);
      expect(spend.usedUsd).toBeCloseTo(conversation.cost, 10);
    });
  });

  it("counts but does not cap when SPEND_LIMIT_USD is 0", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["fine"], usage: { prompt: 10, completion: 1 } } });
    const settings = { SPEND_LIMIT_USD: "0" };
    const { response, events } = await spendStream(user.accessToken, settings, `uncapped ${upstream.tag}`, 1_000_000);
    expect(response.status).toBe(200);
    expect(events.at(-1)).toMatchObject({ type: "done" });
    const spend = await spendState(user.accessToken, settings);
    expect(spend).toMatchObject({ limitUsd: null, reservedUsd: 0 });
    expect(spend.usedUsd).toBeCloseTo(costOf(10, 1), 10);
    expect(Date.parse(spend.resetsAt)).toBeGreaterThan(Date.now());
  });

  it("reserves nothing for the offline models, which cost nothing", async () => {
    const user = await registerUser();
    const request = streamRequest(user.accessToken, { prompt: "free", models: ["local/echo", "local/lorem"], maxTokens: 1_000_000 });
    const { response, settled } = await callWithEnv({ SPEND_LIMIT_USD: "0.000001" }, request);
    expect(response.status).toBe(200);
    await readEvents(response);
    await settled();
    expect(await spendState(user.accessToken)).toMatchObject({ usedUsd: 0, reservedUsd: 0, resetsAt: null });
  });
});
