// The user's usage (GET /playground/usage) and what is left of the spend limit.
import { authorized } from "./auth.js";
import { byId, count, el, ms, showAlert, usd, wait, when } from "./dom.js";
import { failure, json } from "./http.js";

const panel = byId("usage");
const summary = byId("spend-summary");

/** Rounded down to the cent: never more than is really left. */
const spendLeft = (spend) => Math.floor(Math.max(0, spend.limitUsd - spend.usedUsd - spend.reservedUsd) * 100) / 100;

function spendState(spend) {
  if (!spend) return [];
  if (spend.limitUsd === null) return [el("p", {}, "No spend limit.")];
  const left = spendLeft(spend);
  const reserved = spend.reservedUsd > 0 ? ` (${usd(spend.reservedUsd)} held by running streams)` : "";
  const frees = spend.resetsAt ? ` More frees up on ${when(spend.resetsAt)}.` : "";
  return [
    el("p", {}, `${usd(left)} left of ${usd(spend.limitUsd)} in any ${wait(spend.windowSeconds)}${reserved}.${frees}`),
    el("meter", {
      min: 0,
      max: spend.limitUsd,
      low: spend.limitUsd * 0.2,
      optimum: spend.limitUsd,
      value: left,
      "aria-label": "Spend left",
    }),
  ];
}

function byModel(models) {
  if (models.length === 0) return [];
  const head = ["Model", "Requests", "Tokens", "Cost", "First token"].map((name) => el("th", { scope: "col" }, name));
  const rows = models.map((entry) =>
    el(
      "tr",
      {},
      el("th", { scope: "row" }, entry.model),
      el("td", {}, count(entry.requests)),
      el("td", {}, count(entry.inputTokens + entry.outputTokens)),
      el("td", {}, usd(entry.cost)),
      el("td", {}, entry.avgTimeToFirstToken === null ? "–" : ms(entry.avgTimeToFirstToken)),
    ),
  );
  return [
    el(
      "details",
      {},
      el("summary", {}, "By model"),
      el("div", { class: "scroll" }, el("table", {}, el("thead", {}, el("tr", {}, head)), el("tbody", {}, rows))),
    ),
  ];
}

export async function loadUsage() {
  try {
    const usage = await json(await authorized("/playground/usage"));
    const { totals, spend } = usage;
    panel.replaceChildren(
      el(
        "p",
        {},
        `${count(totals.requests)} answers, ${count(totals.inputTokens)} tokens in, ${count(totals.outputTokens)} out, ${usd(totals.cost)}.`,
      ),
      ...spendState(spend),
      ...byModel(usage.byModel),
    );
    summary.hidden = !spend || spend.limitUsd === null;
    if (!summary.hidden) summary.textContent = `${usd(spendLeft(spend))} left to spend`;
  } catch (error) {
    showAlert(failure("Loading the usage", error));
  }
}

export function clearUsage() {
  panel.replaceChildren();
  summary.hidden = true;
}
