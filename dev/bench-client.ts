// The benchmark's client side: the API and the scripted upstream as a client reaches them, with
// event streams read as they arrive and every event stamped with the moment it was read.
import type { Behaviour } from "../test/upstream/scripted-upstream.ts";
import { UPSTREAM_API_KEY } from "../test/upstream/scripted-upstream.ts";

/** One event of the API's stream (API.md's table), the fields the benchmark looks at. */
export interface ApiEvent {
  type: string;
  model?: string;
  content?: string;
  status?: string;
  sessionId?: string;
  code?: string;
}

export interface StreamReading {
  events: ApiEvent[];
  /** performance.now() when the first `chunk` event was read; undefined when none came. */
  firstChunkAt: number | undefined;
  /** When the last model's final status was read, and then `done`: between them, the turn is stored. */
  lastStatusAt: number | undefined;
  doneAt: number | undefined;
}

/** Calls the API with JSON in and out, as the frontend does. */
export function call(origin: string, method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const body = options.body === undefined ? undefined : JSON.stringify(options.body);
  return fetch(`${origin}${path}`, { method, headers, body });
}

/** Throws with the answer's body when the status is not the one expected: a wrong answer would skew a figure. */
export async function expectStatus(response: Response, status: number, what: string) {
  if (response.status === status) return response;
  throw new Error(`${what}: expected ${status}, got ${response.status}: ${(await response.text()).slice(0, 300)}`);
}

export interface BenchUser {
  id: string;
  email: string;
  password: string;
  accessToken: string;
}

let users = 0;

/** A new user, registered through the API. */
export async function registerUser(origin: string): Promise<BenchUser> {
  const email = `bench-${process.pid}-${Date.now()}-${++users}@example.com`;
  const password = "bench password, long enough";
  const response = await expectStatus(await call(origin, "POST", "/auth/register", { body: { email, password } }), 201, "register");
  const { user, accessToken } = (await response.json()) as { user: { id: string }; accessToken: string };
  return { id: user.id, email, password, accessToken };
}

/** Registers a script with the upstream; a prompt carrying the returned tag is answered by it. */
export async function scriptUpstream(upstreamUrl: string, models: Record<string, Behaviour>): Promise<string> {
  const response = await fetch(`${upstreamUrl}/scripts`, { method: "POST", body: JSON.stringify({ models }) });
  const { id } = (await response.json()) as { id: string };
  return `[script:${id}]`;
}

/** POST /playground/stream. */
export const postStream = (origin: string, token: string, body: { prompt: string; models: string[]; sessionId?: string }) =>
  call(origin, "POST", "/playground/stream", { token, body });

/** The `data:` of each event of a `text/event-stream`, as it arrives, with the time it was read. */
export async function* sseData(response: Response): AsyncGenerator<{ data: string; readAt: number }> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      const readAt = performance.now();
      buffer += value;
      for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
        const lines = buffer.slice(0, end).split("\n");
        buffer = buffer.slice(end + 2);
        const data = lines.filter((line) => line.startsWith("data:")).map((line) => line.slice(line.startsWith("data: ") ? 6 : 5));
        // Comment-only blocks (`: ping`) carry no data.
        if (data.length > 0) yield { data: data.join("\n"), readAt };
      }
    }
  } finally {
    // Harmless after the end; closes the connection when a reader stops early.
    await reader.cancel();
  }
}

/** Reads an API stream to its end; `onFirstChunk` runs the moment the first chunk is read. */
export async function readApiStream(response: Response, onFirstChunk?: () => void): Promise<StreamReading> {
  const events: ApiEvent[] = [];
  let firstChunkAt: number | undefined;
  let lastStatusAt: number | undefined;
  let doneAt: number | undefined;
  for await (const { data, readAt } of sseData(response)) {
    const event = JSON.parse(data) as ApiEvent;
    if (event.type === "chunk" && firstChunkAt === undefined) {
      firstChunkAt = readAt;
      onFirstChunk?.();
    }
    if (event.type === "status" && event.status !== "streaming") lastStatusAt = readAt;
    if (event.type === "done") doneAt = readAt;
    events.push(event);
  }
  return { events, firstChunkAt, lastStatusAt, doneAt };
}

/** The model's text as the client saw it: its chunks, in order. */
export const textOf = (events: ApiEvent[], model: string) =>
  events
    .filter((event) => event.type === "chunk" && event.model === model)
    .map((event) => event.content)
    .join("");

