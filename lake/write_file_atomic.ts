/**
 * Writing a file so that readers see either nothing or the whole file.
 *
 * @module
 */

import { LakeError } from "./errors.ts";

/** Options for {@linkcode writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** Flush the data to disk before the rename (fsync), so a power loss cannot leave a torn file
   * under the final name. Default `true`. */
  sync?: boolean;
}

let counter = 0;

/**
 * Writes bytes to a temporary name in the same directory (ending in `.tmp`, which no reader's
 * `*.parquet` glob matches), flushes it to disk, then renames it over `path`. Creates missing
 * parent directories.
 *
 * @param path The final path.
 * @param bytes The contents, or pieces of it written one after the other.
 * @param options See {@linkcode WriteFileAtomicOptions}.
 * @throws {LakeError} If the directory cannot be created or written.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "./write_file_atomic.ts";
 * const dir = Deno.makeTempDirSync();
 * writeFileAtomic(`${dir}/a/b.txt`, new TextEncoder().encode("hi"));
 * assert.equal(Deno.readTextFileSync(`${dir}/a/b.txt`), "hi");
 * assert.deepEqual([...Deno.readDirSync(`${dir}/a`)].map((e) => e.name), ["b.txt"]);
 * ```
 */
export function writeFileAtomic(
  path: string,
  bytes: Uint8Array | readonly Uint8Array[],
  options: WriteFileAtomicOptions = {},
): void {
  const dir = path.slice(0, path.lastIndexOf("/")) || ".";
  const tmp = `${path}.${Deno.pid}-${++counter}.tmp`;
  try {
    Deno.mkdirSync(dir, { recursive: true });
    const file = Deno.openSync(tmp, { write: true, create: true, truncate: true });
    try {
      for (const part of bytes instanceof Uint8Array ? [bytes] : bytes) {
        let done = 0;
        while (done < part.length) done += file.writeSync(part.subarray(done));
      }
      if (options.sync ?? true) file.syncDataSync();
    } finally {
      file.close();
    }
    Deno.renameSync(tmp, path);
  } catch (error) {
    try {
      Deno.removeSync(tmp);
    } catch {
      // the temporary file was never created or is already gone
    }
    throw new LakeError(`Cannot write ${path}: ${errorText(error)}`, { cause: error });
  }
  if (options.sync ?? true) syncDir(dir);
}

/** Flushes a directory entry (the rename) to disk; a no-op where the platform refuses. */
export function syncDir(dir: string): void {
  try {
    const handle = Deno.openSync(dir, { read: true });
    try {
      handle.syncSync();
    } finally {
      handle.close();
    }
  } catch {
    // directories cannot be opened for fsync on every platform: best effort
  }
}

/** A short text for an error, used in one-line messages. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message.split("\n")[0]! : String(error);
}
