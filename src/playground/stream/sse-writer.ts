// The stream's events on hono's SSE stream: numbered, batched, and kept alive with pings.
import type { SSEStreamingApi } from "hono/streaming";
import type { StreamEvent } from "./stream.schemas.ts";

export interface EventWriter<T = StreamEvent> {
  /** Queues an event; the events of a burst go out as one write. */
  send(event: T): void;
  /** Writes what is queued and stops the pings; later events are dropped. The SSE stream itself is closed by `streamSSE`. */
  close(): void;
}

/** While events flow, the stream is written at most this often: one frame of a 60 Hz screen. */
const COALESCE_MS = 16;

/** The playground's framing: an `id:` line with the event's sequence number, its JSON in one `data:` line. */
const numbered = (event: unknown, sequence: number) => `id: ${sequence}\ndata: ${JSON.stringify(event)}\n\n`;

/**
 * Every event is framed by `frame`: by default an `id:` line with its sequence number and its JSON
 * in one `data:` line (JSON.stringify escapes newlines). Events are not written one by one with
 * `writeSSE`: a write through the response's streams and socket costs several times what building
 * the event does (`npm run bench`). The stream's opening event is written once the task that opened
 * the stream has ended, so that its upstream requests go out first. An event after a quiet moment,
 * such as a first chunk, is written at once, at the end of the microtasks that queued it; the events
 * that follow within `COALESCE_MS` (the rest of a network read, other models' tokens) go out
 * together when it has passed. Their order is kept.
 *
 * @example
 * const events = eventWriter(stream, { pingIntervalMs: 15_000 });
 * events.send({ type: "session", sessionId });
 */
export function eventWriter<T = StreamEvent>(
  stream: SSEStreamingApi,
  options: { pingIntervalMs: number; frame?: (event: T, sequence: number) => string },
): EventWriter<T> {
  const frame = options.frame ?? numbered;
  let sequence = 0;
  let queued = "";
  let flushPending = false;
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  /** When the stream was last written, or opened: the pings count from here. */
  let lastWrite = Date.now();
  /** When events were last written: a first event goes out at once. */
  let lastFlush = Number.NEGATIVE_INFINITY;

  const write = (text: string) => {
    lastWrite = Date.now();
    void stream.write(text);
  };
  const flush = () => {
    flushPending = false;
    flushTimer = undefined;
    if (queued === "") return;
    const text = queued;
    queued = "";
    write(text);
    lastFlush = lastWrite;
  };
  // Checked a few times per interval, so a ping goes out at most a third of an interval late.
  const pinger = setInterval(
    () => {
      if (queued === "" && Date.now() - lastWrite >= options.pingIntervalMs) write(": ping\n\n");
    },
    Math.max(1, Math.floor(options.pingIntervalMs / 3)),
  );

  return {
    send(event) {
      if (closed) return;
      queued += frame(event, ++sequence);
      if (flushPending) return;
      flushPending = true;
      const sinceFlush = Date.now() - lastFlush;
      // The opening event waits for the task that opened the stream to end: its upstream requests go first.
      if (sequence === 1) flushTimer = setTimeout(flush, 0);
      else if (sinceFlush >= COALESCE_MS) queueMicrotask(flush);
      else flushTimer = setTimeout(flush, COALESCE_MS - sinceFlush);
    },
    close() {
      closed = true;
      clearInterval(pinger);
      clearTimeout(flushTimer);
      flush();
    },
  };
}
