/**
 * `serve` and `collect` must not fetch the notebook and test libraries (danfo.js with
 * TensorFlow, playwright-core, systeminformation: about 400 MB from a cold cache). Their module
 * graphs are followed along code imports only (type-only imports are never downloaded by
 * `deno run`).
 */
import assert from "node:assert/strict";

interface InfoModule {
  specifier: string;
  dependencies?: { code?: { specifier: string } }[];
}

const HEAVY = /^(danfojs|playwright-core|systeminformation|@tensorflow\/)/;

async function codePackages(entry: string): Promise<Set<string> & { modules: Set<string> }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", entry],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const info = JSON.parse(new TextDecoder().decode(stdout)) as {
    roots: string[];
    modules: InfoModule[];
  };
  const bySpecifier = new Map(info.modules.map((m) => [m.specifier, m]));
  const packages = new Set<string>();
  const seen = new Set<string>();
  const stack = [...info.roots];
  while (stack.length) {
    const specifier = stack.pop()!;
    if (seen.has(specifier)) continue;
    seen.add(specifier);
    for (const dep of bySpecifier.get(specifier)?.dependencies ?? []) {
      if (!dep.code) continue;
      const target = dep.code.specifier;
      if (target.startsWith("npm:")) packages.add(target.replace(/^npm:\/?/, ""));
      else stack.push(target);
    }
  }
  return Object.assign(packages, { modules: seen });
}

for (const entry of ["cli/serve.ts", "cli/collect.ts"]) {
  Deno.test(`${entry} imports no notebook or test library in its code graph`, async () => {
    const packages = await codePackages(entry);
    // sanity: the graph was walked (serve's reaches DuckDB; collect's reaches the collection
    // loop, and no npm package of ours by code: DuckDB's surfaces only with a receiver, see
    // collect_graph_test.ts)
    if (entry === "cli/serve.ts") {
      assert.ok([...packages].some((p) => p.startsWith("@duckdb/node-api")), "sanity: DuckDB");
    } else {
      assert.ok([...packages.modules].some((m) => m.endsWith("/lake/collect_loop.ts")), "sanity");
    }
    assert.deepEqual([...packages].filter((p) => HEAVY.test(p)), []);
  });
}
