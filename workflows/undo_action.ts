/**
 * Undoes a reversible action: writes the old value back to a file (sysctl, cgroup) or restores a
 * process' nice value (and I/O class, when the step set one), but only when the current value is still the one we set; otherwise
 * someone else changed it since, and the rollback backs off.
 *
 * @module
 */
import { setPriority } from "node:os";
import { readIoClass, readProc, setIoClass } from "./plan_renice.ts";
import type { UndoRecord } from "./step_plan.ts";

/**
 * Undoes one action.
 *
 * @param undo What to put back and what we expect to find.
 * @param procRoot `/proc` (renice). Default `/proc`.
 * @returns A one-line detail; starts with `Changed by someone else` when it backed off.
 * @throws {Error} When the write fails.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { undoAction } from "./undo_action.ts";
 * const path = await Deno.makeTempFile();
 * await Deno.writeTextFile(path, "10\n");
 * await undoAction({ kind: "file", path, value: "60", expect: "10" });
 * assert.equal(await Deno.readTextFile(path), "60\n");
 * ```
 */
export async function undoAction(undo: UndoRecord, procRoot = "/proc"): Promise<string> {
  if (undo.kind === "file") {
    const now = (await Deno.readTextFile(undo.path)).trim();
    if (now !== undo.expect) {
      return `Changed by someone else since our change: we set ${undo.expect}, it is ${now}; leaving it`;
    }
    await Deno.writeTextFile(undo.path, `${undo.value}\n`);
    return `${undo.path} ${now} → ${undo.value}`;
  }
  const p = await readProc(procRoot, undo.pid);
  if (!p || p.starttime !== undo.starttime) return `pid ${undo.pid} has exited: nothing to undo`;
  let done: string;
  if (p.nice !== undo.expect) {
    done =
      `Changed by someone else since our change: we set nice ${undo.expect}, it is ${p.nice}; leaving it`;
  } else {
    setPriority(undo.pid, undo.nice);
    done = `pid ${undo.pid} (${p.comm}) nice ${p.nice} → ${undo.nice}`;
  }
  // the I/O class is a value of its own: ours goes back even when the nice value backed off
  // (the undo record is dropped after a back-off: an idle class left now would stay for good)
  if (!undo.io) return done;
  // the I/O class too, unless someone set another since (then theirs stays, as for nice)
  const io = await readIoClass(undo.pid);
  if (io !== undo.io.expect) {
    return `${done}; I/O class changed by someone else since our change: we set ${undo.io.expect}, it is ${
      io ?? "unreadable"
    }; leaving it`;
  }
  await setIoClass(undo.pid, undo.io.old);
  return `${done}, I/O class ${io} → ${undo.io.old}`;
}
