// One turn of a session: its prompt, and a column per model with the answer (as Markdown), its
// status and its figures (time to first token, tokens, cost, time), filled as the stream's events
// arrive or from a stored conversation.
import { count, el, ms, uniqueId, usd } from "./dom.js";
import { MarkdownView } from "./markdown.js";

const FINAL = new Set(["completed", "error", "cancelled"]);

class Column {
  /** `hidden`: a blind column, whose cost would tell its model by its price until the vote reveals it. */
  constructor(model, hidden) {
    this.model = model;
    this.hidden = hidden;
    this.state = "waiting";
    const headingId = uniqueId("answer");
    this.heading = el("h4", { id: headingId }, model);
    this.status = el("span", { class: "status" });
    this.figures = { firstToken: el("dd"), tokens: el("dd"), cost: el("dd"), time: el("dd") };
    const figure = (name, dd) => el("div", {}, el("dt", {}, name), dd);
    const output = el("div", { class: "output" });
    this.answer = new MarkdownView(output);
    this.error = el("p", { class: "error", hidden: true });
    this.element = el(
      "section",
      { class: "answer", role: "region", "aria-labelledby": headingId },
      el("header", {}, this.heading, this.status),
      el(
        "dl",
        { class: "figures" },
        figure("first token", this.figures.firstToken),
        figure("tokens", this.figures.tokens),
        figure("cost", this.figures.cost),
        figure("time", this.figures.time),
      ),
      output,
      this.error,
    );
    this.setStatus("waiting");
    for (const dd of Object.values(this.figures)) dd.textContent = "–";
  }

  setStatus(status) {
    this.state = status;
    this.status.textContent = status;
    this.status.dataset.status = status;
    this.element.setAttribute("aria-busy", String(!FINAL.has(status)));
    // Whatever arrived is shown in full, without waiting for the next frame.
    this.answer.finish();
  }

  addText(content, firstTokenMs) {
    if (this.answer.length === 0 && firstTokenMs !== undefined) this.figures.firstToken.textContent = ms(firstTokenMs);
    this.answer.append(content);
  }

  /** A `metrics` event or a stored conversation; a shared blind one has no cost, and shows none. */
  setFigures({ inputTokens, outputTokens, estimated, cost, responseTime, timeToFirstToken }) {
    this.figures.firstToken.textContent = timeToFirstToken === null ? "–" : ms(timeToFirstToken);
    this.figures.tokens.textContent = `${estimated ? "≈" : ""}${count(inputTokens)} in, ${count(outputTokens)} out`;
    this.cost = cost;
    this.figures.cost.parentElement.hidden = cost === undefined;
    this.figures.cost.textContent = this.hidden ? "after the vote" : usd(cost ?? 0);
    this.figures.time.textContent = ms(responseTime);
  }

  showError(message) {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  /** A blind label's real model, once the vote has revealed it. */
  reveal(model) {
    if (this.revealed || model === this.model) return;
    this.revealed = model;
    this.hidden = false;
    if (this.cost !== undefined) this.figures.cost.textContent = usd(this.cost);
    this.heading.replaceChildren(model, " ", el("span", { class: "hint" }, `(was ${this.model})`));
  }
}

export class Turn {
  /** `hidden`: a turn of a blind session before its vote. */
  constructor({ number, prompt, system, hidden = false }) {
    this.number = number;
    this.hidden = hidden;
    this.columns = new Map();
    this.answers = el("div", { class: "answers" });
    this.end = el("footer", { class: "turn-end" });
    this.element = el(
      "article",
      { class: "turn", "aria-label": `Turn ${number}` },
      el(
        "header",
        { class: "turn-head" },
        el("h3", {}, `Turn ${number}`),
        el("p", { class: "prompt" }, prompt),
        system ? el("p", { class: "system" }, el("span", { class: "hint" }, "System: "), system) : null,
      ),
      this.answers,
      this.end,
    );
  }

