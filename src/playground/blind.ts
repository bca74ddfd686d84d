// Blind sessions: the models are shuffled and named `model-a`, `model-b`, … until the session's
// first vote reveals them. What the database keeps is the real ids in the order of their labels.

/** `model-a` for the first, `model-b` for the second, … */
export const labelAt = (index: number) => `model-${String.fromCharCode(97 + index)}`;

/** The ids in a random order (Fisher–Yates over crypto randomness): the order of their labels. */
export function shuffled(ids: readonly string[]): string[] {
  const order = [...ids];
  const random = crypto.getRandomValues(new Uint32Array(order.length));
  for (let index = order.length - 1; index > 0; index--) {
    const other = random[index]! % (index + 1);
    [order[index], order[other]] = [order[other]!, order[index]!];
  }
  return order;
}

/** A session as far as blindness goes. */
export interface BlindState {
  blindModels: string[] | null;
  revealedAt: Date | null;
}

/** Whether the session still hides its models. */
export const isHidden = (session: BlindState) => session.blindModels !== null && session.revealedAt === null;

/**
 * How a session shows a model: its label while the session is blind and unrevealed, else its id.
 *
 * @example
 * const shown = shownAs(session);
 * shown("gpt-4o"); // "model-b"
 */
export function shownAs(session: BlindState): (modelId: string) => string {
  if (!isHidden(session)) return (modelId) => modelId;
  const labels = new Map(session.blindModels!.map((id, index) => [id, labelAt(index)]));
  return (modelId) => labels.get(modelId) ?? modelId;
}

/** The model id a label names in this session, or undefined. */
export function modelOfLabel(session: BlindState, label: string): string | undefined {
  const index = session.blindModels?.findIndex((_, position) => labelAt(position) === label) ?? -1;
  return index >= 0 ? session.blindModels![index] : undefined;
}
