/**
 * A `train` in a child process that stops mid-run, holding the data directory's train lock: it
 * runs cli/train.ts's `main` with `Deno.args` and, once the first model file is stored, creates
 * `<root>.paused` (root from `--data`) and blocks until `<root>.go` exists; then it finishes.
 * Its output goes to stdout as train prints it. Tests kill it there or let it go.
 *
 * @module
 */
import { main } from "../../cli/train.ts";

const root = Deno.args[Deno.args.indexOf("--data") + 1]!;
const nap = new Int32Array(new SharedArrayBuffer(4));

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

let paused = false;
const code = await main(Deno.args, (text) => {
  Deno.stdout.writeSync(new TextEncoder().encode(text));
  if (paused || !text.startsWith("stored ")) return;
  paused = true;
  Deno.writeTextFileSync(`${root}.paused`, String(Deno.pid));
  // write is synchronous: block the whole process, as a long fit would
  while (!exists(`${root}.go`)) Atomics.wait(nap, 0, 0, 20);
});
Deno.exit(code);
