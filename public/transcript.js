// The session on screen: its turns, oldest first; the one a new prompt continues; its votes.
import { authorized } from "./auth.js";
import { byId, el, showAlert } from "./dom.js";
import { failure, json } from "./http.js";
import { lockModels } from "./models.js";
import { Turn } from "./turn.js";

const transcript = byId("transcript");
const continuing = byId("continuing");
const newSession = byId("new-session");
const blind = byId("blind");

/** The session a new prompt continues, `{ id, prompt, models, blind }`, or null for a new one. */
let session = null;
let turns = [];

export const currentSession = () => session;

export const excerpt = (text, length = 80) => (text.length > length ? `${text.slice(0, length - 1)}…` : text);

function showContinuing() {
  continuing.hidden = newSession.hidden = session === null;
  continuing.textContent = session ? `Continuing “${excerpt(session.prompt, 60)}” with ${session.models.join(", ")}.` : "";
  blind.disabled = session !== null;
  if (session) blind.checked = session.blind;
  lockModels(session?.models ?? null);
}

export function startNewSession() {
  session = null;
  turns = [];
  transcript.replaceChildren(el("p", { class: "empty" }, "Each model's answer streams into its own column here."));
  showContinuing();
}
newSession.addEventListener("click", startNewSession);

/** The next turn of the session on screen, or the first of a new one. */
export function addTurn({ prompt, system, hidden, number = turns.length + 1 }) {
  if (turns.length === 0) transcript.replaceChildren();
  const turn = new Turn({ number, prompt, system, hidden });
  turns.push(turn);
  transcript.append(turn.element);
  return turn;
}

/** The stream's `session` event: a new session becomes the one that the next prompt continues. */
export function began(sessionId, { prompt, models, blind: hidden }) {
  if (session?.id === sessionId) return;
  session = { id: sessionId, prompt, models, blind: hidden };
  showContinuing();
}

/** Vote buttons for a finished turn of a session. */
export function offerVote(turn, sessionId) {
  turn.offerVote(async (winner) => {
    try {
      const result = await json(
        await authorized(`/playground/sessions/${sessionId}/votes`, { method: "POST", body: { winner, turn: turn.number } }),
      );
      turn.voted(result.vote.winner, result.models);
      if (session?.id === sessionId) {
        // The vote reveals a blind session: every turn, and what the next prompt continues with.
        for (const other of turns) other.reveal(result.models);
        session.models = session.models.map((model) => result.models[model] ?? model);
        session.blind = false;
        showContinuing();
      }
      dispatchEvent(new Event("playground:voted"));
    } catch (error) {
      showAlert(failure("The vote", error));
    }
  });
}

/** Shows a stored session with every turn, to read and to continue. */
export async function openSession(id) {
  const { session: stored } = await json(await authorized(`/playground/sessions/${id}`));
  session = { id, prompt: stored.prompt, models: stored.models, blind: stored.blind === true };
  turns = [];
  transcript.replaceChildren();
  const votes = new Map(stored.votes.map((vote) => [vote.turn, vote.winner]));
  // A blind session's first vote reveals it: before, its models are labels.
  const hidden = stored.blind && stored.votes.length === 0;
  for (const [number, conversations] of Map.groupBy(stored.conversations, (conversation) => conversation.turn)) {
    const [first] = conversations;
    const turn = addTurn({ prompt: first.userPrompt, system: first.system, hidden, number });
    for (const conversation of conversations) {
      const column = turn.column(conversation.modelName);
      column.addText(conversation.response);
      column.setFigures(conversation);
      column.setStatus(conversation.status);
      if (conversation.error) column.showError(conversation.error);
    }
    const sum = (field) => conversations.reduce((total, conversation) => total + conversation[field], 0);
    turn.summarize({ totalTokens: sum("inputTokens") + sum("outputTokens"), totalCost: sum("cost") });
    // A turn takes one vote: one already cast is shown, not offered again.
    if (votes.has(number)) turn.voted(votes.get(number), {});
    else offerVote(turn, id);
  }
  showContinuing();
  transcript.scrollIntoView({ block: "start", behavior: "smooth" });
}
