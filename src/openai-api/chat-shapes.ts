// A turn's answer in OpenAI's shapes: the completion, its stream's chunks, the usage.
import type { Answer } from "../playground/stream/fan-out.ts";

/** What every chunk and the completion of one call share. */
export interface Completion {
  id: string;
  created: number;
  model: string;
}

/** An id and a creation time for a completion, in OpenAI's form. */
export const newCompletion = (model: string): Completion => ({
  id: `chatcmpl-${crypto.randomUUID().replace(/-/g, "")}`,
  created: Math.floor(Date.now() / 1000),
  model,
});

export const usageOf = ({ usage }: Answer) => ({
  prompt_tokens: usage.inputTokens,
  completion_tokens: usage.outputTokens,
  total_tokens: usage.inputTokens + usage.outputTokens,
  prompt_tokens_details: { cached_tokens: usage.cachedInputTokens },
  completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
});

/** The model's reason to stop, as OpenAI names it; `stop` when the upstream gave none it could. */
const finishReasonOf = (answer: Answer) => answer.finishReason ?? "stop";

/** The fields every completion and chunk start with, in OpenAI's order. */
const head = <T extends string>({ id, created, model }: Completion, object: T) => ({ id, object, created, model });

export const completionOf = (completion: Completion, answer: Answer) => ({
  ...head(completion, "chat.completion"),
  choices: [
    {
      index: 0,
      message: { role: "assistant" as const, content: answer.text, refusal: null },
      logprobs: null,
      finish_reason: finishReasonOf(answer),
    },
  ],
  usage: usageOf(answer),
});

type Delta = { role?: "assistant"; content?: string };

/** One chunk of a stream: a delta, or the last choice with its finish reason. */
export const chunkOf = (completion: Completion, delta: Delta, finishReason: string | null = null) => ({
  ...head(completion, "chat.completion.chunk"),
  choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
});

/** The chunks that end a completed answer: its finish reason, then its usage when the client asked for it. */
export const closingChunks = (completion: Completion, answer: Answer, includeUsage: boolean) => [
  chunkOf(completion, {}, finishReasonOf(answer)),
  ...(includeUsage ? [{ ...head(completion, "chat.completion.chunk"), choices: [], usage: usageOf(answer) }] : []),
];
