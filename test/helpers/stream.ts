// Streams as a client sees them: scripting the upstream, reading the events, calling with other settings.
import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { expect, inject } from "vitest";
import worker from "../../src/index.ts";
import type { Behaviour, ReceivedRequest } from "../upstream/scripted-upstream.ts";
import { BASE, call, jsonOf } from "./api.ts";

// biome-ignore lint/suspicious/noExplicitAny: events are checked field by field
export type Event = { id: number } & Record<string, any>;

/** Registers a script with the upstream; put `tag` in a prompt to have the upstream follow it. */
export async function script(models: Record<string, Behaviour>) {
  const upstream = inject("upstreamUrl");
  const response = await fetch(`${upstream}/scripts`, { method: "POST", body: JSON.stringify({ models }) });
  const { id } = (await response.json()) as { id: string };
  return {
    tag: `[script:${id}]`,
    /** What the upstream received; with `settledModel`, first waits until that model's request ended. */
    async requests(settledModel?: string): Promise<ReceivedRequest[]> {
      const query = settledModel ? `?settled=${encodeURIComponent(settledModel)}` : "";
      return (await (await fetch(`${upstream}/scripts/${id}/requests${query}`)).json()) as ReceivedRequest[];
    },
  };
}

/** Parses one `text/event-stream` block into an event; comments (pings) give undefined. */
function parseBlock(block: string): Event | undefined {
  let id: number | undefined;
  let data: string | undefined;
  for (const line of block.split("\n")) {
    if (line.startsWith("id: ")) id = Number(line.slice(4));
    else if (line.startsWith("data: ")) data = line.slice(6);
  }
  return data === undefined ? undefined : { id: id ?? Number.NaN, ...JSON.parse(data) };
}

/** Every event of a stream, read to its end. */
export async function readEvents(response: Response): Promise<Event[]> {
  const text = await response.text();
  return text
    .split("\n\n")
    .map(parseBlock)
    .filter((event): event is Event => event !== undefined);
}

/** The events as they arrive, for tests that stop reading half way. */
export async function* eventsOf(response: Response): AsyncGenerator<Event> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value;
      let end = buffer.indexOf("\n\n");
      while (end >= 0) {
        const event = parseBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event) yield event;
        end = buffer.indexOf("\n\n");
      }
    }
  } finally {
    await reader.cancel();
  }
}

export interface StreamInput {
  prompt: string;
  models: string[];
  sessionId?: string;
  system?: string;
  temperature?: number;
  maxTokens?: number;
  blind?: boolean;
}

/** Streams to the end, checks that it ended with `done`, and returns the session it was for. */
export async function streamSession(token: string, input: StreamInput): Promise<string> {
  const response = await postStream(token, input);
  expect(response.status).toBe(200);
  const events = await readEvents(response);
  expect(events.at(-1)!.type).toBe("done");
  return events[0]!.sessionId;
}

/** POST /playground/stream. */
export const postStream = (token: string, input: StreamInput) => call("POST", "/playground/stream", { token, body: input });

/** The Worker with some variables changed, for limits, timeouts and missing keys. */
export async function callWithEnv(overrides: Record<string, string | undefined>, request: Request) {
  const ctx = createExecutionContext();
  const response = await worker.fetch(request, { ...env, ...overrides }, ctx);
  return { response, settled: () => waitOnExecutionContext(ctx) };
}

export const streamRequest = (token: string, input: StreamInput) =>
  new Request(`${BASE}/playground/stream`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify(input),
  });

/** The session as the API reports it. */
export async function sessionOf(token: string, sessionId: string) {
  const response = await call("GET", `/playground/sessions/${sessionId}`, { token });
  return { status: response.status, body: response.status === 200 ? (await jsonOf(response)).session : undefined };
}

export const ofType = (events: Event[], type: string, model?: string) =>
  events.filter((event) => event.type === type && (model === undefined || event.model === model));
