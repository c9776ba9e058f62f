/**
 * Parser for `/proc/[pid]/stat`.
 *
 * @module
 */

/** The fields of `/proc/[pid]/stat` the collector uses. */
export interface PidStat {
  /** Process id. */
  pid: number;
  /** Command name (`comm`, at most 15 bytes), which may hold spaces and parentheses. */
  name: string;
  /** State letter, e.g. `R`, `S`, `Z`. */
  state: string;
  /** User-mode CPU time in clock ticks. */
  utime: number;
  /** Kernel-mode CPU time in clock ticks. */
  stime: number;
  /** Start time after boot in clock ticks; tells a reused pid apart. */
  starttime: number;
  /** Resident set size in pages. */
  rssPages: number;
}

/**
 * Parses one `/proc/[pid]/stat` line. The name is taken between the first `(` and the last
 * `)`, so names holding `)` or spaces parse right.
 *
 * @param text The file's contents.
 * @returns The parsed fields.
 * @throws {SyntaxError} If the line does not have the `pid (comm) state …` shape or lacks
 *   the rss field.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePidStat } from "./parse_pid_stat.ts";
 * const line = "42 (my (app)) S 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 100 9000 25";
 * const s = parsePidStat(line);
 * assert.equal(s.name, "my (app)");
 * assert.equal(s.utime + s.stime, 10);
 * assert.equal(s.rssPages, 25);
 * ```
 */
export function parsePidStat(text: string): PidStat {
  const open = text.indexOf(" (");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close < open) throw new SyntaxError(`Invalid pid stat: ${text.slice(0, 80)}`);
  // Fields after the name, starting with field 3 (state) at index 0.
  const f = text.slice(close + 2).split(" ");
  const pid = Number(text.slice(0, open));
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const starttime = Number(f[19]);
  const rssPages = Number(f[21]);
  if (![pid, utime, stime, starttime, rssPages].every(Number.isFinite) || f[21] === undefined) {
    throw new SyntaxError(`Invalid pid stat: ${text.slice(0, 80)}`);
  }
  return {
    pid,
    name: text.slice(open + 2, close),
    state: f[0]!,
    utime,
    stime,
    starttime,
    rssPages,
  };
}
