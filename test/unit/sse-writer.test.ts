// The stream's writer: numbered events, a burst in one write, pings in silence, nothing after close.
import type { SSEStreamingApi } from "hono/streaming";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eventWriter } from "../../src/playground/stream/sse-writer.ts";

const PING_INTERVAL_MS = 300;
const sessionId = "6f1c2a34-8e0b-4d7a-9c55-0a1b2c3d4e5f";

let writes: string[];
const stream = () =>
  ({
    write(text: string) {
      writes.push(text);
      return Promise.resolve();
    },
  }) as unknown as SSEStreamingApi;

const chunk = (content: string) => ({ type: "chunk" as const, model: "local/echo", content, timestamp: 0 });
const framed = (id: number, event: object) => `id: ${id}\ndata: ${JSON.stringify(event)}\n\n`;

/** A writer whose opening event is written, then quiet for a while, as a stream is before its first chunk. */
const quietWriter = () => {
  const events = eventWriter(stream(), { pingIntervalMs: PING_INTERVAL_MS });
  events.send({ type: "session", sessionId });
  vi.advanceTimersByTime(50);
  writes.length = 0;
  return events;
};

beforeEach(() => {
  vi.useFakeTimers();
  writes = [];
});
afterEach(() => {
  vi.useRealTimers();
});

describe("eventWriter", () => {
  it("writes the opening event once the task that opened the stream has ended, numbered, as one data line", async () => {
    const events = eventWriter(stream(), { pingIntervalMs: PING_INTERVAL_MS });

    events.send({ type: "session", sessionId });
    await Promise.resolve();
    expect(writes).toEqual([]);
    vi.advanceTimersByTime(0);

    expect(writes).toEqual([`id: 1\ndata: {"type":"session","sessionId":"${sessionId}"}\n\n`]);
    events.close();
  });

  it("writes the first event after a quiet moment at once, at the end of the microtasks that sent it", async () => {
    const events = quietWriter();

    events.send(chunk("first"));
    expect(writes).toEqual([]);
    await Promise.resolve();

    expect(writes).toEqual([framed(2, chunk("first"))]);
    events.close();
  });

  it("writes the events that follow within 16 ms together, in order, in one write", async () => {
    const events = quietWriter();
    events.send(chunk("one"));
    await Promise.resolve();

    events.send(chunk("two"));
    vi.advanceTimersByTime(5);
    events.send(chunk("three"));
    vi.advanceTimersByTime(10);
    expect(writes).toHaveLength(1);

    vi.advanceTimersByTime(1);
    expect(writes).toEqual([framed(2, chunk("one")), framed(3, chunk("two")) + framed(4, chunk("three"))]);
    events.close();
  });

  it("pings after an interval of silence, and not while events flow", async () => {
    const events = quietWriter();
    for (let sent = 0; sent < 20; sent++) {
      await vi.advanceTimersByTimeAsync(PING_INTERVAL_MS / 3);
      events.send(chunk(`token ${sent}`));
    }
    await Promise.resolve();
    expect(writes).toHaveLength(20);
    expect(writes).not.toContain(": ping\n\n");

    // Silence is checked a few times per interval: a ping goes out at most a third of an interval late.
    await vi.advanceTimersByTimeAsync(PING_INTERVAL_MS - 1);
    expect(writes).toHaveLength(20);
    await vi.advanceTimersByTimeAsync(PING_INTERVAL_MS / 3 + 1);
    expect(writes.slice(20)).toEqual([": ping\n\n"]);
    events.close();
  });

  it("writes what is queued on close, and nothing afterwards", async () => {
    const events = quietWriter();
    events.send(chunk("first"));
    await Promise.resolve();
    events.send(chunk("last"));

    events.close();
    expect(writes).toEqual([framed(2, chunk("first")), framed(3, chunk("last"))]);

    events.send(chunk("too late"));
    await vi.advanceTimersByTimeAsync(10 * PING_INTERVAL_MS);
    expect(writes).toHaveLength(2);
  });

  it("keeps content with newlines on one data line", async () => {
    const events = quietWriter();

    events.send(chunk("line one\nline two\n\ndata: not an event"));
    events.close();

    const lines = writes.join("").split("\n");
    expect(lines).toEqual(["id: 2", expect.stringMatching(/^data: /), "", ""]);
    expect(JSON.parse(lines[1]!.slice("data: ".length)).content).toBe("line one\nline two\n\ndata: not an event");
  });
});
