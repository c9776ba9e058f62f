/**
 * One collector per data directory: `DATA/collector.lock` is held with an OS-level exclusive
 * lock (`flock`) for as long as a collector writes the spool, and names its holder (pid, host,
 * start time, command). The OS drops the lock when the holder exits, even by `kill -9`, so a
 * lock file left behind by a crash is stale by construction and the next collector takes it over.
 * The file itself is never deleted: deleting it while another process waits on it would let two
 * processes lock two different files of the same name.
 *
 * @module
 */

import { LakeError } from "./errors.ts";
import {
  describeHolder,
  type LockHolder,
  readBusyHolder,
  readLockHolder,
  tryProcessLock,
} from "./_process_lock.ts";

/** Who holds a collector lock, as written in the lock file. */
export interface CollectorLockOwner extends LockHolder {
  /** The process to name (for a collector run by `serve`: serve's pid). */
  pid: number;
  /** How it was started, e.g. `deno task collect`. */
  command: string;
  /** Host name of the holder. */
  hostname: string;
  /** When it took the lock, ms since the epoch. */
  started: number;
  /** The pid of the collecting process where it differs from `pid`. */
  collectorPid?: number;
}

/** Options for {@linkcode acquireCollectorLock}. */
export interface CollectorLockOptions {
  /** The pid to name. Default `Deno.pid`. */
  pid?: number;
  /** How this collector was started. Default `"deno task collect"`. */
  command?: string;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** A held collector lock. */
export interface CollectorLock {
  /** What the lock file says. */
  readonly owner: CollectorLockOwner;
  /** Releases the lock (the file stays, emptied). Safe to call twice. */
  release(): void;
}

/** Another process already collects into this data directory. */
export class CollectorBusyError extends LakeError {
  /** The holder, where its lock file could be read. */
  readonly owner: CollectorLockOwner | undefined;

  /**
   * @param root The data directory.
   * @param owner The holder, if known.
   */
  constructor(root: string, owner: CollectorLockOwner | undefined) {
    super(
      `Data dir ${root.replace(/\/+$/, "")}/ is already being collected by ${
        describeHolder(owner)
      }`,
    );
    this.name = "CollectorBusyError";
    this.owner = owner;
  }
}

/**
 * The lock file of a lake root.
 *
 * @param root Lake root.
 * @returns `<root>/collector.lock`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { collectorLockPath } from "./collector_lock.ts";
 * assert.equal(collectorLockPath("data"), "data/collector.lock");
 * ```
 */
export function collectorLockPath(root: string): string {
  return `${root}/collector.lock`;
}

/**
 * Takes the collector lock of `root` without waiting.
 *
 * @param root Lake root (created if missing).
 * @param options See {@linkcode CollectorLockOptions}.
 * @returns The held lock.
 * @throws {CollectorBusyError} If another process holds it (the message names the holder).
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireCollectorLock, CollectorBusyError } from "./collector_lock.ts";
 * const root = Deno.makeTempDirSync();
 * const lock = acquireCollectorLock(root, { pid: 1234, command: "deno task serve" });
 * assert.throws(() => acquireCollectorLock(root), (e) =>
 *   e instanceof CollectorBusyError && /collected by pid 1234 \(deno task serve, started/.test(e.message));
 * lock.release();
 * acquireCollectorLock(root).release();
 * ```
 */
export function acquireCollectorLock(
  root: string,
  options: CollectorLockOptions = {},
): CollectorLock {
  const path = collectorLockPath(root);
  const owner: CollectorLockOwner = {
    pid: options.pid ?? Deno.pid,
    command: options.command ?? "deno task collect",
    hostname: Deno.hostname(),
    started: (options.now ?? Date.now)(),
    ...(options.pid !== undefined && options.pid !== Deno.pid ? { collectorPid: Deno.pid } : {}),
  };
  const held = tryProcessLock(root, path, owner);
  if (!held) throw new CollectorBusyError(root, asOwner(readBusyHolder(path)));
  return { owner, release: () => held.release() };
}

/**
 * Reads who holds (or last held) the lock of `root`.
 *
 * @param root Lake root.
 * @returns The owner, or undefined if the file is absent, empty or unreadable.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireCollectorLock, readCollectorLock } from "./collector_lock.ts";
 * const root = Deno.makeTempDirSync();
 * assert.equal(readCollectorLock(root), undefined);
 * const lock = acquireCollectorLock(root);
 * assert.equal(readCollectorLock(root)?.pid, Deno.pid);
 * lock.release();
 * ```
 */
export function readCollectorLock(root: string): CollectorLockOwner | undefined {
  return asOwner(readLockHolder(collectorLockPath(root)));
}

function asOwner(o: ReturnType<typeof readLockHolder>): CollectorLockOwner | undefined {
  if (!o) return undefined;
  return {
    pid: o.pid,
    command: o.command,
    hostname: o.hostname,
    started: o.started,
    ...(typeof o.collectorPid === "number" ? { collectorPid: o.collectorPid } : {}),
  };
}
