// A turn, planned before anything runs: which models, under which names (a blind turn's labels and
// order), the messages each is sent, the bound on each one's output, and the most it can all cost.
// Pure: no runtime, no I/O, so it is tested on its own.
import type { TurnRecord } from "../../db/turns.ts";
import { AppError, invalidInput } from "../../http/errors.ts";
import { type ChatMessage, findModel, type ModelEntry, maxCostOf, type SamplingOptions } from "../../providers/index.ts";
import { isHidden, modelOfLabel, shownAs, shuffled } from "../blind.ts";
import type { ConversationRow, SessionRow } from "../sessions/sessions.service.ts";
import type { StreamRequest } from "./stream.schemas.ts";

/** What one model is asked, and the name its events carry. */
export interface ModelPlan {
  model: ModelEntry;
  /** The model's name in the events: its id, or its label in a blind stream. */
  name: string;
  /** A blind stream's model: its failures are told in words that cannot name it. */
  anonymous: boolean;
  /** Its own conversation: the system prompt, its earlier turns in the session, then this prompt. */
  messages: ChatMessage[];
  /** The bound on its output, sent upstream and reserved. */
  maxTokens: number;
  /** Sampling settings beyond the temperature, passed on as they are (the OpenAI-compatible API's). */
  sampling?: SamplingOptions;
}

export interface TurnPlan {
  /** The session as the turn leaves it. */
  session: TurnRecord["session"];
  models: ModelPlan[];
  /** What every conversation of the turn keeps besides its answer. */
  turn: { prompt: string; system: string | null; temperature: number | null; startedAt: Date };
  /** The most the answers can cost, in US dollars: what the stream reserves. */
  maxCostUsd: number;
}

export interface PlanInput {
  request: StreamRequest;
  userId: string;
  /** The session the request continues, read by its owner; undefined for a new session. */
  previous?: { session: SessionRow; conversations: ConversationRow[] };
  /** The new session's id, when there is no `previous`. */
  newSessionId: string;
  startedAt: Date;
  /** The output bound of a request that gives none (DEFAULT_MAX_TOKENS). */
  defaultMaxTokens: number;
  /** The order of a new blind session's labels; random unless a test says otherwise. */
  shuffle?: (ids: readonly string[]) => string[];
}

/**
 * Plans a turn, or throws the 400 (`VALIDATION_FAILED`, `UNKNOWN_MODEL`) the request deserves.
 *
 * @example
 * const plan = planTurn({ request, userId, newSessionId: crypto.randomUUID(), startedAt: new Date(), defaultMaxTokens: 4096 });
 */
export function planTurn({
  request,
  userId,
  previous,
  newSessionId,
  startedAt,
  defaultMaxTokens,
  shuffle = shuffled,
}: PlanInput): TurnPlan {
  const before = previous?.session;
  if (request.blind && before && before.blindModels === null) {
    throw invalidInput("blind", "is chosen when a session starts: this session is not blind");
  }
  // A hidden session's models may be named by their labels.
  const ids = request.models.map((name) => (before && isHidden(before) && modelOfLabel(before, name)) || name);
  if (new Set(ids).size < ids.length) throw invalidInput("models", "must not name a model twice");
  const models = catalogueEntries(ids);
  const blindModels = before
    ? before.blindModels && [...before.blindModels, ...shuffle(ids.filter((id) => !before.blindModels!.includes(id)))]
    : request.blind
      ? shuffle(ids)
      : null;
  const blind = { blindModels, revealedAt: before?.revealedAt ?? null };
  const shown = shownAs(blind);
  const plans = models.map(
    (model): ModelPlan => ({
      model,
      name: shown(model.id),
      anonymous: isHidden(blind),
      messages: [
        ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
        ...historyOf(previous?.conversations ?? [], model.id),
        { role: "user", content: request.prompt },
      ],
      // One bound serves models of different maxima: none is sent, or reserved, more than it can write.
      maxTokens: Math.min(request.maxTokens ?? defaultMaxTokens, model.maxOutputTokens),
    }),
  );
  return {
    session: {
      id: before?.id ?? newSessionId,
      userId,
      prompt: request.prompt,
      models: [...new Set([...(before?.models ?? []), ...ids])],
      blindModels,
      source: "playground",
      createdAt: startedAt.toISOString(),
    },
    models: plans,
    turn: { prompt: request.prompt, system: request.system ?? null, temperature: request.temperature ?? null, startedAt },
    maxCostUsd: plans.reduce((sum, plan) => sum + maxCostOf(plan.model, plan.messages, plan.maxTokens), 0),
  };
}

function catalogueEntries(ids: string[]): ModelEntry[] {
  const unknown = ids.filter((id) => !findModel(id));
  if (unknown.length > 0) {
    throw new AppError("UNKNOWN_MODEL", 400, `unknown model: ${unknown.join(", ")}; GET /playground/models lists them`, {
      details: unknown.map((id) => ({ path: "models", message: `unknown model ${id}` })),
    });
  }
  return ids.map((id) => findModel(id)!);
}

/** A model's earlier turns in the session, as the messages it is sent again when the session goes on. */
function historyOf(turns: ConversationRow[], modelId: string): ChatMessage[] {
  return turns
    .filter((turn) => turn.modelName === modelId && turn.response !== "")
    .flatMap((turn): ChatMessage[] => [
      { role: "user", content: turn.userPrompt },
      { role: "assistant", content: turn.response },
    ]);
}
