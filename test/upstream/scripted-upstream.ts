// A scripted OpenAI-compatible upstream for the tests (Node). It speaks the exact streaming format of
// OpenAI's chat completions API, and each test scripts it per model: slow, failing, cut short, with
// or without usage. A test registers a script, puts `[script:<id>]` in its prompt, and can then ask
// what the upstream received and whether the Worker closed a socket early.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export const UPSTREAM_API_KEY = "test-upstream-key";

export interface Behaviour {
  /** The text deltas to send; by default the last user message, word by word. */
  chunks?: string[];
  /** Before the response's head. */
  headersDelayMs?: number;
  /** After the head, before the first chunk. */
  firstChunkDelayMs?: number;
  chunkDelayMs?: number;
  /** Answer with this error status instead; `times` limits it to the first attempts. */
  fail?: { status: number; times?: number; retryAfter?: string };
  /** End the body after this many chunks, with no finish reason and no [DONE]. */
  cutAfter?: number;
  /** After this many chunks, send an `error` event (as OpenAI does when it fails mid-stream) and end. */
  errorAfter?: number;
  /** false: no usage chunk even when asked. An object: report these numbers. */
  usage?: false | { prompt: number; completion: number; cached?: number; reasoning?: number };
  /** Write every event in two pieces split inside its bytes, so multi-byte characters straddle packets. */
  splitBytes?: boolean;
  /** End lines with CRLF, as some servers do, and put a comment line before each event. */
  crlf?: boolean;
  finishReason?: string;
}

export interface Script {
  /** Behaviour per upstream model name; `*` for any other. */
  models: Record<string, Behaviour>;
}

export interface ReceivedRequest {
  model: string;
  body: Record<string, unknown>;
  /** When it arrived, in ms since the epoch. */
  receivedAt: number;
  /** The Worker closed the connection before the answer was complete. */
  closedEarly: boolean;
  completed: boolean;
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readJson(request: IncomingMessage): Promise<Record<string, unknown>> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  return JSON.parse(Buffer.concat(parts).toString("utf8") || "{}");
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

const ERROR_BODIES: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: "Unsupported parameter: 'temperature'.", type: "invalid_request_error", code: "unsupported_parameter" },
  401: { message: "Incorrect API key provided: sk-test***************key.", type: "invalid_request_error", code: "invalid_api_key" },
  429: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" },
  500: { message: "The server had an error while processing your request.", type: "server_error", code: null },
};

