/**
 * Test helper: runs a notebook headlessly with `jupyter nbconvert --execute` on the Deno kernel
 * and hands back its executed cells, failing on any cell that raised.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const repo = new URL("../../", import.meta.url);

/** A notebook cell as stored in the `.ipynb` JSON. */
export interface Cell {
  cell_type: string;
  source: string[] | string;
  outputs?: {
    output_type: string;
    ename?: string;
    evalue?: string;
    text?: string | string[];
    data?: Record<string, string | string[]>;
  }[];
  execution_count?: number | null;
}

/**
 * Reads the cells of a notebook file.
 *
 * @param path The `.ipynb` file.
 * @returns Its cells.
 */
export function cells(path: string | URL): Cell[] {
  return JSON.parse(Deno.readTextFileSync(path)).cells as Cell[];
}

/** A notebook after execution. */
export interface Executed {
  cells: Cell[];
  /** Text printed by the cells (stream outputs), in order. */
  text: string;
}

/**
 * Executes a notebook headlessly with nbconvert on the Deno kernel into a temporary folder.
 *
 * @param name The file name under `notebooks/`.
 * @param env Environment of the kernel (e.g. `PERFSCOPE_DATA`).
 * @returns The executed cells and the text they printed.
 */
export async function execute(name: string, env: Record<string, string> = {}): Promise<Executed> {
  const out = await Deno.makeTempDir({ prefix: "perfscope-nb-test-" });
  try {
    const { code, stderr } = await new Deno.Command("jupyter", {
      args: [
        "nbconvert",
        "--to",
        "notebook",
        "--execute",
        "--ExecutePreprocessor.kernel_name=deno",
        "--ExecutePreprocessor.timeout=600",
        // nbclient waits 4 s by default for a cell's output messages after the kernel's reply and
        // then goes on without them (a warning only): under CI's load a last cell's console.log
        // arrived later than that and the notebook 04 test saw its line missing
        "--ExecutePreprocessor.iopub_timeout=60",
        "--ExecutePreprocessor.raise_on_iopub_timeout=True",
        "--output-dir",
        out,
        join("notebooks", name),
      ],
      cwd: repo,
      env,
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
    // printed lines, and the plain text of what a cell displayed
    const text = executed.flatMap((c) => c.outputs ?? [])
      .map((o) => [o.text ?? o.data?.["text/plain"] ?? ""].flat().join(""))
      .join("\n");
    return { cells: executed, text };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}
