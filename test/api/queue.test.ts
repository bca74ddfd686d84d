import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { createDb } from "../../src/db/client.ts";
import type { TurnRecord } from "../../src/db/turns.ts";
import { BASE, call, jsonOf, registerUser } from "../helpers/api.ts";
import { conversationRowsOf } from "../helpers/database.ts";
import { insideMeter, meterOf, queuedTurnsOf, setClock, setDatabase } from "../helpers/meter.ts";
import { callWithEnv, readEvents, script, sessionOf, streamRequest } from "../helpers/stream.ts";

const databaseSwitch = inject("databaseSwitch");
const throughSwitch = { DATABASE_URL: databaseSwitch.connectionString };

async function turnDatabase(mode: "up" | "down" | "failing" | "refusing") {
  const response = await fetch(databaseSwitch.controlUrl, { method: "POST", body: JSON.stringify({ mode }) });
  expect(response.status).toBe(204);
}

afterEach(() => turnDatabase("up"));

/** The user's object writes queued turns through the switch too, until it restarts. */
const meterThroughSwitch = (userId: string) => setDatabase(userId, () => createDb(databaseSwitch.connectionString));

const queuedTurns = queuedTurnsOf;

/** Moves the object's clock to when its first queued turn is due, and runs its alarm. */
async function runDueAlarm(userId: string) {
  const [first] = await queuedTurns(userId);
  if (first) await setClock(`user:${userId}`, first.nextAttemptAt);
  await runDurableObjectAlarm(meterOf(userId));
}

const queuedRecord = (userId: string) =>
  insideMeter(
    userId,
    (_, state) => JSON.parse(state.storage.sql.exec<{ record: string }>("select record from queued_turns").one().record) as TurnRecord,
  );

describe("a finished turn the database cannot take", () => {
  it.each(["down", "failing"] as const)("is kept while the database is %s and written exactly once when it is back", async (mode) => {
    const user = await registerUser();
    await meterThroughSwitch(user.id);
    const upstream = await script({ "gpt-4o": { chunks: ["kept", " safe"], usage: { prompt: 12, completion: 2 } } });
    await turnDatabase(mode);

    const { response, settled } = await callWithEnv(
      throughSwitch,
      streamRequest(user.accessToken, { prompt: `queue ${upstream.tag}`, models: ["gpt-4o", "local/echo"] }),
    );
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    await settled();
    expect(events.filter((event) => event.type === "chunk").length).toBeGreaterThan(0);
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", stored: "queued" });
    const sessionId: string = done.sessionId;
    expect(await conversationRowsOf(sessionId)).toHaveLength(0);
    const [queued] = await queuedTurns(user.id);
    expect(queued).toMatchObject({ attempts: 0 });
    expect(queued!.nextAttemptAt - queued!.queuedAt).toBeLessThanOrEqual(10_000);

    // A try while the database still fails keeps the turn, with a longer pause before the next.
    await runDueAlarm(user.id);
    const [still] = await queuedTurns(user.id);
    expect(still).toMatchObject({ id: queued!.id, attempts: 1 });
    expect(still!.nextAttemptAt - queued!.nextAttemptAt).toBeGreaterThan(queued!.nextAttemptAt - queued!.queuedAt);
    expect(await conversationRowsOf(sessionId)).toHaveLength(0);
    const record = await queuedRecord(user.id);

    // The queue is in the object's storage: a restart keeps it.
    await evictDurableObject(meterOf(user.id));
    await turnDatabase("up");
    expect(await queuedTurns(user.id)).toHaveLength(1);
    await runDueAlarm(user.id);
    expect(await queuedTurns(user.id)).toHaveLength(0);

    const rows = await conversationRowsOf(sessionId);
    expect(rows.map((row) => row.modelName).sort()).toEqual(["gpt-4o", "local/echo"]);
    const { body: session } = await sessionOf(user.accessToken, sessionId);
    expect(session).toMatchObject({ status: "completed", totalTokens: done.totalTokens });
    expect(session.totalCost).toBeCloseTo(done.totalCost, 10);
    expect(session.conversations.find((row: { modelName: string }) => row.modelName === "gpt-4o").response).toBe("kept safe");

    // Written again (another alarm, the same turn handed over twice): nothing is counted twice.
    await insideMeter(user.id, (meter) =>
      meter.queueTurn({ id: "handed-over-again", record, requestId: "test", giveUpAt: Date.now() + 60_000 }),
    );
    await runDueAlarm(user.id);
    await runDueAlarm(user.id);
    expect(await conversationRowsOf(sessionId)).toHaveLength(2);
    const { body: again } = await sessionOf(user.accessToken, sessionId);
    expect(again.totalCost).toBeCloseTo(done.totalCost, 10);
    expect(again.totalTokens).toBe(done.totalTokens);
  });

  it("stops trying once DATABASE_RETRY_HOURS have passed", async () => {
    const user = await registerUser();
    await meterThroughSwitch(user.id);
    await turnDatabase("down");
    const start = Date.now();
    await setClock(`user:${user.id}`, start);
    const { response, settled } = await callWithEnv(
      { ...throughSwitch, DATABASE_RETRY_HOURS: "1" },
      streamRequest(user.accessToken, { prompt: "given up", models: ["local/echo"] }),
    );
    expect((await readEvents(response)).at(-1)).toMatchObject({ stored: "queued" });
    await settled();
    await runDueAlarm(user.id);
    expect(await queuedTurns(user.id)).toMatchObject([{ attempts: 1 }]);
    await setClock(`user:${user.id}`, start + 2 * 3_600_000);
    await runDurableObjectAlarm(meterOf(user.id));
    expect(await queuedTurns(user.id)).toHaveLength(0);
  });

  it("clears the object's storage once nothing is counted, reserved or queued", async () => {
    const user = await registerUser();
    const upstream = await script({ "gpt-4o": { chunks: ["x"], usage: { prompt: 5, completion: 1 } } });
    const { response, settled } = await callWithEnv(
      {},
      streamRequest(user.accessToken, { prompt: `tidy ${upstream.tag}`, models: ["gpt-4o"] }),
    );
    await readEvents(response);
    await settled();
    await setClock(`user:${user.id}`, Date.now() + 2 * 86_400_000);
    await runDurableObjectAlarm(meterOf(user.id));
    const tables = await insideMeter(user.id, (_, state) =>
      state.storage.sql.exec("select name from sqlite_master where type = 'table'").toArray(),
    );
    expect(tables.map((table) => table.name).filter((name) => !String(name).startsWith("_cf"))).toEqual([]);
  });
});

