/**
 * What the serve, compaction and train locks have in common: each is one named file under a lake
 * root, held by this process under a command name, refused with an error naming the holder. Each
 * of those modules keeps its own names, types and message and passes them in here. The collector
 * lock stays apart: its holder may name another pid (serve's, for a collector child) and carries
 * `collectorPid`.
 *
 * @module
 */

import {
  type LockHolder,
  readBusyHolder,
  readLockHolder,
  tryProcessLock,
} from "./_process_lock.ts";

/** What tells one named lock from another. */
export interface NamedLockKind {
  /** The lock file of a lake root. */
  path(root: string): string;
  /** The command written when the caller names none, e.g. `"deno task serve"`. */
  command: string;
  /** The error thrown when another process holds the lock. */
  Busy: new (root: string, holder: LockHolder | undefined) => Error;
}

/** Options for {@linkcode acquireNamedLock}. */
export interface NamedLockOptions {
  /** How this process was started, named to a refused one. Default the kind's `command`. */
  command?: string;
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
}

/** A held named lock. */
export interface NamedLock {
  /** What the lock file says. */
  readonly holder: LockHolder;
  /** Releases the lock (the file stays, emptied). Safe to call twice. */
  release(): void;
}

/**
 * Takes the lock `kind` names under `root` without waiting.
 *
 * @param root Lake root (created if missing).
 * @param kind The lock's file, default command and busy error.
 * @param options See {@linkcode NamedLockOptions}.
 * @returns The held lock.
 * @throws {Error} `kind.Busy` if another process holds it.
 * @throws {LakeError} If the lock file cannot be written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { acquireNamedLock } from "./_named_lock.ts";
 * class Busy extends Error {}
 * const kind = { path: (root: string) => `${root}/x.lock`, command: "x", Busy };
 * const root = Deno.makeTempDirSync();
 * const lock = acquireNamedLock(root, kind, { now: () => 5 });
 * assert.deepEqual([lock.holder.command, lock.holder.started], ["x", 5]);
 * assert.throws(() => acquireNamedLock(root, kind), Busy);
 * lock.release();
 * acquireNamedLock(root, kind).release();
 * ```
 */
export function acquireNamedLock(
  root: string,
  kind: NamedLockKind,
  options: NamedLockOptions = {},
): NamedLock {
  const holder: LockHolder = {
    pid: Deno.pid,
    command: options.command ?? kind.command,
    hostname: Deno.hostname(),
    started: (options.now ?? Date.now)(),
  };
  const path = kind.path(root);
  const held = tryProcessLock(root, path, holder);
  if (!held) throw new kind.Busy(root, asHolder(readBusyHolder(path)));
  return { holder, release: () => held.release() };
}

/**
 * Reads who holds (or last held) the lock file at `path`, with its four fields only.
 *
 * @param path The lock file.
 * @returns The holder, or undefined if the file is absent, empty or unreadable.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readNamedLock } from "./_named_lock.ts";
 * const path = `${Deno.makeTempDirSync()}/x.lock`;
 * Deno.writeTextFileSync(path, '{"pid":7,"command":"c","hostname":"h","started":1,"extra":1}');
 * assert.deepEqual(readNamedLock(path), { pid: 7, command: "c", hostname: "h", started: 1 });
 * ```
 */
export function readNamedLock(path: string): LockHolder | undefined {
  return asHolder(readLockHolder(path));
}

function asHolder(o: ReturnType<typeof readLockHolder>): LockHolder | undefined {
  return o && { pid: o.pid, command: o.command, hostname: o.hostname, started: o.started };
}
