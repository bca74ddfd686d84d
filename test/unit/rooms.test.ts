// The shape of src/ that keeps it good to live in: small files, and arrows that point one way.
// (Function length and import cycles are Biome's rules: `npm run lint`.)
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const SRC = join(ROOT, "src");

const sourceFiles = (folder: string): string[] =>
  readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : [];
  });

/** The files of src/ a file imports at run time: `import type` and `export type` left out. */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+"(\.[^"]+)";/gms)].map((match) => match[1]!);
  return specifiers.map((specifier) => resolve(dirname(file), specifier));
}

/** Every file of src/ that `entry` loads, itself included. */
function loadedBy(entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const imported of runtimeImports(file)) visit(imported);
  };
  visit(entry);
  return seen;
}

describe("src/", () => {
  it("has no file over 250 lines", () => {
    const long = sourceFiles(SRC)
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, "utf8").split("\n").length - 1 }))
      .filter(({ lines }) => lines > 250);
    expect(long).toEqual([]);
  });

  it("keeps the user's Durable Object free of the features and the HTTP layer, types aside", () => {
    const loaded = [...loadedBy(join(SRC, "meter/user-meter.ts"))].map((file) => relative(SRC, file));
    expect(loaded).toContain("db/turns.ts");
    expect(loaded.filter((file) => /^(playground|auth|http|openai-api)\//.test(file) || file === "app.ts")).toEqual([]);
  });

  it("keeps providers free of users and the database, and db and http free of features", () => {
    const reaches = (folder: string, forbidden: RegExp) =>
      sourceFiles(join(SRC, folder)).flatMap((file) =>
        runtimeImports(file)
          .map((imported) => relative(SRC, imported))
          .filter((imported) => forbidden.test(imported))
          .map((imported) => `${relative(SRC, file)} → ${imported}`),
      );
    expect(reaches("providers", /^(db|auth|meter|playground|openai-api)\//)).toEqual([]);
    expect(reaches("db", /^(auth|meter|playground|openai-api|http)\//)).toEqual([]);
    expect(reaches("http", /^(auth|meter|playground|openai-api)\//)).toEqual([]);
    expect(reaches("meter", /^(auth|playground|openai-api)\//)).toEqual([]);
  });
});