  /** The column of a model (or blind label), made on first use. */
  column(model) {
    let column = this.columns.get(model);
    if (!column) {
      column = new Column(model, this.hidden);
      this.columns.set(model, column);
      this.answers.append(column.element);
    }
    return column;
  }

  /** Marks every model still going as cancelled: the stream was stopped, what arrived stays. */
  stopped(status = "cancelled") {
    for (const column of this.columns.values()) if (!FINAL.has(column.state)) column.setStatus(status);
  }

  /** The turn's totals, from `done` or the stored conversations. */
  summarize({ totalTokens, totalCost, stored }) {
    const queued = stored === "queued" ? " The database is busy: this turn is kept and saved as soon as it answers." : "";
    const cost = totalCost === undefined ? "" : `, ${usd(totalCost)}`;
    this.end.prepend(el("p", { class: "totals" }, `Turn total: ${count(totalTokens)} tokens${cost}.${queued}`));
  }

  /** Vote buttons, where there is something to compare; `vote(winner)` sends the vote. */
  offerVote(vote) {
    if (this.columns.size < 2) return;
    const completed = [...this.columns.values()].filter((column) => column.state === "completed");
    const choices = [...completed.map((column) => [column.model, `${column.model} is better`]), ["tie", "Tie"], ["bothBad", "Both bad"]];
    this.votes?.remove();
    this.votes = el(
      "div",
      { class: "votes", role: "group", "aria-label": `Vote on turn ${this.number}` },
      el("span", { class: "hint" }, "Which answer is better?"),
      choices.map(([winner, name]) => el("button", { type: "button", onclick: () => vote(winner) }, name)),
    );
    this.end.append(this.votes);
  }

  /** Shows the real model of each blind label: `models` maps labels to ids. */
  reveal(models) {
    for (const [label, model] of Object.entries(models)) this.columns.get(label)?.reveal(model);
  }

  /** After the vote: what was chosen, and who was who; `whose` names the voter. */
  voted(winner, models, whose = "Your vote") {
    const named = winner === "tie" ? "a tie" : winner === "bothBad" ? "both bad" : `${winner} is better`;
    const revealed = Object.entries(models).filter(([label, model]) => label !== model);
    this.reveal(models);
    const who = revealed.map(([label, model]) => `${label} was ${model}`).join(", ");
    const note = el("p", { class: "voted" }, `${whose}: ${named}.${who ? ` ${who}.` : ""}`);
    if (this.votes) this.votes.replaceWith(note);
    else this.end.append(note);
    this.votes = note;
  }
}

const byTurnAndModel = (one, other) =>
  one.turn - other.turn || (one.modelName < other.modelName ? -1 : one.modelName > other.modelName ? 1 : 0);

/**
 * The turns of a stored session (the owner's, or a shared one), oldest first, every column filled;
 * each turn's `winner` is its vote's, or undefined. A blind session shows its labels until its vote.
 */
export function storedTurns(session) {
  const hidden = session.blind && session.votes.length === 0;
  const winners = new Map(session.votes.map((vote) => [vote.turn, vote.winner]));
  const turns = Map.groupBy(session.conversations.toSorted(byTurnAndModel), (conversation) => conversation.turn);
  return [...turns].map(([number, conversations]) => {
    const [first] = conversations;
    const turn = new Turn({ number, prompt: first.userPrompt, system: first.system, hidden });
    for (const conversation of conversations) {
      const column = turn.column(conversation.modelName);
      column.addText(conversation.response);
      column.setFigures(conversation);
      column.setStatus(conversation.status);
      if (conversation.error) column.showError(conversation.error);
    }
    const sum = (field) => conversations.reduce((total, conversation) => total + conversation[field], 0);
    const costs = conversations.every((conversation) => conversation.cost !== undefined);
    turn.summarize({ totalTokens: sum("inputTokens") + sum("outputTokens"), totalCost: costs ? sum("cost") : undefined });
    turn.winner = winners.get(number);
    return turn;
  });
}
