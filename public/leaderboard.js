// The leaderboard of GET /playground/leaderboard (my votes or everyone's, with or without length
// control), and beside each rating the model's speed and cost from GET /playground/stats.
import { authorized } from "./auth.js";
import { byId, count, el, ms, showAlert, usd } from "./dom.js";
import { failure, json } from "./http.js";

const STATS_DAYS = 30;

const rows = byId("leaderboard").tBodies[0];
const note = byId("leaderboard-note");
const scopes = document.querySelectorAll("input[name=scope]");
const lengthControl = byId("length-control");
/** Counts loads and sign-outs: only the latest load's answer is shown. */
let generation = 0;

const scope = () => [...scopes].find((radio) => radio.checked)?.value ?? "mine";

/** A figure, or a dash where there is none (no completed answer in the window). */
const figure = (value, format) => (value === null || value === undefined ? "–" : format(value));
const perSecond = (value) => (value < 10 ? value.toFixed(1) : count(Math.round(value)));

function row(entry, stats) {
  return el(
    "tr",
    { class: entry.provisional ? "provisional" : null },
    el("th", { scope: "row" }, entry.model, entry.provisional ? [" ", el("span", { class: "tag" }, "provisional")] : null),
    el(
      "td",
      {},
      String(Math.round(entry.rating)),
      " ",
      el("span", { class: "hint ci" }, `${Math.round(entry.ci95[0])}–${Math.round(entry.ci95[1])}`),
    ),
    el("td", {}, `${entry.wins}–${entry.losses}–${entry.ties}`),
    el("td", {}, figure(stats?.timeToFirstTokenMs.p50, ms)),
    el("td", {}, figure(stats?.outputTokensPerSecond.p50, perSecond)),
    el("td", {}, figure(stats?.costPerAnswerUsd.mean, usd)),
  );
}

const signed = (value) => `${value < 0 ? "−" : "+"}${Math.abs(value).toFixed(2)}`;

/** The length effect in words. The API's coefficient is per unit of ln(tokens) difference: a doubling is ln 2 of them. */
function lengthEffect({ coefficient, ci95 }) {
  const [low, high] = ci95.map((end) => end * Math.LN2);
  const verdict = low > 0 ? "longer answers win more often" : high < 0 ? "shorter answers win more often" : "no clear effect";
  return (
    `Length: ${verdict}. An answer twice as long has ${(2 ** coefficient).toFixed(2)}× the odds of winning ` +
    `(${signed(coefficient * Math.LN2)} log-odds per doubling, 95% CI ${signed(low)} to ${signed(high)}); ratings are as if all answers were equally long.`
  );
}

function votesCounted({ totalVotes, method }) {
  // `method` begins with the votes it counted ("Counted: …."); the rest says how the fit was made.
  const which = method.match(/^Counted: (.+?)\.(?: |$)/)?.[1];
  const votes = `${count(totalVotes)} ${totalVotes === 1 ? "vote" : "votes"} counted`;
  return el("p", {}, which ? `${votes}: ${which}.` : `${votes}.`);
}

export async function loadLeaderboard() {
  const asked = ++generation;
  const query = `scope=${scope()}`;
  const control = lengthControl.checked ? "length" : "none";
  try {
    const [board, stats] = await Promise.all([
      authorized(`/playground/leaderboard?${query}&control=${control}`).then(json),
      authorized(`/playground/stats?${query}&days=${STATS_DAYS}`).then(json),
    ]);
    if (asked !== generation) return;
    const figures = new Map(stats.models.map((entry) => [entry.model, entry]));
    // Best first, the provisional ones after the ranked: the API's order is the rank.
    const ranked = board.models.map((entry) => row(entry, figures.get(entry.model)));
    rows.replaceChildren(...(ranked.length > 0 ? ranked : [el("tr", {}, el("td", { colspan: 6 }, "No votes yet."))]));
    const effect = board.lengthEffect ? [el("p", { class: "length-effect" }, lengthEffect(board.lengthEffect))] : [];
    note.replaceChildren(
      votesCounted(board),
      ...effect,
      el("p", {}, `Speed and cost: medians over the last ${STATS_DAYS} days' completed answers, and the mean cost.`),
      el("details", {}, el("summary", {}, "How it is computed"), board.method),
    );
  } catch (error) {
    if (asked === generation) showAlert(failure("Loading the leaderboard", error));
  }
}

export function clearLeaderboard() {
  generation++;
  rows.replaceChildren();
  note.replaceChildren();
}

for (const control of [...scopes, lengthControl]) control.addEventListener("change", loadLeaderboard);
