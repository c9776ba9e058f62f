/**
 * One `train` per data directory at a time: `<root>/train.lock` is held with an OS-level
 * exclusive lock (`flock`, shared code with the collector and compaction locks) for the whole of
 * a run, and names its holder. Each model file is written whole (temporary file + rename), but
 * two runs at once (serve's scheduled `train` and a manual one) rename over each other's files
 * key by key: both print "N models stored", and `models/` ends up holding some of each run's
 * fits, say 24 of the one and 6 of the other. The OS drops the lock when the holder exits,
 * `kill -9` included, so a crash never leaves the directory locked.
 *
 * @module
 */

import { LakeError } from "./errors.ts";
import { describeHolder, type LockHolder } from "./_process_lock.ts";
import { acquireNamedLock, type NamedLockKind } from "./_named_lock.ts";

/** Options for {@linkcode acquireTrainLock}. */
export interface TrainLockOptions {
  /** How this run was started, named to a refused one. Default `"deno task train"`. */
  command?: string;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** A held train lock. */
export interface TrainLock {
  /** What the lock file says. */
  readonly holder: LockHolder;
  /** Releases the lock (the file stays, emptied). Safe to call twice. */
  release(): void;
}

/** Another process is training the models of this data directory. */
export class TrainBusyError extends LakeError {
  /** The holder, where its lock file could be read. */
  readonly holder: LockHolder | undefined;

  /**
   * @param root The data directory.
   * @param holder The holder, if known.
   */
  constructor(root: string, holder: LockHolder | undefined) {
    super(
      `Data dir ${root.replace(/\/+$/, "")}/ is already being trained by ${describeHolder(holder)}`,
    );
    this.name = "TrainBusyError";
    this.holder = holder;
  }
}

/**
 * The train lock file of a lake root.
 *
 * @param root Lake root.
 * @returns `<root>/train.lock`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainLockPath } from "./train_lock.ts";
 * assert.equal(trainLockPath("data"), "data/train.lock");
 * ```
 */
export function trainLockPath(root: string): string {
  return `${root}/train.lock`;
}

/**
 * Takes the train lock of `root` without waiting.
 *
 * @param root Lake root (created if missing: `train --source` may store into a new one).
 * @param options See {@linkcode TrainLockOptions}.
 * @returns The held lock.
 * @throws {TrainBusyError} If another run holds it (the message names it).
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireTrainLock, TrainBusyError } from "./train_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const lock = acquireTrainLock(root, { command: "train --skip-if-busy" });
 * assert.throws(() => acquireTrainLock(root), (e) =>
 *   e instanceof TrainBusyError && /trained by pid \d+ \(train --skip-if-busy, started /.test(e.message));
 * lock.release();
 * acquireTrainLock(root).release();
 * ```
 */
export function acquireTrainLock(root: string, options: TrainLockOptions = {}): TrainLock {
  return acquireNamedLock(root, TRAIN, options);
}

const TRAIN: NamedLockKind = {
  path: trainLockPath,
  command: "deno task train",
  Busy: TrainBusyError,
};
