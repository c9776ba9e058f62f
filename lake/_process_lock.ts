/**
 * An exclusive, process-wide lock on a file under a lake root, shared by the collector, compaction,
 * serve and train locks (the last three through _named_lock.ts). The lock is the OS's `flock` on the open file, so the kernel drops it when
 * the holder exits for any reason (`kill -9` included): a lock file left behind by a crash is
 * stale by construction and needs no pid check. The file names its holder (one JSON line) so a
 * refused process can say who holds it. Exported (lake/mod.ts) for the state other folders keep
 * under a lake root: the workflow runner holds one per workflow while a run of it goes.
 *
 * @module
 */

import { LakeError } from "./errors.ts";
import { errorText } from "./write_file_atomic.ts";

/** Who holds a lock, as written in its file. */
export interface LockHolder {
  /** The process to name. */
  pid: number;
  /** How it was started, e.g. `deno task compact`. */
  command: string;
  /** Host name of the holder. */
  hostname: string;
  /** When it took the lock, ms since the epoch. */
  started: number;
}

/** A held lock. */
export interface HeldLock {
  /** Empties the file and closes it (which drops the flock). Safe to call twice. */
  release(): void;
}

/**
 * Takes the lock on `path` without waiting and writes `holder` into it.
 *
 * @param root Lake root (created if missing); named in errors.
 * @param path The lock file (created if missing, never deleted: deleting it while another
 *   process waits on it would let two processes lock two different files of the same name).
 * @param holder What to write into the file once locked.
 * @returns The held lock, or undefined if another open file holds it.
 * @throws {LakeError} If the file cannot be opened, locked or written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tryProcessLock } from "./_process_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const holder = { pid: Deno.pid, command: "x", hostname: "h", started: 0 };
 * const lock = tryProcessLock(root, `${root}/x.lock`, holder)!;
 * assert.equal(tryProcessLock(root, `${root}/x.lock`, holder), undefined);
 * lock.release();
 * tryProcessLock(root, `${root}/x.lock`, holder)!.release();
 * ```
 */
export function tryProcessLock(root: string, path: string, holder: object): HeldLock | undefined {
  let file: Deno.FsFile;
  try {
    Deno.mkdirSync(root, { recursive: true });
    file = Deno.openSync(path, { read: true, write: true, create: true });
  } catch (error) {
    throw new LakeError(`Cannot write lake: ${root} (${errorText(error)})`, { cause: error });
  }
  let locked = false;
  try {
    locked = file.tryLockSync(true);
  } catch (error) {
    file.close();
    throw new LakeError(`Cannot lock ${path} (${errorText(error)})`, { cause: error });
  }
  if (!locked) {
    file.close();
    return undefined;
  }
  try {
    // Whatever a crashed holder left is overwritten: holding the OS lock proves it is gone.
    file.truncateSync(0);
    const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
    let done = 0;
    while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
  } catch (error) {
    file.close();
    throw new LakeError(`Cannot write ${path} (${errorText(error)})`, { cause: error });
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      try {
        file.truncateSync(0);
      } finally {
        file.close(); // closing the last descriptor drops the flock
      }
    },
  };
}

/**
 * Reads who holds (or last held) the lock on `path`.
 *
 * @param path The lock file.
 * @returns The holder with any further fields of the file, or undefined if the file is absent,
 *   empty or unreadable.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readLockHolder } from "./_process_lock.ts";
 * const path = `${Deno.makeTempDirSync()}/x.lock`;
 * assert.equal(readLockHolder(path), undefined);
 * Deno.writeTextFileSync(path, '{"pid":7,"command":"c","extra":1}');
 * assert.deepEqual(readLockHolder(path), { pid: 7, command: "c", extra: 1, hostname: "", started: NaN });
 * ```
 */
export function readLockHolder(path: string): (LockHolder & Record<string, unknown>) | undefined {
  try {
    const o = JSON.parse(Deno.readTextFileSync(path));
    if (typeof o?.pid !== "number" || typeof o.command !== "string") return undefined;
    return {
      ...o,
      hostname: typeof o.hostname === "string" ? o.hostname : "",
      started: typeof o.started === "number" ? o.started : NaN,
    };
  } catch {
    // absent, or the holder has not written it yet (it locks first, then writes)
    return undefined;
  }
}

/**
 * Reads the holder of a lock just found held, waiting up to ~0.2 s for its name: a holder locks
 * first and writes its name next, so a refusal in between would otherwise name nobody.
 *
 * @param path The lock file.
 * @returns The holder, or undefined if the file still names nobody.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBusyHolder } from "./_process_lock.ts";
 * const path = `${Deno.makeTempDirSync()}/x.lock`;
 * Deno.writeTextFileSync(path, '{"pid":7,"command":"c"}');
 * assert.equal(readBusyHolder(path)?.pid, 7);
 * ```
 */
export function readBusyHolder(path: string): (LockHolder & Record<string, unknown>) | undefined {
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (let tries = 0;; tries++) {
    const holder = readLockHolder(path);
    if (holder || tries === 10) return holder;
    Atomics.wait(nap, 0, 0, 20);
  }
}

/**
 * Names a holder for a one-line message.
 *
 * @param holder The holder, if its file could be read.
 * @returns E.g. `pid 12 (deno task compact, started 12:00:01)`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { describeHolder } from "./_process_lock.ts";
 * const holder = { pid: 12, command: "c", hostname: Deno.hostname(), started: NaN };
 * assert.equal(describeHolder(holder), "pid 12 (c, started at an unknown time)");
 * assert.match(describeHolder(undefined), /another process/);
 * ```
 */
export function describeHolder(holder: LockHolder | undefined): string {
  if (!holder) return "another process (it has not written its name yet)";
  const where = holder.hostname && holder.hostname !== Deno.hostname()
    ? ` on ${holder.hostname}`
    : "";
  return `pid ${holder.pid}${where} (${holder.command}, started ${clock(holder.started)})`;
}

/** `12:00:01` for today, `2026-12-04 12:00:01` for an earlier day (local time). */
function clock(ms: number): string {
  if (!Number.isFinite(ms)) return "at an unknown time";
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
  const day = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
  const today = new Date();
  const same = d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() &&
    d.getDate() === today.getDate();
  return same ? time : `${day} ${time}`;
}
