// A session as a file: Markdown that reads well pasted into a GitHub issue (a heading per turn and
// per model, the figures in a short line, each answer verbatim inside a fence longer than any fence
// in it, so nothing an answer holds can break the document), or the JSON the API answers.
import { formatUsd } from "../../usd.ts";
import type { detailOf } from "./sessions.service.ts";

type Detail = ReturnType<typeof detailOf>;
type Conversation = Detail["conversations"][number];

/** A fence longer than every run of backticks in `text`, and never shorter than three. */
function fenceFor(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  return "`".repeat(Math.max(3, longest + 1));
}

const fenced = (text: string, info = "") => {
  const fence = fenceFor(text);
  return `${fence}${info}\n${text}${text.endsWith("\n") ? "" : "\n"}${fence}`;
};

const seconds = (ms: number) => (ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`);

function figures(answer: Conversation): string {
  const parts = [
    answer.status,
    `${answer.inputTokens} input + ${answer.outputTokens} output tokens${answer.estimated ? " (estimated)" : ""}`,
    formatUsd(answer.cost),
    answer.timeToFirstToken === null ? undefined : `first token ${seconds(answer.timeToFirstToken)}`,
    `${seconds(answer.responseTime)} in all`,
  ];
  return parts.filter(Boolean).join(" · ");
}

function answerSection(answer: Conversation): string {
  const body = answer.response === "" ? "_(no answer)_" : fenced(answer.response, "markdown");
  const error = answer.error ? `\n\n> ${answer.error.replace(/\n/g, " ")}` : "";
  return `### ${answer.modelName}\n\n_${figures(answer)}_${error}\n\n${body}`;
}

/**
 * The session in Markdown: its prompt, then each turn with its prompt and each model's answer.
 *
 * @example
 * const markdown = sessionMarkdown(detail);
 */
export function sessionMarkdown(detail: Detail): string {
  const turns = [...new Set(detail.conversations.map((answer) => answer.turn))];
  const winners = new Map(detail.votes.map((vote) => [vote.turn, vote.winner]));
  const lines = [
    `# ${detail.prompt.split("\n")[0]!.slice(0, 120)}`,
    "",
    `_${detail.createdAt.slice(0, 16).replace("T", " ")} UTC · ${detail.models.join(", ")} · ${detail.status} · ${formatUsd(detail.totalCost)} in all_`,
  ];
  for (const turn of turns) {
    const answers = detail.conversations.filter((answer) => answer.turn === turn);
    lines.push("", `## Turn ${turn}`, "", fenced(answers[0]!.userPrompt, "text"));
    if (answers[0]!.system) lines.push("", "System prompt:", "", fenced(answers[0]!.system, "text"));
    if (winners.has(turn)) lines.push("", `Vote: **${winners.get(turn)}**`);
    for (const answer of answers) lines.push("", answerSection(answer));
  }
  return `${lines.join("\n")}\n`;
}

/** A file name from the session's prompt: its first words in lowercase ASCII, joined by dashes. */
export function exportFilename(detail: Detail, extension: "md" | "json"): string {
  const words = detail.prompt
    .normalize("NFKD")
    .replace(/[^\w\s-]/g, "")
    .trim()
    .toLowerCase()
    .split(/[\s_-]+/)
    .filter(Boolean)
    .slice(0, 8)
    .join("-")
    .slice(0, 60);
  return `${words || "session"}.${extension}`;
}
