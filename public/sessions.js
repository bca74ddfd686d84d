// The list of past sessions, newest first, a page at a time: open one, or delete it.
import { authorized } from "./auth.js";
import { byId, el, excerpt, showAlert, uniqueId, usd, when } from "./dom.js";
import { failure, json } from "./http.js";
import { currentSession, openSession, startNewSession } from "./transcript.js";

const PAGE_SIZE = 20;

const list = byId("sessions");
const more = byId("more-sessions");
let nextCursor = null;

function item(session) {
  const openId = uniqueId("session");
  const models = session.models.length > 3 ? `${session.models.length} models` : session.models.join(", ");
  return el(
    "li",
    { "aria-current": currentSession()?.id === session.id ? "true" : null },
    el("button", { type: "button", id: openId, class: "link", onclick: () => open(session.id) }, excerpt(session.prompt)),
    el(
      "p",
      { class: "hint" },
      `${when(session.createdAt)} · ${session.blind ? "blind: " : ""}${models} · ${usd(session.totalCost)} · ${session.status}`,
    ),
    el("button", { type: "button", class: "quiet", "aria-describedby": openId, onclick: () => remove(session) }, "Delete"),
  );
}

/** The first page again, or with `more` the next one after what is shown. */
export async function loadSessions({ more: next = false } = {}) {
  const query = new URLSearchParams({ limit: String(PAGE_SIZE) });
  if (next && nextCursor) query.set("cursor", nextCursor);
  try {
    const page = await json(await authorized(`/playground/sessions?${query}`));
    const items = page.sessions.map(item);
    if (next) list.append(...items);
    else list.replaceChildren(...(items.length > 0 ? items : [el("li", { class: "hint" }, "No sessions yet.")]));
    nextCursor = page.nextCursor;
    more.hidden = nextCursor === null;
  } catch (error) {
    showAlert(failure("Loading the sessions", error));
  }
}

async function open(id) {
  try {
    await openSession(id);
    await loadSessions();
  } catch (error) {
    showAlert(failure("Opening the session", error));
  }
}

async function remove(session) {
  if (!confirm(`Delete the session “${excerpt(session.prompt, 60)}” and all its answers?`)) return;
  try {
    await authorized(`/playground/sessions/${session.id}`, { method: "DELETE" });
    if (currentSession()?.id === session.id) startNewSession();
    await loadSessions();
  } catch (error) {
    showAlert(failure("Deleting the session", error));
  }
}

export function clearSessions() {
  list.replaceChildren();
  more.hidden = true;
}

more.addEventListener("click", () => loadSessions({ more: true }));
