/**
 * Private: reading an `--input` file with a bound on its size.
 *
 * @module
 */

import { errorLine } from "./_args.ts";

/**
 * Reads a regular file of at most `maxBytes` as text. Anything else gets a one-line error
 * before a byte is read: a FIFO or `/dev/zero` would block or grow without end.
 *
 * @param path The `--input` path.
 * @param maxBytes The largest size accepted.
 * @returns The text (UTF-8).
 * @throws {Error} `Cannot read --input PATH: …` for a missing, non-regular, oversized or growing
 * file.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readBounded } from "./_read_bounded.ts";
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "timestamp,value\n");
 * assert.equal(await readBounded(path, 100), "timestamp,value\n");
 * await assert.rejects(() => readBounded(path, 4), /larger than the/);
 * await assert.rejects(() => readBounded("/dev/zero", 100), /a device; give a regular file/);
 * ```
 */
export async function readBounded(path: string, maxBytes: number): Promise<string> {
  const fail = (why: string, cause?: unknown) =>
    new Error(`Cannot read --input ${path}: ${why}`, { cause });
  let file: Deno.FsFile | undefined;
  try {
    const info = await Deno.stat(path);
    if (info.isDirectory) throw fail("it is a directory");
    if (!info.isFile) {
      const kind = info.isFifo
        ? "a FIFO"
        : info.isCharDevice || info.isBlockDevice
        ? "a device"
        : info.isSocket
        ? "a socket"
        : "not a regular file";
      throw fail(`${kind}; give a regular file`);
    }
    if (info.size > maxBytes) throw fail(tooLarge(info.size, maxBytes));
    file = await Deno.open(path, { read: true });
    // the file may have grown since the stat: read at most one byte past the limit
    const buffer = new Uint8Array(Math.min(maxBytes, info.size + 65_536) + 1);
    let done = 0;
    while (done < buffer.length) {
      const n = await file.read(buffer.subarray(done));
      if (n === null) break;
      done += n;
    }
    if (done > maxBytes) throw fail(tooLarge(done, maxBytes));
    if (done === buffer.length) throw fail("it grows while being read");
    return new TextDecoder().decode(buffer.subarray(0, done));
  } catch (error) {
    if (error instanceof Error && error.message.startsWith("Cannot read --input")) throw error;
    // Deno's messages end in the syscall (`…(os error 2): stat 'x.csv'`): the common two plainly
    if (error instanceof Deno.errors.NotFound) throw fail("no such file", error);
    if (error instanceof Deno.errors.PermissionDenied) throw fail("permission denied", error);
    throw fail(errorLine(error), error);
  } finally {
    file?.close();
  }
}

function tooLarge(size: number, maxBytes: number): string {
  const mb = (n: number) => `${Math.round((n / 1024 / 1024) * 10) / 10} MiB`;
  return `larger than the ${mb(maxBytes)} limit (${mb(size)}; --max-input-mb raises it)`;
}