describe("a finished turn the database refuses for what it holds", () => {
  it("is not queued: the stream ends with an error of its own and no done, and the failure is logged once", async () => {
    const user = await registerUser();
    await meterThroughSwitch(user.id);
    await turnDatabase("refusing");
    const errors = vi.spyOn(console, "error");

    const { response, settled } = await callWithEnv(
      throughSwitch,
      streamRequest(user.accessToken, { prompt: "refused", models: ["local/echo"] }),
    );
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    await settled();

    expect(events.filter((event) => event.type === "chunk").length).toBeGreaterThan(0);
    expect(events.at(-1)).toEqual({
      id: expect.any(Number),
      type: "error",
      code: "INTERNAL",
      message: "the answers could not be kept: something went wrong on our side",
    });
    expect(events.some((event) => event.type === "done")).toBe(false);
    expect(await queuedTurns(user.id)).toEqual([]);
    const logged = errors.mock.calls.map((call) => String(call[0])).filter((line) => line.includes("our fault"));
    expect(logged).toEqual([expect.stringMatching(/^\[[\w-]+\] our fault: the database refused the turn \(NeonDbError 22003\)/)]);
    errors.mockRestore();
  });

  it("is dropped at once when a queued turn meets it on replay, never retried", async () => {
    const user = await registerUser();
    await meterThroughSwitch(user.id);
    await turnDatabase("down");
    const { response, settled } = await callWithEnv(
      throughSwitch,
      streamRequest(user.accessToken, { prompt: "queued, then refused", models: ["local/echo"] }),
    );
    expect((await readEvents(response)).at(-1)).toMatchObject({ type: "done", stored: "queued" });
    await settled();
    expect(await queuedTurns(user.id)).toHaveLength(1);

    await turnDatabase("refusing");
    await runDueAlarm(user.id);
    expect(await queuedTurns(user.id)).toEqual([]);
  });

  it("is the transient failures only that are queued: a database that fails (503) still queues", async () => {
    const user = await registerUser();
    await meterThroughSwitch(user.id);
    await turnDatabase("failing");
    const { response, settled } = await callWithEnv(
      throughSwitch,
      streamRequest(user.accessToken, { prompt: "kept", models: ["local/echo"] }),
    );
    expect((await readEvents(response)).at(-1)).toMatchObject({ type: "done", stored: "queued" });
    await settled();
    expect(await queuedTurns(user.id)).toHaveLength(1);
  });
});

describe("the database being down", () => {
  it("lets a signed-in user stream a new session, and answers 503 where a read is needed", async () => {
    const user = await registerUser();
    const opened = await call("POST", "/playground/stream", {
      token: user.accessToken,
      body: { prompt: "before", models: ["local/echo"] },
    });
    const sessionId = (await readEvents(opened))[0]!.sessionId;
    await meterThroughSwitch(user.id);
    await turnDatabase("down");

    const down = (request: Request) => callWithEnv(throughSwitch, request).then(async ({ response, settled }) => ({ response, settled }));
    const streamed = await down(streamRequest(user.accessToken, { prompt: "during", models: ["local/echo"] }));
    expect(streamed.response.status).toBe(200);
    expect((await readEvents(streamed.response)).at(-1)).toMatchObject({ type: "done", stored: "queued" });
    await streamed.settled();

    const list = await down(new Request(`${BASE}/playground/sessions`, { headers: { Authorization: `Bearer ${user.accessToken}` } }));
    expect(list.response.status).toBe(503);
    expect((await jsonOf(list.response)).error.code).toBe("UNAVAILABLE");
    const continued = await down(streamRequest(user.accessToken, { prompt: "again", models: ["local/echo"], sessionId }));
    expect(continued.response.status).toBe(503);
  });
});
