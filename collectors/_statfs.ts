/**
 * `statfs(2)` through libc by FFI, with `node:fs` `statfsSync` where FFI is not available.
 * Measured against `node:fs` (`deno run -A bench/collector_bench.ts --statfs-only`, 2026-12-05):
 * 3.3 against 5.0 µs per call; in a bare Deno process +3.5 against +5.4 MB of RSS, but in the
 * collect process, which opens libc for `pread` anyway, 58.2 against 58.9 MB (median peak of four
 * paired 20 s runs, `bench/collect_rss.ts`): within the spread of runs. Private to the collectors.
 *
 * @module
 */

import { cString, libc } from "./_libc.ts";

/** Statistics of a file system, as `statfs(2)` (or `node:fs` `statfsSync`) returns them. */
export interface FsStats {
  bsize: number;
  frsize?: number;
  blocks: number;
  bfree: number;
  bavail: number;
  files: number;
  ffree: number;
}

let nodeStatfs: ((path: string) => FsStats) | undefined;
const out = new BigUint64Array(15); // struct statfs on 64-bit Linux: 120 bytes
/**
 * The same bytes as 32-bit halves: each field is `lo + hi · 2³²` (the nearest double, as
 * `Number(bigint)` gives), without the BigInt that every read of `out` would allocate.
 */
const halves = new Uint32Array(out.buffer);
/** Mount points as C strings, encoded once: statfs runs for every mount at every snapshot. */
const cPaths = new Map<string, Uint8Array>();

/**
 * Statistics of the file system holding `path`.
 *
 * @param path A mount point.
 * @returns Block size, fragment size, block and inode counts.
 * @throws {Error} If the path cannot be stat'ed (`ENOENT`, `EACCES`…).
 */
export function statfs(path: string): FsStats {
  const c = libc();
  if (!c) return viaNode(path);
  let cPath = cPaths.get(path);
  if (cPath === undefined) {
    if (cPaths.size >= 4096) cPaths.clear(); // mount points come and go: bounded
    cPaths.set(path, cPath = cString(path));
  }
  const rc = c.statfs(cPath, out);
  if (rc !== 0) throw new Error(`statfs failed: ${path}`);
  // f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree, f_fsid, f_namelen, f_frsize
  const h = halves;
  return {
    bsize: h[2]! + h[3]! * 4294967296,
    blocks: h[4]! + h[5]! * 4294967296,
    bfree: h[6]! + h[7]! * 4294967296,
    bavail: h[8]! + h[9]! * 4294967296,
    files: h[10]! + h[11]! * 4294967296,
    ffree: h[12]! + h[13]! * 4294967296,
    frsize: h[18]! + h[19]! * 4294967296,
  };
}

/**
 * `statfs` through `node:fs` (loaded on first use), where the FFI path is not available.
 *
 * @param path A mount point.
 * @returns As {@linkcode statfs}.
 */
export function viaNode(path: string): FsStats {
  if (!nodeStatfs) {
    const fs = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } })
      .process?.getBuiltinModule?.("node:fs") as { statfsSync: (p: string) => FsStats };
    nodeStatfs = fs.statfsSync;
  }
  return nodeStatfs(path);
}