/** The model's last status: its final one once the stream is over. */
export const finalStatusOf = (events: ApiEvent[], model: string) =>
  events.findLast((event) => event.type === "status" && event.model === model)?.status;

/**
 * Asks the upstream directly, as the Worker would (same model, prompt and stream options), and
 * returns the milliseconds until the first event with text: the baseline the API adds to.
 */
export async function directFirstChunkMs(upstreamUrl: string, model: string, prompt: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${upstreamUrl}/v1/chat/completions`, {
    method: "POST",
    headers: { Authorization: `Bearer ${UPSTREAM_API_KEY}`, "Content-Type": "application/json" },
    body: JSON.stringify({
      model,
      messages: [{ role: "user", content: prompt }],
      stream: true,
      stream_options: { include_usage: true },
    }),
  });
  await expectStatus(response, 200, "direct upstream request");
  let firstChunkAt: number | undefined;
  for await (const { data, readAt } of sseData(response)) {
    if (firstChunkAt !== undefined || data === "[DONE]") continue;
    const delta = (JSON.parse(data) as { choices: { delta?: { content?: string } }[] }).choices[0]?.delta;
    if (delta?.content) firstChunkAt = readAt;
  }
  if (firstChunkAt === undefined) throw new Error("the upstream answered without any text");
  return firstChunkAt - started;
}

/** One `chat.completion.chunk` of an OpenAI-style stream, the fields the benchmark looks at. */
interface ChatChunk {
  id?: string;
  object?: string;
  choices?: { delta?: { role?: string; content?: string }; finish_reason?: string | null }[];
}

export interface ChatReading {
  chunks: ChatChunk[];
  /** performance.now() when the first chunk with text was read; undefined when none came. */
  firstContentAt: number | undefined;
  /** `data: [DONE]` was read, and nothing after it. */
  doneLast: boolean;
  /** A `data: {"error": …}` event, as a model's failure mid-stream ends the stream. */
  error: unknown;
}

/** Reads an OpenAI-style chat completion stream (`data:` chunks, then `data: [DONE]`) to its end. */
export async function readChatStream(response: Response): Promise<ChatReading> {
  const chunks: ChatChunk[] = [];
  let firstContentAt: number | undefined;
  let doneLast = false;
  let error: unknown;
  for await (const { data, readAt } of sseData(response)) {
    doneLast = data === "[DONE]";
    if (doneLast) continue;
    const chunk = JSON.parse(data) as ChatChunk & { error?: unknown };
    if (chunk.error) error = chunk.error;
    else chunks.push(chunk);
    if (firstContentAt === undefined && chunk.choices?.[0]?.delta?.content) firstContentAt = readAt;
  }
  return { chunks, firstContentAt, doneLast, error };
}

/** Why the stream is not OpenAI's stream of exactly `expected` (the script's chunks), or undefined when it is. */
export function chatFaultOf(reading: ChatReading, expected: string[]): string | undefined {
  if (reading.error) return `an error event: ${JSON.stringify(reading.error).slice(0, 200)}`;
  if (!reading.doneLast) return "the stream did not end with `[DONE]`";
  const { chunks } = reading;
  if (chunks.some((chunk) => chunk.object !== "chat.completion.chunk" || chunk.id !== chunks[0]?.id))
    return "a chunk of another id or kind";
  if (chunks[0]?.choices?.[0]?.delta?.role !== "assistant") return "the first delta has no `role: assistant`";
  const contents = chunks
    .flatMap((chunk) => chunk.choices ?? [])
    .flatMap((choice) => (choice.delta?.content ? [choice.delta.content] : []));
  if (contents.join("\u0000") !== expected.join("\u0000")) return "the content chunks differ from the script's";
  // The usage chunk, when asked for, has no choice: the last choice is the one that ends the answer.
  const finish = chunks.flatMap((chunk) => chunk.choices ?? []).at(-1)?.finish_reason;
  return finish === "stop" ? undefined : `last finish_reason ${finish ?? "missing"}`;
}

/** The `ratelimit;dur=` of a Server-Timing header, in ms; undefined when absent. */
export function rateLimitMs(response: Response): number | undefined {
  const match = /(?:^|,)\s*ratelimit;dur=([\d.]+)/.exec(response.headers.get("Server-Timing") ?? "");
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
