/**
 * A compaction in a child process that stops mid-run, holding the lake's compaction lock: it
 * runs `compactLake` on `Deno.args[0]` and, once the first partition's merged file is written
 * (to its temporary name, before verification and rename), creates `<root>.paused` and blocks
 * until `<root>.go` exists; then it finishes. Tests kill it there or let it go.
 *
 * @module
 */
import { compactLake } from "../../lake/mod.ts";

const root = Deno.args[0]!;
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
await compactLake({
  root,
  lock: { command: "a paused test compaction" },
  onStep(step) {
    if (step !== "written" || paused) return;
    paused = true;
    Deno.writeTextFileSync(`${root}.paused`, String(Deno.pid));
    // onStep is synchronous: block the whole process, as a long merge would
    while (!exists(`${root}.go`)) Atomics.wait(nap, 0, 0, 20);
  },
});
console.log("done");
