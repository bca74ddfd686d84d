// A session as Markdown for a GitHub issue: nothing an answer holds can break the document.
import { describe, expect, it } from "vitest";
import { exportFilename, sessionMarkdown } from "../../src/playground/sessions/export.ts";

const conversation = (modelName: string, response: string, turn = 1) => ({
  id: crypto.randomUUID(),
  modelName,
  turn,
  userPrompt: "Write a fence",
  response,
  system: null,
  temperature: null,
  maxTokens: 100,
  inputTokens: 10,
  outputTokens: 20,
  cachedTokens: 0,
  reasoningTokens: 0,
  estimated: false,
  cost: 0.00012,
  responseTime: 1234,
  timeToFirstToken: 210,
  status: "completed" as const,
  error: null,
  createdAt: "2026-11-05T10:00:00.000Z",
});

const detail = (conversations: ReturnType<typeof conversation>[], prompt = "Write a fence") => ({
  id: crypto.randomUUID(),
  prompt,
  models: [...new Set(conversations.map((row) => row.modelName))],
  blind: false,
  status: "completed" as const,
  source: "playground" as const,
  totalCost: 0.00024,
  totalTokens: 60,
  createdAt: "2026-11-05T10:00:00.000Z",
  updatedAt: "2026-11-05T10:00:02.000Z",
  conversations,
  votes: [{ id: crypto.randomUUID(), turn: 1, winner: "a", createdAt: "2026-11-05T10:01:00.000Z" }],
});

describe("sessionMarkdown", () => {
  it("fences each answer with more backticks than any run inside it", () => {
    const answer = "````\nfour\n````\nand ``` three";
    const markdown = sessionMarkdown(detail([conversation("a", answer), conversation("b", "plain")]));
    expect(markdown).toContain(`\`\`\`\`\`markdown\n${answer}\n\`\`\`\`\``);
    expect(markdown).toContain("```markdown\nplain\n```");
  });

  it("has a heading per turn and per model, the figures in one line, and the vote", () => {
    const markdown = sessionMarkdown(detail([conversation("a", "one"), conversation("b", "two"), conversation("a", "three", 2)]));
    expect(markdown.match(/^## Turn \d$/gm)).toEqual(["## Turn 1", "## Turn 2"]);
    expect(markdown.match(/^### \w$/gm)).toEqual(["### a", "### b", "### a"]);
    expect(markdown).toContain("_completed · 10 input + 20 output tokens · $0.00012 · first token 210 ms · 1.2 s in all_");
    expect(markdown).toContain("Vote: **a**");
  });

  it("writes amounts as the API's messages do: cents from a dollar on, never a dangling point", () => {
    const costs = [0, 0.05, 0.0413, 2];
    const markdown = sessionMarkdown(detail(costs.map((cost, index) => ({ ...conversation(`m${index}`, "x"), cost }))));
    expect([...markdown.matchAll(/output tokens · (\$[\d.]+) ·/g)].map((match) => match[1])).toEqual(["$0", "$0.05", "$0.0413", "$2.00"]);
  });
});

describe("exportFilename", () => {
  it("names the file from the prompt's first words, in plain ASCII", () => {
    expect(exportFilename(detail([], "Qu'est-ce qu'une monade? Explique à un enfant de 5 ans"), "md")).toBe(
      "quest-ce-quune-monade-explique-a-un-enfant.md",
    );
    expect(exportFilename(detail([], "🎉🎉"), "json")).toBe("session.json");
  });
});
