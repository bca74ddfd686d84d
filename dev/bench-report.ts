// The benchmark's output: one table on stdout and the same figures as JSON, with the machine they came from.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, platform, release } from "node:os";
import { join } from "node:path";
import { wranglerCli } from "./local-stack.ts";

/** One figure. `key` is stable across runs (JSON consumers compare by it) and carries the unit. */
export interface Row {
  key: string;
  figure: string;
  value: number | null;
  unit: string;
  note?: string;
}

export interface Section {
  key: string;
  title: string;
  rows: Row[];
  /** Facts behind the figures, for the JSON only (e.g. failure reasons, the settings used). */
  details?: Record<string, unknown>;
}

export function machineInfo() {
  const git = (...args: string[]) => {
    try {
      return execFileSync("git", args, { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
    } catch {
      return "";
    }
  };
  const wranglerVersion = (JSON.parse(readFileSync(join(wranglerCli, "../../package.json"), "utf8")) as { version: string }).version;
  return {
    cpuModel: cpus()[0]?.model ?? "unknown",
    cores: availableParallelism(),
    os: `${platform()} ${release()}`,
    node: process.version,
    wrangler: wranglerVersion,
    date: new Date().toISOString(),
    commit: git("rev-parse", "HEAD") || "unknown",
    // What the figures measured beyond the commit: uncommitted changes to the Worker.
    uncommittedWorkerFiles: git("status", "--porcelain", "--", "src", "wrangler.toml")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}

const display = (value: number | null) =>
  value === null || Number.isNaN(value) ? "n/a" : Number.isInteger(value) ? String(value) : value.toFixed(2);

/** The sections as an aligned table: figure, value, unit, note. */
export function formatTable(sections: Section[], machine: ReturnType<typeof machineInfo>): string {
  const rows = sections.flatMap((section) => section.rows);
  const figureWidth = Math.max(...rows.map((row) => row.figure.length));
  const valueWidth = Math.max(...rows.map((row) => display(row.value).length));
  const unitWidth = Math.max(...rows.map((row) => row.unit.length));
  const lines = [
    `Benchmark of ${machine.commit.slice(0, 12)}${machine.uncommittedWorkerFiles.length ? " + uncommitted changes" : ""}` +
      ` on ${machine.cpuModel} (${machine.cores} cores), Node ${machine.node}, wrangler ${machine.wrangler}, ${machine.date}`,
  ];
  for (const section of sections) {
    lines.push("", section.title);
    for (const row of section.rows) {
      const cells = [
        `  ${row.figure.padEnd(figureWidth)}`,
        display(row.value).padStart(valueWidth),
        row.unit.padEnd(unitWidth),
        row.note ?? "",
      ];
      lines.push(cells.join("  ").trimEnd());
    }
  }
  return lines.join("\n");
}

/** `{ machine, <section>: { <row key>: value, …, details } }`: flat per section, so two runs diff line by line. */
export function writeResults(file: string, sections: Section[], machine: ReturnType<typeof machineInfo>, extra: Record<string, unknown>) {
  const results: Record<string, unknown> = { machine, ...extra };
  for (const section of sections) {
    results[section.key] = {
      ...Object.fromEntries(section.rows.map((row) => [row.key, Number.isNaN(row.value) ? null : row.value])),
      ...(section.details ? { details: section.details } : {}),
    };
  }
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
