// Database round trips per endpoint, as the SQL endpoint counts the Worker's HTTP requests to it.
import { call, expectStatus, postStream, readApiStream, registerUser, scriptUpstream } from "./bench-client.ts";
import type { Row, Section } from "./bench-report.ts";
import type { Stack } from "./bench-stack.ts";

const MODEL = "gpt-4o-mini";
/**
 * Long enough for the session row, written beside the upstream request, to land before the first
 * chunk; the same pause after it keeps the final write from racing the client's read of that chunk.
 */
const SLOW_CHUNK_MS = 200;
/** Lets anything the Worker defers with waitUntil land in the count too. */
const SETTLE_MS = 100;

/** Round trips made while `work` runs (and shortly after), with what it gave. */
async function countDuring<T>(stack: Stack, work: () => Promise<T>): Promise<{ trips: number; result: T }> {
  stack.database.resetRoundTrips();
  const result = await work();
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  return { trips: stack.database.roundTrips(), result };
}

/** A stream read to `done`; returns its session id and the round trips counted when its first chunk arrived. */
async function streamToDone(stack: Stack, token: string, prompt: string, sessionId?: string) {
  const response = await expectStatus(await postStream(stack.origin, token, { prompt, models: [MODEL], sessionId }), 200, "stream");
  // Set in the callback, which the compiler cannot follow: hence the widened type.
  let atFirstChunk = null as number | null;
  const { events } = await readApiStream(response, () => {
    atFirstChunk = stack.database.roundTrips();
  });
  const done = events.at(-1);
  if (done?.type !== "done" || !done.sessionId) throw new Error(`a stream did not end with done: ${JSON.stringify(done)}`);
  return { sessionId: done.sessionId, atFirstChunk };
}

const drain = async (response: Response) => {
  await response.arrayBuffer();
};

export async function measureRoundTrips(stack: Stack): Promise<Section> {
  const quick = await scriptUpstream(stack.upstreamUrl, { [MODEL]: { chunks: ["Counted ", "trips."] } });
  const slow = await scriptUpstream(stack.upstreamUrl, {
    [MODEL]: { chunks: ["Slow ", "start."], firstChunkDelayMs: SLOW_CHUNK_MS, chunkDelayMs: SLOW_CHUNK_MS },
  });
  const count = async (method: string, path: string, status: number, token?: string, body?: unknown) => {
    const request = () =>
      call(stack.origin, method, path, { token, body }).then((response) => expectStatus(response, status, `${method} ${path}`));
    return (await countDuring(stack, () => request().then(drain))).trips;
  };

  const register = await countDuring(stack, () => registerUser(stack.origin));
  const { email, password, accessToken: token } = register.result;
  const login = await count("POST", "/auth/login", 200, undefined, { email, password });
  const profile = await count("GET", "/auth/profile", 200, token);
  const newStream = await countDuring(stack, () => streamToDone(stack, token, `Count my round trips ${quick}`));
  const { sessionId } = newStream.result;
  const continuedStream = await countDuring(stack, () => streamToDone(stack, token, `And again ${quick}`, sessionId));
  // The counter is reset just before each of these, so what it holds at the first chunk is that stream's alone.
  const slowNew = await countDuring(stack, () => streamToDone(stack, token, `Slow first chunk ${slow}`));
  const slowContinued = await countDuring(stack, () => streamToDone(stack, token, `Slow again ${slow}`, slowNew.result.sessionId));

  const rows: Row[] = [
    { key: "register", figure: "POST /auth/register", value: register.trips, unit: "trips" },
    { key: "login", figure: "POST /auth/login", value: login, unit: "trips" },
    { key: "profile", figure: "GET /auth/profile", value: profile, unit: "trips" },
    { key: "newStream", figure: "new stream, to `done`", value: newStream.trips, unit: "trips", note: `one model (${MODEL}, scripted)` },
    { key: "continuedStream", figure: "continued stream (sessionId), to `done`", value: continuedStream.trips, unit: "trips" },
    {
      key: "newStreamAtFirstChunk",
      figure: "new stream, counted at its first chunk",
      value: slowNew.result.atFirstChunk,
      unit: "trips",
      note: `upstream first chunk after ${SLOW_CHUNK_MS} ms; the session row is written with the turn, at its end: nothing before the first chunk`,
    },
    {
      key: "continuedStreamAtFirstChunk",
      figure: "continued stream, counted at its first chunk",
      value: slowContinued.result.atFirstChunk,
      unit: "trips",
      note: "the history read is awaited before the upstream request: on the critical path",
    },
    {
      key: "listSessions",
      figure: "GET /playground/sessions",
      value: await count("GET", "/playground/sessions", 200, token),
      unit: "trips",
    },
    {
      key: "getSession",
      figure: "GET /playground/sessions/:id",
      value: await count("GET", `/playground/sessions/${sessionId}`, 200, token),
      unit: "trips",
    },
    { key: "usage", figure: "GET /playground/usage", value: await count("GET", "/playground/usage", 200, token), unit: "trips" },
    {
      key: "deleteSession",
      figure: "DELETE /playground/sessions/:id",
      value: await count("DELETE", `/playground/sessions/${sessionId}`, 204, token),
      unit: "trips",
    },
  ];
  return { key: "databaseRoundTrips", title: "4. Database round trips per request (HTTP requests to the SQL endpoint)", rows };
}
