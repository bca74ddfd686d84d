// The read-only view of a shared session (/shared/<token>): no sign-in, the session's turns in the
// playground's own layout, from GET /playground/shared/<token>.
import { byId, excerpt, showAlert, usd, when } from "./dom.js";
import { ApiError, failure, json, send } from "./http.js";
import { storedTurns } from "./turn.js";

const about = byId("shared-about");

function show(session) {
  document.title = `${excerpt(session.prompt, 60)} · shared · Model Playground`;
  const hidden = session.blind && session.votes.length === 0;
  const models = hidden ? `blind: ${session.models.join(", ")}, named once its owner votes` : session.models.join(", ");
  const cost = session.totalCost === undefined ? "" : ` · ${usd(session.totalCost)}`;
  about.textContent = `Shared by its owner, read-only. ${when(session.createdAt)} · ${models} · ${session.status}${cost}`;
  const turns = storedTurns(session);
  for (const turn of turns) if (turn.winner !== undefined) turn.voted(turn.winner, {}, "The owner's vote");
  byId("transcript").replaceChildren(...turns.map((turn) => turn.element));
}

async function load() {
  // The token as the path carries it, still URL-encoded.
  const token = location.pathname.split("/")[2] ?? "";
  try {
    const { session } = await json(await send(`/playground/shared/${token}`));
    show(session);
  } catch (error) {
    about.textContent = "";
    // A malformed token (400) does not work either.
    const withdrawn = error instanceof ApiError && (error.status === 404 || error.status === 400);
    showAlert(withdrawn ? "This link does not work: it may have been withdrawn." : failure("Loading the shared session", error));
  }
}

load();