export async function startScriptedUpstream() {
  const scripts = new Map<string, { script: Script; received: ReceivedRequest[]; attempts: Map<string, number> }>();
  const closeWaiters = new Set<() => void>();
  let nextId = 1;

  async function chat(request: IncomingMessage, response: ServerResponse) {
    const body = await readJson(request);
    const messages = (body.messages ?? []) as { role: string; content: string }[];
    // The latest tag wins: a continued session sends earlier turns that carry their own.
    const scriptId = messages.map((message) => /\[script:(\w+)\]/.exec(message.content)?.[1]).findLast(Boolean);
    const entry = scriptId ? scripts.get(scriptId) : undefined;
    const model = String(body.model);
    const behaviour = entry?.script.models[model] ?? entry?.script.models["*"] ?? {};
    const received: ReceivedRequest = { model, body, receivedAt: Date.now(), closedEarly: false, completed: false };
    entry?.received.push(received);
    response.on("close", () => {
      if (!received.completed) received.closedEarly = true;
      for (const wake of closeWaiters) wake();
    });

    if (request.headers.authorization !== `Bearer ${UPSTREAM_API_KEY}`) {
      received.completed = true;
      return sendJson(response, 401, { error: { ...ERROR_BODIES[401], param: null } });
    }
    const attempt = (entry?.attempts.get(model) ?? 0) + 1;
    entry?.attempts.set(model, attempt);
    if (behaviour.headersDelayMs) await wait(behaviour.headersDelayMs);
    if (behaviour.fail && attempt <= (behaviour.fail.times ?? Number.POSITIVE_INFINITY)) {
      received.completed = true;
      const headers: Record<string, string> = behaviour.fail.retryAfter ? { "retry-after": behaviour.fail.retryAfter } : {};
      return sendJson(response, behaviour.fail.status, { error: { ...ERROR_BODIES[behaviour.fail.status], param: null } }, headers);
    }

    const lastUser = messages.findLast((message) => message.role === "user")?.content ?? "";
    const chunks = behaviour.chunks ?? lastUser.match(/\s*\S+\s*/g) ?? [];
    const base = {
      id: `chatcmpl-${scriptId ?? "x"}${attempt}`,
      object: "chat.completion.chunk",
      created: Math.floor(Date.now() / 1000),
      model,
      system_fingerprint: "fp_scripted",
    };
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const usageField = includeUsage ? { usage: null } : {};
    const send = async (event: string) => {
      const text = behaviour.crlf ? `: keep-alive\r\ndata: ${event}\r\n\r\n` : `data: ${event}\n\n`;
      const bytes = Buffer.from(text, "utf8");
      if (!behaviour.splitBytes) return void response.write(bytes);
      // Split inside a multi-byte character where there is one.
      const index = bytes.findIndex((byte) => byte >= 0x80 && byte < 0xc0);
      const cut = index > 0 ? index : Math.floor(bytes.length / 2);
      response.write(bytes.subarray(0, cut));
      await wait(5);
      response.write(bytes.subarray(cut));
    };

    response.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    response.flushHeaders();
    await send(
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }],
        ...usageField,
      }),
    );
    if (behaviour.firstChunkDelayMs) await wait(behaviour.firstChunkDelayMs);
    for (const [index, content] of chunks.entries()) {
      if (response.destroyed) return;
      if (behaviour.cutAfter !== undefined && index >= behaviour.cutAfter) return void response.end();
      if (behaviour.errorAfter !== undefined && index >= behaviour.errorAfter) {
        await send(
          JSON.stringify({
            error: { message: "The server had an error while processing your request.", type: "server_error", param: null, code: null },
          }),
        );
        received.completed = true;
        return void response.end();
      }
      if (index > 0 && behaviour.chunkDelayMs) await wait(behaviour.chunkDelayMs);
      await send(
        JSON.stringify({ ...base, choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }], ...usageField }),
      );
    }
    if (behaviour.cutAfter !== undefined) return void response.end();
    await send(
      JSON.stringify({
        ...base,
        choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: behaviour.finishReason ?? "stop" }],
        ...usageField,
      }),
    );
    if (includeUsage && behaviour.usage !== false) {
      const counts = behaviour.usage ?? { prompt: lastUser.length, completion: chunks.length };
      await send(
        JSON.stringify({
          ...base,
          choices: [],
          usage: {
            prompt_tokens: counts.prompt,
            completion_tokens: counts.completion,
            total_tokens: counts.prompt + counts.completion,
            prompt_tokens_details: { cached_tokens: counts.cached ?? 0, audio_tokens: 0 },
            completion_tokens_details: {
              reasoning_tokens: counts.reasoning ?? 0,
              audio_tokens: 0,
              accepted_prediction_tokens: 0,
              rejected_prediction_tokens: 0,
            },
          },
        }),
      );
    }
    await send("[DONE]");
    received.completed = true;
    response.end();
  }

  /** Waits until every request of a script for `model` has ended, up to `timeoutMs`. */
  async function settled(id: string, model: string, timeoutMs: number) {
    const deadline = Date.now() + timeoutMs;
    const done = () => (scripts.get(id)?.received ?? []).filter((r) => r.model === model).some((r) => r.closedEarly || r.completed);
    while (!done() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          closeWaiters.delete(wake);
          resolve();
        };
        closeWaiters.add(wake);
        setTimeout(wake, deadline - Date.now());
      });
    }
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", "http://upstream");
    const handle = async () => {
      if (request.method === "POST" && url.pathname === "/v1/chat/completions") return chat(request, response);
      if (request.method === "POST" && url.pathname === "/scripts") {
        const id = `s${nextId++}`;
        scripts.set(id, { script: (await readJson(request)) as unknown as Script, received: [], attempts: new Map() });
        return sendJson(response, 201, { id });
      }
      const match = /^\/scripts\/(\w+)\/requests$/.exec(url.pathname);
      if (request.method === "GET" && match?.[1]) {
        const model = url.searchParams.get("settled");
        if (model) await settled(match[1], model, Number(url.searchParams.get("timeoutMs") ?? 10_000));
        return sendJson(response, 200, scripts.get(match[1])?.received ?? []);
      }
      sendJson(response, 404, { error: { message: "not found" } });
    };
    handle().catch((error) => {
      if (!response.headersSent) sendJson(response, 500, { error: { message: String(error) } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
