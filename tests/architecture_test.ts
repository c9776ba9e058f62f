/**
 * The house rules that hold themselves: imports point downstream only, and a folder is entered
 * only through its `mod.ts`. Documentation examples (lines inside JSDoc) are not imports.
 */
import assert from "node:assert/strict";

/** The floors, lowest first; a folder may import its own floor's folders only where listed. */
const FLOORS: string[][] = [
  // format/ imports nothing of ours: below config/, which holds label values from the file to the
  // one list of characters ingest refuses (format/escape_controls.js)
  ["format"],
  ["config", "labels"],
  ["collectors", "receivers"],
  ["lake"],
  ["export", "sources"],
  ["analytics"],
  ["alerts"],
  ["workflows"],
  ["reports"],
  ["web", "notebooks"],
  ["cli"],
];
const FLOOR = new Map(FLOORS.flatMap((names, i) => names.map((n) => [n, i] as const)));
/** Second entry points, each with its reason: files other folders may import besides mod.ts. */
const ENTRIES = new Set([
  // dependency-free durations: config/mod.ts loads YAML and zod (~20 MB of RSS), which the
  // collector must not pay for when it has no config file
  "config/duration.ts",
  // the names' and labels' limits, shared by the lake, the receivers and the config loader:
  // the receivers and the collector must not load YAML and zod for them
  "config/label_rules.ts",
  // control characters escaped for the CLI's error line: format/mod.ts also loads d3-dsv, which
  // the collector (cli/_args.ts is its flag parser) must not pay for
  "format/escape_controls.js",
  // "did you mean" for a mistyped flag, in the same flag parser, for the same reason
  "format/closest_name.ts",
  // the collect loop alone: lake/mod.ts also loads DuckDB's bindings and hyparquet (~9 MB of RSS
  // at import), which the collector never uses
  "lake/collect_loop.ts",
]);
/** Tools that may reach anything (and are not reached from the product). */
const FREE = new Set(["tests", "bench"]);

async function* sources(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(dir)) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* sources(path);
    else if (/\.(ts|js)$/.test(entry.name)) yield path;
  }
}

/** Every source file of the product's folders (those built so far), with its folder. */
async function* productSources(): AsyncGenerator<{ folder: string; file: string }> {
  for (const folder of FLOOR.keys()) {
    try {
      await Deno.stat(folder);
    } catch {
      continue;
    }
    for await (const file of sources(folder)) yield { folder, file };
  }
}

function importsOf(text: string): string[] {
  const code = text.split("\n").filter((line) => !/^\s*(\*|\/\/)/.test(line)).join("\n");
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^;]*?\bfrom\s*["']([^"']+)["']/g,
    /\bimport\s*["']([^"']+)["']/g,
    /\bimport\(\s*["']([^"']+)["']\s*\)/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) found.push(m[1]!);
  return found.filter((s) => s.startsWith("."));
}

function topFolder(path: string): string {
  return path.split("/")[0]!;
}

function resolve(from: string, spec: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const piece of spec.split("/")) {
    if (piece === "..") parts.pop();
    else if (piece !== ".") parts.push(piece);
  }
  return parts.join("/");
}

async function violations(): Promise<string[]> {
  const found: string[] = [];
  for await (const { folder, file } of productSources()) {
    if (file.startsWith("web/client/")) continue; // browser scripts import nothing of ours
    for (const spec of importsOf(await Deno.readTextFile(file))) {
      const target = resolve(file, spec);
      const to = topFolder(target);
      if (to === folder) continue;
      if (FREE.has(to)) {
        found.push(`${file} imports ${target}: product code must not import ${to}/`);
        continue;
      }
      const [a, b] = [FLOOR.get(folder)!, FLOOR.get(to)];
      if (b === undefined) {
        // a folder the floors do not list would escape every rule (as labels/ would have)
        if (!to.includes(".")) found.push(`${file} imports ${target}: ${to}/ is on no floor`);
        continue;
      }
      if (b >= a) found.push(`${file} imports ${target}: ${to}/ is not below ${folder}/`);
      if (target !== `${to}/mod.ts` && !ENTRIES.has(target)) {
        found.push(`${file} imports ${target}: enter ${to}/ through ${to}/mod.ts`);
      }
    }
  }
  return found;
}

Deno.test("Imports point downstream only and enter a folder through its mod.ts", async () => {
  assert.deepEqual(await violations(), []);
});

Deno.test("A function of a shared ground floor is defined there only, not copied into the floors above", async () => {
  // collectors/ and receivers/ may not import each other, so each had its own formatLabels;
  // labels/ is the ground floor both import instead
  const shared = Object.keys(await import("../labels/mod.ts"));
  const copies: string[] = [];
  for await (const { folder, file } of productSources()) {
    // browser scripts import nothing of ours (web/client/live.js reads label text itself)
    if (folder === "labels" || file.startsWith("web/client/")) continue;
    const text = await Deno.readTextFile(file);
    for (const name of shared) {
      if (new RegExp(`\\bfunction\\s+${name}\\b`).test(text)) copies.push(`${file}: ${name}`);
    }
  }
  assert.deepEqual(copies, []);
});

Deno.test("Every folder of the product has a mod.ts with a @module doc", async () => {
  for (const folder of FLOOR.keys()) {
    if (folder === "cli" || folder === "notebooks") continue;
    let text: string;
    try {
      text = await Deno.readTextFile(`${folder}/mod.ts`);
    } catch {
      continue; // not built yet
    }
    assert.match(text, /@module/, `${folder}/mod.ts`);
  }
});

Deno.test("No two files import each other, even for types", async () => {
  const edges = new Map<string, Set<string>>();
  for await (const { file } of productSources()) {
    const targets = importsOf(await Deno.readTextFile(file)).map((s) => resolve(file, s));
    edges.set(file, new Set(targets));
  }
  const cycles: string[] = [];
  for (const [file, targets] of edges) {
    for (const t of targets) {
      if (t > file && edges.get(t)?.has(file)) cycles.push(`${file} <-> ${t}`);
    }
  }
  assert.deepEqual(cycles, []);
});
