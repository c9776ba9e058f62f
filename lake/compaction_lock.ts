/**
 * One compaction per lake at a time: `<root>/compact.lock` is held with an OS-level exclusive
 * lock (`flock`, shared code with the collector lock) for the whole of a compaction, and names
 * its holder. Two compactions at once (serve's scheduled run and a manual `deno task compact`,
 * or a run that outlived serve's shutdown and the next start's catch-up run) race on the same
 * files: one deletes the inputs the other is still reading, and each reports the full work. The
 * OS drops the lock when the holder exits, `kill -9` included, so a crash never leaves the lake
 * locked.
 *
 * @module
 */

import { LakeError } from "./errors.ts";
import { describeHolder, type LockHolder } from "./_process_lock.ts";
import { acquireNamedLock, type NamedLockKind, readNamedLock } from "./_named_lock.ts";

/** Options for {@linkcode acquireCompactionLock}. */
export interface CompactionLockOptions {
  /** How this compaction was started, named to a refused one. Default `"deno task compact"`. */
  command?: string;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** A held compaction lock. */
export interface CompactionLock {
  /** What the lock file says. */
  readonly holder: LockHolder;
  /** Releases the lock (the file stays, emptied). Safe to call twice. */
  release(): void;
}

/** Another process is compacting this lake. */
export class CompactionBusyError extends LakeError {
  /** The holder, where its lock file could be read. */
  readonly holder: LockHolder | undefined;

  /**
   * @param root The lake root.
   * @param holder The holder, if known.
   */
  constructor(root: string, holder: LockHolder | undefined) {
    super(
      `Lake ${root.replace(/\/+$/, "")}/ is already being compacted by ${describeHolder(holder)}`,
    );
    this.name = "CompactionBusyError";
    this.holder = holder;
  }
}

/**
 * The compaction lock file of a lake root.
 *
 * @param root Lake root.
 * @returns `<root>/compact.lock`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compactionLockPath } from "./compaction_lock.ts";
 * assert.equal(compactionLockPath("data"), "data/compact.lock");
 * ```
 */
export function compactionLockPath(root: string): string {
  return `${root}/compact.lock`;
}

/**
 * Takes the compaction lock of `root` without waiting.
 *
 * @param root Lake root.
 * @param options See {@linkcode CompactionLockOptions}.
 * @returns The held lock.
 * @throws {CompactionBusyError} If another compaction holds it (the message names it).
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireCompactionLock, CompactionBusyError } from "./compaction_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const lock = acquireCompactionLock(root, { command: "deno task serve (scheduled)" });
 * assert.throws(() => acquireCompactionLock(root), (e) =>
 *   e instanceof CompactionBusyError && /compacted by pid \d+ \(deno task serve \(scheduled\)/.test(e.message));
 * lock.release();
 * acquireCompactionLock(root).release();
 * ```
 */
export function acquireCompactionLock(
  root: string,
  options: CompactionLockOptions = {},
): CompactionLock {
  return acquireNamedLock(root, COMPACTION, options);
}

/**
 * Reads who holds (or last held) the compaction lock of `root`.
 *
 * @param root Lake root.
 * @returns The holder, or undefined if the file is absent, empty or unreadable.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireCompactionLock, readCompactionLock } from "./compaction_lock.ts";
 * const root = Deno.makeTempDirSync();
 * assert.equal(readCompactionLock(root), undefined);
 * const lock = acquireCompactionLock(root);
 * assert.equal(readCompactionLock(root)?.pid, Deno.pid);
 * lock.release();
 * assert.equal(readCompactionLock(root), undefined);
 * ```
 */
export function readCompactionLock(root: string): LockHolder | undefined {
  return readNamedLock(compactionLockPath(root));
}

const COMPACTION: NamedLockKind = {
  path: compactionLockPath,
  command: "deno task compact",
  Busy: CompactionBusyError,
};
