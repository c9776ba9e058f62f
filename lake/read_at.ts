/**
 * Reading a byte range of an open file: one `readSync` may return less than asked, so the read
 * loops until the range is whole or the file ends.
 *
 * @module
 */

/**
 * Reads up to `length` bytes at `offset` (fewer where the file ends first).
 *
 * @param file An open file (its position is moved).
 * @param offset Where to start, bytes from the start of the file.
 * @param length How many bytes to read.
 * @returns The bytes read: a fresh array of exactly `length` bytes when the range is whole (its
 *   `buffer` holds nothing else), else a shorter view of it.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAt } from "./read_at.ts";
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "abcdef");
 * using file = Deno.openSync(path);
 * assert.deepEqual(readAt(file, 2, 3), new TextEncoder().encode("cde"));
 * assert.deepEqual(readAt(file, 4, 10), new TextEncoder().encode("ef"));
 * ```
 */
export function readAt(file: Deno.FsFile, offset: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  file.seekSync(offset, Deno.SeekMode.Start);
  let done = 0;
  while (done < length) {
    const n = file.readSync(out.subarray(done));
    if (n === null || n === 0) break;
    done += n;
  }
  return done === length ? out : out.subarray(0, done);
}
