// The session on screen: its turns, oldest first; the one a new prompt continues; its votes.
import { authorized } from "./auth.js";
import { byId, el, excerpt, showAlert } from "./dom.js";
import { failure, json } from "./http.js";
import { lockModels } from "./models.js";
import { showSessionTools } from "./session-tools.js";
import { storedTurns, Turn } from "./turn.js";

const transcript = byId("transcript");
const continuing = byId("continuing");
const newSession = byId("new-session");
const blind = byId("blind");

/** The session a new prompt continues, `{ id, prompt, models, blind }`, or null for a new one. */
let session = null;
let turns = [];

export const currentSession = () => session;

function showContinuing() {
  continuing.hidden = newSession.hidden = session === null;
  continuing.textContent = session ? `Continuing “${excerpt(session.prompt, 60)}” with ${session.models.join(", ")}.` : "";
  blind.disabled = session !== null;
  if (session) blind.checked = session.blind;
  lockModels(session?.models ?? null);
  showSessionTools(session?.id ?? null);
}

export function startNewSession() {
  session = null;
  turns = [];
  transcript.replaceChildren(el("p", { class: "empty" }, "Each model's answer streams into its own column here."));
  showContinuing();
}
newSession.addEventListener("click", startNewSession);

/** The next turn of the session on screen, or the first of a new one. */
export function addTurn({ prompt, system, hidden }) {
  if (turns.length === 0) transcript.replaceChildren();
  const turn = new Turn({ number: turns.length + 1, prompt, system, hidden });
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
  turns = storedTurns(stored);
  transcript.replaceChildren(...turns.map((turn) => turn.element));
  // A turn takes one vote: one already cast is shown, not offered again.
  for (const turn of turns) {
    if (turn.winner === undefined) offerVote(turn, id);
    else turn.voted(turn.winner, {});
  }
  showContinuing();
  transcript.scrollIntoView({ block: "start", behavior: "smooth" });
}
