/**
 * One `serve` per data directory: `DATA/serve.lock` is held with an OS-level exclusive lock
 * (`flock`, shared code with the collector and compaction locks) for as long as a serve runs,
 * and names its holder. Two serves on one directory each keep their own copy of the state they
 * write whole (`workflows/state.json`, `schedule/state.json`, `alerts/state.json`) and overwrite
 * the other's, and both run an ingest writer on the same ingest spool. The lock is apart from
 * `collector.lock`, which a serve's collector child holds in serve's name: `--no-collect` takes
 * this one only, and a separate `deno task collect` this one never. The OS drops it when the
 * holder exits, `kill -9` included, so a restart after a crash starts at once.
 *
 * @module
 */

import { LakeError } from "./errors.ts";
import { describeHolder, type LockHolder } from "./_process_lock.ts";
import { acquireNamedLock, type NamedLockKind, readNamedLock } from "./_named_lock.ts";

/** Options for {@linkcode acquireServeLock}. */
export interface ServeLockOptions {
  /** How this serve was started, named to a refused one. Default `"deno task serve"`. */
  command?: string;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** A held serve lock. */
export interface ServeLock {
  /** What the lock file says. */
  readonly holder: LockHolder;
  /** Releases the lock (the file stays, emptied). Safe to call twice. */
  release(): void;
}

/** Another serve runs on this data directory. */
export class ServeBusyError extends LakeError {
  /** The holder, where its lock file could be read. */
  readonly holder: LockHolder | undefined;

  /**
   * @param root The data directory.
   * @param holder The holder, if known.
   */
  constructor(root: string, holder: LockHolder | undefined) {
    super(`Data dir ${root.replace(/\/+$/, "")}/ is already served by ${describeHolder(holder)}`);
    this.name = "ServeBusyError";
    this.holder = holder;
  }
}

/**
 * The serve lock file of a lake root.
 *
 * @param root Lake root.
 * @returns `<root>/serve.lock`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { serveLockPath } from "./serve_lock.ts";
 * assert.equal(serveLockPath("data"), "data/serve.lock");
 * ```
 */
export function serveLockPath(root: string): string {
  return `${root}/serve.lock`;
}

/**
 * Takes the serve lock of `root` without waiting.
 *
 * @param root Lake root (created if missing).
 * @param options See {@linkcode ServeLockOptions}.
 * @returns The held lock.
 * @throws {ServeBusyError} If another serve holds it (the message names it).
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireServeLock, ServeBusyError } from "./serve_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const lock = acquireServeLock(root);
 * assert.throws(() => acquireServeLock(root), (e) =>
 *   e instanceof ServeBusyError && /served by pid \d+ \(deno task serve, started/.test(e.message));
 * lock.release();
 * acquireServeLock(root).release();
 * ```
 */
export function acquireServeLock(root: string, options: ServeLockOptions = {}): ServeLock {
  return acquireNamedLock(root, SERVE, options);
}

/**
 * Reads who holds (or last held) the serve lock of `root`.
 *
 * @param root Lake root.
 * @returns The holder, or undefined if the file is absent, empty or unreadable.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireServeLock, readServeLock } from "./serve_lock.ts";
 * const root = Deno.makeTempDirSync();
 * assert.equal(readServeLock(root), undefined);
 * const lock = acquireServeLock(root);
 * assert.equal(readServeLock(root)?.pid, Deno.pid);
 * lock.release();
 * assert.equal(readServeLock(root), undefined);
 * ```
 */
export function readServeLock(root: string): LockHolder | undefined {
  return readNamedLock(serveLockPath(root));
}

const SERVE: NamedLockKind = {
  path: serveLockPath,
  command: "deno task serve",
  Busy: ServeBusyError,
};
