import assert from "node:assert/strict";
import { join } from "node:path";
import { missing } from "../_skip.ts";

const dir = new URL("../../notebooks/", import.meta.url);
const repo = new URL("../../", import.meta.url);

interface Cell {
  cell_type: string;
  source: string[] | string;
  outputs?: { output_type: string; ename?: string; evalue?: string }[];
  execution_count?: number | null;
}

function notebooks(): string[] {
  return [...Deno.readDirSync(dir)].filter((e) => e.isFile && e.name.endsWith(".ipynb"))
    .map((e) => e.name).sort();
}

function cells(path: string | URL): Cell[] {
  return JSON.parse(Deno.readTextFileSync(path)).cells as Cell[];
}

Deno.test("notebooks/ holds at least three notebooks on the Deno kernel", () => {
  const names = notebooks();
  assert.ok(names.length >= 3, `only ${names.length} notebooks`);
  for (const name of names) {
    const nb = JSON.parse(Deno.readTextFileSync(new URL(name, dir)));
    assert.equal(nb.metadata.kernelspec.name, "deno", name);
    assert.ok(nb.cells.some((c: Cell) => c.cell_type === "markdown"), `${name} explains nothing`);
  }
});

Deno.test("committed notebooks carry no outputs or execution counts", () => {
  for (const name of notebooks()) {
    for (const cell of cells(new URL(name, dir))) {
      if (cell.cell_type !== "code") continue;
      assert.deepEqual(cell.outputs, [], `${name} has outputs`);
      assert.equal(cell.execution_count, null, `${name} has an execution count`);
    }
  }
});

Deno.test("notebooks import the project's modules instead of copying code", () => {
  for (const name of notebooks()) {
    const code = cells(new URL(name, dir)).filter((c) => c.cell_type === "code")
      .map((c) => [c.source].flat().join("")).join("\n");
    assert.match(code, /from "\.\.\/(lake|analytics|reports)\/mod\.ts"/, name);
  }
});

for (const name of notebooks()) {
  Deno.test({
    name: `notebook ${name} runs top to bottom on the Deno kernel without an error`,
    ignore: missing("jupyter", "the notebook execution tests"),
    sanitizeResources: false,
    async fn() {
      const out = await Deno.makeTempDir({ prefix: "perfscope-nb-test-" });
      const { code, stderr } = await new Deno.Command("jupyter", {
        args: [
          "nbconvert",
          "--to",
          "notebook",
          "--execute",
          "--ExecutePreprocessor.kernel_name=deno",
          "--ExecutePreprocessor.timeout=600",
          "--output-dir",
          out,
          join("notebooks", name),
        ],
        cwd: repo,
        stdout: "piped",
        stderr: "piped",
      }).output();
      const log = new TextDecoder().decode(stderr);
      assert.equal(code, 0, `nbconvert failed for ${name}:\n${log.slice(-3000)}`);
      const executed = cells(join(out, name));
      for (const cell of executed) {
        if (cell.cell_type !== "code") continue;
        assert.notEqual(cell.execution_count, null, `${name}: a cell did not run`);
        const error = cell.outputs?.find((o) => o.output_type === "error");
        assert.equal(error, undefined, `${name}: ${error?.ename}: ${error?.evalue}`);
      }
      assert.ok(executed.some((c) => c.outputs?.length), `${name} displayed nothing`);
      await Deno.remove(out, { recursive: true });
    },
  });
}
