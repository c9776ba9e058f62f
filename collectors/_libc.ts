/**
 * The few libc calls the collector makes through FFI, opened once. A `pread` by FFI costs about
 * a fifth less than Deno's seek + read pair on a kept-open file (one system call and no
 * resource-table lookups instead of two); `statfs` by FFI is 1.5× as fast as `node:fs` and
 * spares under 1 MB of the collector's RSS (see `_statfs.ts`). Private to the collectors.
 *
 * @module
 */

// `size_t` and `off_t` are 64-bit: Deno takes JS numbers for them (exact below 2^53, which
// any count or offset here is). pread's `ssize_t` result is read as i32, exact for reads of
// less than 2 GiB, so no BigInt is made per call.
const symbols = {
  open: { parameters: ["buffer", "i32"], result: "i32" },
  pread: { parameters: ["i32", "buffer", "u64", "i64"], result: "i32" },
  close: { parameters: ["i32"], result: "i32" },
  statfs: { parameters: ["buffer", "buffer"], result: "i32" },
  __errno_location: { parameters: [], result: "pointer" },
  // int poll(struct pollfd *fds, nfds_t nfds, int timeout): the collector's wait between
  // snapshots (see quiet_wait.ts)
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  // glibc ≥ 2.30; optional so that an older libc still gives the other calls.
  getdents64: { parameters: ["i32", "buffer", "u64"], result: "i64", optional: true },
} as const;

/** The calls, typed as they are used (see above for the integer widths). */
export interface Libc {
  open(path: Uint8Array, flags: number): number;
  pread(fd: number, buf: Uint8Array, count: number, offset: number): number;
  close(fd: number): number;
  statfs(path: Uint8Array, out: BigUint64Array): number;
  __errno_location(): Deno.PointerValue;
  poll(fds: Uint8Array, count: number, timeoutMs: number): number;
  /** `null` where libc lacks it (glibc < 2.30). Returns bytes filled, 0 at the end, < 0 on error. */
  getdents64: ((fd: number, buf: Uint8Array, count: number) => number | bigint) | null;
}

let lib: Libc | null | undefined;

/**
 * libc on 64-bit Linux (x86_64, aarch64: the struct layouts used here), where FFI is allowed;
 * `null` elsewhere (callers fall back to Deno's own APIs).
 */
export function libc(): Libc | null {
  if (lib !== undefined) return lib;
  lib = null;
  const linux64 = Deno.build.os === "linux" &&
    (Deno.build.arch === "x86_64" || Deno.build.arch === "aarch64");
  // Only where FFI is already granted: a process without it must not be prompted for it.
  if (linux64 && Deno.permissions.querySync({ name: "ffi" }).state === "granted") {
    try {
      lib = Deno.dlopen("libc.so.6", symbols).symbols as unknown as Libc;
    } catch {
      // no FFI permission, or no glibc (musl names it differently): use the fallbacks
    }
  }
  return lib;
}

/** `errno` of the calling thread after a failed call. */
export function errno(c: Libc): number {
  const p = c.__errno_location();
  return p === null ? 0 : new Deno.UnsafePointerView(p).getInt32();
}

/** `ENOENT` on Linux. */
export const ENOENT = 2;

/** `O_RDONLY | O_CLOEXEC` on Linux (x86_64 and aarch64): children do not inherit the files. */
export const O_RDONLY_CLOEXEC = 0o2000000;

/** `O_DIRECTORY` on Linux (x86_64 and aarch64). */
export const O_DIRECTORY = 0o200000;

const utf8 = new TextEncoder();

/** A path as a NUL-terminated C string. */
export function cString(path: string): Uint8Array {
  return utf8.encode(path + "\0");
}

let scratch = new Uint8Array(4096);

/**
 * A path as a NUL-terminated C string in a buffer shared by every call (valid until the next
 * call): opening thousands of files allocates no buffer per open, whose off-heap memory the
 * allocator would keep.
 */
export function cStringScratch(path: string): Uint8Array {
  if (path.length * 3 + 1 > scratch.length) scratch = new Uint8Array(path.length * 3 + 1);
  const { written } = utf8.encodeInto(path, scratch);
  scratch[written] = 0;
  return scratch;
}
