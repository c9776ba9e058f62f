// Run by rollback_lock_test.ts: holds workflow ARG1's run lock under lake root ARG0, as a run of
// it in another process would, prints `held`, and lets it go (by exiting) once ROOT/release exists.
import { takeRunLock } from "../../workflows/mod.ts";

const [root, workflow] = Deno.args as [string, string];
const lock = takeRunLock(root, {
  pid: Deno.pid,
  hostname: Deno.hostname(),
  command: "run-lock child",
  started: Date.now(),
  workflow,
  why: "a test run",
});
if (!("held" in lock)) throw new Error(`${workflow}'s run lock is held already`);
console.log("held");
for (;;) {
  try {
    Deno.statSync(`${root}/release`);
    break;
  } catch {
    await new Promise((r) => setTimeout(r, 20));
  }
}
