import assert from "node:assert/strict";

Deno.test("collect's module graph leaves out the remote-write sender, the export and lake surfaces and DuckDB", async () => {
  // Deno loads every module the graph names (type imports and literal dynamic imports too), so
  // what a collector without a receiver must not pay for has to stay out of it.
  const root = new URL("../../", import.meta.url);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["info", "--json", "cli/collect.ts"],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(out.success, new TextDecoder().decode(out.stderr));
  const graph = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    modules: { specifier: string }[];
  };
  const names = graph.modules.map((m) => m.specifier);
  assert.ok(names.some((s) => s.endsWith("/lake/collect_loop.ts")), "the graph was read");
  for (const absent of ["/cli/_remote_write.ts", "/export/mod.ts", "/lake/mod.ts"]) {
    assert.equal(names.filter((s) => s.endsWith(absent)).length, 0, absent);
  }
  assert.equal(names.filter((s) => s.includes("duckdb")).length, 0, "duckdb");
});
