// The leaderboard's rules (API.md, "Blind votes and the leaderboard"): which votes count, provisional
// models, length control. Everyone's board is shared by every test file running at once, so each
// test that reads it votes on models no other test votes on, and reads only those.
import { describe, expect, it } from "vitest";
import { BASE, call, jsonOf, registerUser } from "../helpers/api.ts";
import { callWithEnv, script, streamSession } from "../helpers/stream.ts";

const vote = (token: string, sessionId: string, winner: string) =>
  call("POST", `/playground/sessions/${sessionId}/votes`, { token, body: { winner } });

async function board(token: string, query = "", settings: Record<string, string> = {}) {
  const { response } = await callWithEnv(
    settings,
    new Request(`${BASE}/playground/leaderboard${query}`, { headers: { Authorization: `Bearer ${token}` } }),
  );
  expect(response.status).toBe(200);
  return jsonOf(response);
}

type Row = { model: string; votes: number; rating: number; provisional: boolean };
const votesOf = (leaderboard: { models: Row[] }, model: string) => leaderboard.models.find((row) => row.model === model)?.votes ?? 0;

describe("which votes count", () => {
  it("counts a named vote in mine but not in everyone's, and a blind vote in both", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    const models = ["o3", "o4-mini"];
    const before = await board(user.accessToken, "?scope=all");

    const named = await streamSession(user.accessToken, { prompt: `named ${upstream.tag}`, models });
    expect((await vote(user.accessToken, named, "o3")).status).toBe(201);
    expect(votesOf(await board(user.accessToken), "o3")).toBe(1);
    expect(votesOf(await board(user.accessToken, "?scope=all"), "o3")).toBe(votesOf(before, "o3"));

    const blind = await streamSession(user.accessToken, { prompt: `blind ${upstream.tag}`, models, blind: true });
    expect((await vote(user.accessToken, blind, "tie")).status).toBe(201);
    const mine = await board(user.accessToken);
    expect(votesOf(mine, "o3")).toBe(2);
    expect(mine.totalVotes).toBe(2);
    expect(votesOf(await board(user.accessToken, "?blind=true"), "o3")).toBe(1);
    expect(votesOf(await board(user.accessToken, "?scope=all"), "o3")).toBe(votesOf(before, "o3") + 1);
  });

  it("counts at most VOTES_PER_USER_PER_DAY of one user's blind votes in a day, the earliest", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    const models = ["gpt-5", "gpt-5-mini"];
    for (let turn = 0; turn < 3; turn++) {
      const sessionId = await streamSession(user.accessToken, { prompt: `capped ${turn} ${upstream.tag}`, models, blind: true });
      expect((await vote(user.accessToken, sessionId, "tie")).status).toBe(201);
    }
    expect(votesOf(await board(user.accessToken, "?scope=all"), "gpt-5")).toBe(3);
    const capped = await board(user.accessToken, "?scope=all", { VOTES_PER_USER_PER_DAY: "2" });
    expect(votesOf(capped, "gpt-5")).toBe(2);
    expect(capped.method).toMatch(/at most 2 of one user in a UTC day/);
    expect(votesOf(await board(user.accessToken, "", { VOTES_PER_USER_PER_DAY: "2" }), "gpt-5")).toBe(3);
  });
});

describe("provisional models", () => {
  it("are those with fewer than MIN_VOTES_FOR_RANK votes, listed after the ranked ones whatever their rating", async () => {
    const user = await registerUser();
    const upstream = await script({ "*": { chunks: ["ok"] } });
    const duel = async (models: string[], winner: string) => {
      const sessionId = await streamSession(user.accessToken, { prompt: `rank ${upstream.tag}`, models });
      expect((await vote(user.accessToken, sessionId, winner)).status).toBe(201);
    };
    // gpt-4o-mini wins both of its two votes; gpt-4o and gpt-4.1 meet three times.
    await duel(["gpt-4o", "gpt-4.1"], "gpt-4o");
    await duel(["gpt-4o", "gpt-4.1"], "gpt-4o");
    await duel(["gpt-4o", "gpt-4.1"], "gpt-4.1");
    await duel(["gpt-4o-mini", "gpt-4o"], "gpt-4o-mini");
    await duel(["gpt-4o-mini", "gpt-4.1"], "gpt-4o-mini");

    const ranked = await board(user.accessToken, "", { MIN_VOTES_FOR_RANK: "3" });
    expect(ranked.models.map((row: Row) => [row.model, row.votes, row.provisional])).toEqual([
      ["gpt-4o", 4, false],
      ["gpt-4.1", 4, false],
      ["gpt-4o-mini", 2, true],
    ]);
    const mini = ranked.models[2] as Row;
    expect(mini.rating).toBeGreaterThan(ranked.models[0].rating);
    expect((await board(user.accessToken, "", { MIN_VOTES_FOR_RANK: "0" })).models[0].model).toBe("gpt-4o-mini");
  });
});

describe("length control", () => {
  it("rates as if the answers were equally long, and says how much length weighed", async () => {
    const user = await registerUser();
    const long = Array.from({ length: 40 }, (_, index) => `word${index} `);
    // gpt-4.1 writes the long answer in four turns and wins them; gpt-4.1-mini in two, and wins those.
    const fourOneLong = await script({
      "gpt-4.1": { chunks: long, usage: { prompt: 5, completion: 400 } },
      "gpt-4.1-mini": { chunks: ["short"], usage: { prompt: 5, completion: 25 } },
    });
    const miniLong = await script({
      "gpt-4.1": { chunks: ["short"], usage: { prompt: 5, completion: 25 } },
      "gpt-4.1-mini": { chunks: long, usage: { prompt: 5, completion: 400 } },
    });
    const models = ["gpt-4.1", "gpt-4.1-mini"];
    for (const [upstream, winner] of [
      [fourOneLong, "gpt-4.1"],
      [fourOneLong, "gpt-4.1"],
      [fourOneLong, "gpt-4.1"],
      [fourOneLong, "gpt-4.1"],
      [miniLong, "gpt-4.1-mini"],
      [miniLong, "gpt-4.1-mini"],
    ] as const) {
      const sessionId = await streamSession(user.accessToken, { prompt: `length ${upstream.tag}`, models });
      expect((await vote(user.accessToken, sessionId, winner)).status).toBe(201);
    }
    const plain = await board(user.accessToken);
    const controlled = await board(user.accessToken, "?control=length");
    const gap = (leaderboard: { models: Row[] }) =>
      leaderboard.models.find((row) => row.model === "gpt-4.1")!.rating -
      leaderboard.models.find((row) => row.model === "gpt-4.1-mini")!.rating;

    expect(plain).not.toHaveProperty("lengthEffect");
    expect(gap(plain)).toBeGreaterThan(30);
    expect(Math.abs(gap(controlled))).toBeLessThan(gap(plain) / 2);
    expect(controlled.lengthEffect.coefficient).toBeGreaterThan(0);
    expect(controlled.lengthEffect.ci95[0]).toBeLessThan(controlled.lengthEffect.coefficient);
    expect(controlled.method).toMatch(/length as a second factor/);
  });
});
