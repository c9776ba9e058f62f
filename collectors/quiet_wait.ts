/**
 * The collector's wait between snapshots, outside Deno's event loop.
 *
 * Why: in Deno every turn of the event loop that fires a timer costs about 0.3 ms of CPU on this
 * project's 2-core VM, whatever the work the timer does (a `setTimeout(…, 1000)` loop that does
 * nothing: 0.51–0.61 ms/s; the same process asleep in `poll(2)` by FFI: 0.21–0.23 ms/s, the cost of
 * one wake-up; `--lite-mode,--single-threaded` or not). At one snapshot a second that turn is a
 * sixth of the collector's CPU. So the collection loop sleeps in `poll(2)` and takes its snapshots
 * back to back in one task, and lets the event loop run only when something may need it:
 *
 * - a signal: Linux hands a signal sent to the process to its main thread when that thread does
 *   not block it, and never restarts `poll` after the handler ran (`signal(7)`), so the wait ends
 *   at once and the listeners (Ctrl-C, SIGTERM) run on the event loop right after;
 * - a watched descriptor that becomes readable or is hung up (serve's pipe on the supervised
 *   collector's stdin: serve exited);
 * - a deadline the caller has a timer for (`--duration`);
 * - anything the event loop itself waits on: its `epoll` descriptors (found once, in
 *   `/proc/self/fd`) are watched too. This is what catches a signal that arrives while the
 *   snapshot runs or just before `poll` starts: its handler has then already run (it only
 *   writes a byte for the event loop) and `poll` is not interrupted, but the event loop's
 *   `epoll` is readable until the listener ran.
 *
 * @module
 */

import { libc } from "./_libc.ts";

/** Options of {@linkcode quietWait}. */
export interface QuietWaitOptions {
  /** File descriptors whose input (or hang-up) ends a wait, e.g. `[0]` for stdin. Default none. */
  watch?: readonly number[];
  /** A time (ms since the epoch), or a function asked at each wait for it, after which every
   * wait ends at once, returning false: something on the event loop is due then (the end of
   * `--duration`, a remote-write sender's next batch). Default none. */
  until?: number | (() => number);
}

/**
 * Waits up to `ms` milliseconds without the event loop.
 *
 * @returns `true` if the whole time passed with nothing to do; `false` if the wait ended because
 *   a signal arrived, a watched descriptor is ready, the deadline passed, or `poll` failed: the
 *   caller then lets the event loop run (it may return early).
 */
export type QuietWait = (ms: number) => boolean;

/** `POLLIN`: data to read (a hang-up is reported whether asked for or not). */
const POLLIN = 1;

/**
 * A wait between snapshots that costs one wake-up and no turn of the event loop (see the module
 * documentation), or `undefined` where libc cannot be reached by FFI (not 64-bit Linux with
 * glibc, or no FFI permission): callers then use timers.
 *
 * @param options See {@linkcode QuietWaitOptions}.
 * @returns The wait, or `undefined`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { quietWait } from "./quiet_wait.ts";
 * const wait = quietWait();
 * if (wait) {
 *   // true: 5 ms passed with nothing to do; false: something cut it short (the event loop had
 *   // work, a signal came): the caller then lets the event loop run
 *   const quiet: boolean = wait(5);
 *   assert.equal(typeof quiet, "boolean");
 *   assert.equal(quietWait({ until: Date.now() - 1 })!(5), false); // past the deadline
 * }
 * ```
 */
export function quietWait(options: QuietWaitOptions = {}): QuietWait | undefined {
  const c = libc();
  if (c === null) return undefined;
  // the event loop's epoll descriptors: see the module documentation (a signal caught
  // outside the poll)
  const watch = [...(options.watch ?? []), ...eventLoopFds()];
  const due = options.until;
  // struct pollfd { int fd; short events; short revents; }: 8 bytes each, little- or big-endian
  // as the host (DataView with the platform's order: x86_64 and aarch64 Linux are little-endian)
  const fds = new Uint8Array(8 * Math.max(1, watch.length));
  const view = new DataView(fds.buffer);
  const set = () => {
    watch.forEach((fd, i) => {
      view.setInt32(8 * i, fd, true);
      view.setInt16(8 * i + 4, POLLIN, true);
      view.setInt16(8 * i + 6, 0, true);
    });
  };
  return (ms) => {
    let timeout = Math.ceil(ms);
    const until = typeof due === "function" ? due() : due;
    if (until !== undefined) {
      const left = until - Date.now();
      if (left <= 0) return false;
      if (left < timeout) timeout = Math.ceil(left);
    }
    if (!(timeout >= 0)) timeout = 0;
    if (watch.length > 0) set();
    // 0: the time passed; > 0: a descriptor is ready; -1: a signal (EINTR) or an error
    const ready = c.poll(fds, watch.length, Math.min(timeout, 0x7fffffff));
    if (ready !== 0) return false;
    return until === undefined || Date.now() < until;
  };
}

/** The process' `epoll` descriptors (Deno's event loop), none where `/proc` cannot tell. */
function eventLoopFds(): number[] {
  const fds: number[] = [];
  try {
    for (const e of Deno.readDirSync("/proc/self/fd")) {
      try {
        if (Deno.readLinkSync(`/proc/self/fd/${e.name}`) === "anon_inode:[eventpoll]") {
          fds.push(Number(e.name));
        }
      } catch {
        // closed meanwhile (the directory's own descriptor among them)
      }
    }
  } catch {
    // no /proc: signals caught outside the poll wait for the next turn, as before
  }
  return fds;
}
