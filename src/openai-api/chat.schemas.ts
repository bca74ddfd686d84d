// OpenAI's Chat Completions request, as far as the playground's models can honour it, and the
// shapes of its answers. A parameter that cannot be honoured is refused by name, never dropped; the
// same parameter at its neutral value is accepted, since SDKs send their defaults.
import { z } from "@hono/zod-openapi";
import { text } from "../http/schemas.ts";

const TextPart = z.object({ type: z.literal("text"), text: text() });
/** Any other part (an image, audio, a file) is named and refused. */
const OtherPart = z.looseObject({ type: z.string() });

const MessageSchema = z.object({
  role: z.enum(["system", "developer", "user", "assistant"]),
  content: z.union([text(), z.array(z.union([TextPart, OtherPart]))]).nullable(),
  name: text().max(256).optional(),
});

/** Parameters no model here can honour, each with the values that ask for nothing. */
const UNSUPPORTED: Record<string, (value: unknown) => boolean> = {
  tools: (value) => Array.isArray(value) && value.length === 0,
  functions: (value) => Array.isArray(value) && value.length === 0,
  tool_choice: (value) => value === "none",
  function_call: (value) => value === "none",
  logprobs: (value) => value === false,
  top_logprobs: (value) => value === 0,
  response_format: (value) => (value as { type?: unknown } | null)?.type === "text",
  audio: () => false,
  modalities: (value) => Array.isArray(value) && value.every((modality) => modality === "text"),
  prediction: () => false,
};

const optional = <T extends z.ZodType>(schema: T) => schema.nullable().optional();

export const ChatRequestSchema = z
  .looseObject({
    model: text().min(1).openapi({ example: "local/echo" }),
    messages: z.array(MessageSchema).min(1),
    temperature: optional(z.number().min(0).max(2)),
    top_p: optional(z.number().min(0).max(1)),
    max_tokens: optional(z.number().int().min(1).max(1_000_000)),
    max_completion_tokens: optional(z.number().int().min(1).max(1_000_000)),
    stop: optional(z.union([text(), z.array(text()).max(4)])),
    seed: optional(
      z
        .number()
        .int()
        .min(-(2 ** 53) + 1)
        .max(2 ** 53 - 1),
    ),
    presence_penalty: optional(z.number().min(-2).max(2)),
    frequency_penalty: optional(z.number().min(-2).max(2)),
    user: optional(text().max(256)),
    n: optional(z.number().int().min(1)),
    stream: optional(z.boolean()),
    stream_options: optional(z.object({ include_usage: optional(z.boolean()) })),
  })
  .superRefine((request, context) => {
    const unsupported = (path: (string | number)[], message: string) =>
      context.addIssue({ code: "custom", path, message, params: { openai: "unsupported_parameter" } });
    for (const [name, neutral] of Object.entries(UNSUPPORTED)) {
      const value = request[name];
      if (value !== undefined && value !== null && !neutral(value)) unsupported([name], `'${name}' is not supported by this server`);
    }
    if (request.n !== undefined && request.n !== null && request.n > 1) unsupported(["n"], "only n = 1 is supported");
    request.messages.forEach((message, index) => {
      if (!Array.isArray(message.content)) return;
      message.content.forEach((part, position) => {
        if (part.type !== "text")
          unsupported(["messages", index, "content", position, "type"], `'${part.type}' content parts are not supported`);
      });
    });
  })
  .openapi("ChatCompletionRequest", {
    description:
      "OpenAI's request. Refused by name unless at their neutral value: tools, functions, tool_choice, image or audio parts, n over 1, logprobs, " +
      "response_format other than text, audio, modalities. Other unknown fields are ignored.",
  });

export type ChatRequest = z.output<typeof ChatRequestSchema>;

const Usage = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int() }),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
});

export const ChatCompletionSchema = z
  .object({
    id: z.string().openapi({ example: "chatcmpl-…" }),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal("assistant"), content: z.string(), refusal: z.null() }),
        logprobs: z.null(),
        finish_reason: z.string(),
      }),
    ),
    usage: Usage,
  })
  .openapi("ChatCompletion");

export const ChatCompletionChunkSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion.chunk"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        delta: z.object({ role: z.literal("assistant").optional(), content: z.string().optional() }),
        logprobs: z.null(),
        finish_reason: z.string().nullable(),
      }),
    ),
    usage: Usage.optional(),
  })
  .openapi("ChatCompletionChunk", { description: "Each `data:` line of a stream, then `data: [DONE]`" });

export const OpenAIModelSchema = z
  .object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() })
  .openapi("OpenAIModel");

export const OpenAIModelListSchema = z.object({ object: z.literal("list"), data: z.array(OpenAIModelSchema) }).openapi("OpenAIModelList");

export const OpenAIErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string().openapi({ example: "invalid_request_error" }),
      param: z.string().nullable(),
      code: z.string().nullable().openapi({ example: "unsupported_parameter" }),
    }),
  })
  .openapi("OpenAIError");
