// The user's meter's own storage: set up once when the object wakes, only what its subject uses,
// and readable when an older version of the code wrote it (the deployed RateLimiter objects, which
// the `renamed_classes` migration hands to UserMeter with their storage as it was).
import { evictDurableObject, runDurableObjectAlarm } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { TurnRecord } from "../../src/db/turns.ts";
import { BASE, registerUser } from "../helpers/api.ts";
import { conversationRowsOf } from "../helpers/database.ts";
import { insideLimiter, limiterOf, meterOf, queuedTurnsOf, setClock } from "../helpers/meter.ts";
import { callWithEnv, readEvents, streamRequest } from "../helpers/stream.ts";

const tablesOf = (subject: string) =>
  insideLimiter(subject, (_, state) => ({
    tables: state.storage.sql
      .exec<{ name: string }>("select name from sqlite_master where type = 'table' and name not like '\\_cf%' escape '\\' order by name")
      .toArray()
      .map((row) => row.name),
    version: state.storage.kv.get("schemaVersion"),
  }));

/** The tables and rows the RateLimiter class wrote before the meter was split by job. */
const LEGACY_TABLES = [
  "create table hits (id integer primary key, policy text not null, at integer not null, expires_at integer not null)",
  "create index hits_policy_at on hits (policy, at)",
  "create table spend (id integer primary key, at integer not null, units integer not null, settled integer not null default 0, expires_at integer not null)",
  "create table queued_turns (id text primary key, record text not null, request_id text not null, attempts integer not null default 0, queued_at integer not null, next_attempt_at integer not null, give_up_at integer not null)",
];

function turnOf(userId: string): TurnRecord {
  const sessionId = crypto.randomUUID();
  const createdAt = new Date().toISOString();
  return {
    // Queued before sessions had a source: the record has none, and the session is the playground's.
    session: {
      id: sessionId,
      userId,
      prompt: "from before the rename",
      models: ["local/echo"],
      blindModels: null,
      createdAt,
    } as TurnRecord["session"],
    conversations: [
      {
        id: crypto.randomUUID(),
        sessionId,
        userId,
        modelName: "local/echo",
        userPrompt: "from before the rename",
        response: "kept",
        inputTokens: 4,
        outputTokens: 1,
        status: "completed",
        createdAt,
      },
    ],
  };
}

describe("the user's meter's storage", () => {
  it("is set up when the object wakes, with only the tables its subject uses", async () => {
    const user = await registerUser();
    expect(await tablesOf(`user:${user.id}`)).toEqual({
      tables: ["api_keys", "hits", "queued_turns", "spend", "used_tickets"],
      version: 3,
    });
    expect(await tablesOf("ip:192.0.2.7")).toEqual({ tables: ["hits"], version: 3 });
  });

  it("reads what the RateLimiter class wrote: counted requests, spend and a queued turn", async () => {
    const user = await registerUser();
    const subject = `user:${user.id}`;
    const now = Date.now();
    const turn = turnOf(user.id);
    await insideLimiter(subject, async (_, state) => {
      await state.storage.deleteAll();
      for (const statement of LEGACY_TABLES) state.storage.sql.exec(statement);
      state.storage.sql.exec(
        "insert into hits (policy, at, expires_at) values ('stream', ?, ?), ('stream', ?, ?)",
        now,
        now + 60_000,
        now,
        now + 60_000,
      );
      state.storage.sql.exec("insert into spend (at, units, settled, expires_at) values (?, 12500000, 1, ?)", now, now + 86_400_000);
      state.storage.sql.exec(
        "insert into queued_turns (id, record, request_id, queued_at, next_attempt_at, give_up_at) values ('legacy', ?, 'before-the-rename', ?, ?, ?)",
        JSON.stringify(turn),
        now,
        now,
        now + 3_600_000,
      );
    });
    await evictDurableObject(limiterOf(subject));

    const limits = { RATE_LIMIT_MAX_REQUESTS: "2", RATE_LIMIT_WINDOW_SECONDS: "60" };
    const { response } = await callWithEnv(limits, streamRequest(user.accessToken, { prompt: "a third", models: ["local/echo"] }));
    expect(response.status).toBe(429);
    const usage = await callWithEnv(
      {},
      new Request(`${BASE}/playground/usage`, { headers: { Authorization: `Bearer ${user.accessToken}` } }),
    );
    expect((await usage.response.json<{ spend: { usedUsd: number } }>()).spend.usedUsd).toBe(0.00125);
    expect(await queuedTurnsOf(user.id)).toMatchObject([{ id: "legacy", requestId: "before-the-rename", attempts: 0 }]);

    await setClock(subject, now + 1);
    await runDurableObjectAlarm(meterOf(user.id));
    expect(await queuedTurnsOf(user.id)).toEqual([]);
    expect((await conversationRowsOf(turn.session.id)).map((row) => row.response)).toEqual(["kept"]);
    expect(await tablesOf(subject)).toMatchObject({ version: 3 });
  });

  it("offers no test hook over RPC: the clock and the database are fields inside the object", async () => {
    const user = await registerUser();
    const stub = meterOf(user.id) as unknown as Record<string, PromiseLike<unknown>>;
    await expect(Promise.resolve(stub.dependencies)).rejects.toThrow(/does not implement "dependencies"/);
    const { response } = await callWithEnv({}, streamRequest(user.accessToken, { prompt: "still works", models: ["local/echo"] }));
    expect((await readEvents(response)).at(-1)).toMatchObject({ type: "done" });
  });
});
