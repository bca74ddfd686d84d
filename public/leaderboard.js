// The leaderboard of GET /playground/leaderboard: my votes, or everyone's.
import { authorized } from "./auth.js";
import { byId, count, el, showAlert } from "./dom.js";
import { failure, json } from "./http.js";

const rows = byId("leaderboard").tBodies[0];
const note = byId("leaderboard-note");
const scopes = document.querySelectorAll("input[name=scope]");

const scope = () => [...scopes].find((radio) => radio.checked)?.value ?? "mine";

export async function loadLeaderboard() {
  try {
    const board = await json(await authorized(`/playground/leaderboard?scope=${scope()}`));
    // Best first: the order is the rank.
    const ranked = board.models.map((entry) =>
      el(
        "tr",
        {},
        el("th", { scope: "row" }, entry.model),
        el("td", {}, String(Math.round(entry.rating))),
        el("td", {}, `${Math.round(entry.ci95[0])}–${Math.round(entry.ci95[1])}`),
        el("td", {}, `${entry.wins}–${entry.losses}–${entry.ties}`),
      ),
    );
    rows.replaceChildren(...(ranked.length > 0 ? ranked : [el("tr", {}, el("td", { colspan: 4 }, "No votes yet."))]));
    note.replaceChildren(
      `${count(board.totalVotes)} ${board.totalVotes === 1 ? "vote" : "votes"}. `,
      el("details", {}, el("summary", {}, "How it is computed"), board.method),
    );
  } catch (error) {
    showAlert(failure("Loading the leaderboard", error));
  }
}

export function clearLeaderboard() {
  rows.replaceChildren();
  note.replaceChildren();
}

for (const radio of scopes) radio.addEventListener("change", loadLeaderboard);
