// Offline models: deterministic, paced like a real model and reporting usage, so the whole
// playground works with no key and no network.
import { type ChatRequest, delay, estimateTokens, type Provider, type StreamPart } from "./provider.ts";

const FIRST_TOKEN_MS = 150;
const TOKEN_MS = 20;

const LOREM =
  "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat".split(
    " ",
  );

/** Words with their trailing space, the unit these models "generate" one at a time. */
const pieces = (text: string) => text.match(/\s*\S+\s*/g) ?? [];

const ANSWERS: Record<string, (request: ChatRequest) => string[]> = {
  /** Says back the last user message, exactly. */
  echo: (request) => pieces(request.messages.findLast((message) => message.role === "user")?.content ?? ""),
  /** Lorem ipsum, as many words as the prompt has characters (20 to 200), the same for the same prompt. */
  lorem: (request) => {
    const prompt = request.messages.at(-1)?.content ?? "";
    const count = Math.min(200, Math.max(20, prompt.length));
    return Array.from({ length: count }, (_, index) => `${LOREM[(index + prompt.length) % LOREM.length]}${index < count - 1 ? " " : "."}`);
  },
};

export const localProvider = (name: string): Provider => ({
  async *stream(request): AsyncGenerator<StreamPart> {
    const answer = ANSWERS[name]?.(request) ?? [];
    const limit = request.maxTokens ?? Number.POSITIVE_INFINITY;
    const sent = answer.slice(0, limit);
    await delay(FIRST_TOKEN_MS, request.signal);
    for (const [index, text] of sent.entries()) {
      if (index > 0) await delay(TOKEN_MS, request.signal);
      yield { type: "text", text };
    }
    const inputTokens = request.messages.reduce((sum, message) => sum + estimateTokens(message.content) + 4, 0);
    yield { type: "usage", usage: { inputTokens, outputTokens: sent.length, cachedInputTokens: 0, reasoningTokens: 0 } };
    yield { type: "finish", reason: sent.length < answer.length ? "length" : "stop" };
  },
});
