/**
 * Parser for `/proc/stat`.
 *
 * @module
 */

import { exactJsonRows } from "./_fields.ts";

/** CPU time of one CPU (or all) in clock ticks, per mode. */
export interface CpuTimes {
  /** `total` for the summary line, else the CPU number, e.g. `"0"`. */
  cpu: string;
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

/** The parsed `/proc/stat`. Counters are totals since boot. */
export interface ProcStat {
  /** The `cpu` summary line first (`cpu: "total"`), then one entry per CPU line. */
  cpus: CpuTimes[];
  /** Context switches since boot (`ctxt`); `NaN` if absent. */
  contextSwitches: number;
  /** Interrupts since boot (first number of `intr`); `NaN` if absent. */
  interrupts: number;
  /** Soft interrupts since boot (first number of `softirq`); `NaN` if absent. */
  softirqs: number;
  /** Forks since boot (`processes`); `NaN` if absent. */
  forks: number;
  /** Runnable tasks now (`procs_running`); `NaN` if absent. */
  procsRunning: number;
  /** Tasks blocked on I/O now (`procs_blocked`); `NaN` if absent. */
  procsBlocked: number;
}

/** The CPU modes in the order `/proc/stat` lists them. */
export const cpuModes = [
  "user",
  "nice",
  "system",
  "idle",
  "iowait",
  "irq",
  "softirq",
  "steal",
] as const;

/**
 * Parses `/proc/stat`. Columns that old kernels lack (`iowait`, `irq`, `softirq` before 2.6,
 * `steal` before 2.6.11) read as 0; `guest` and `guest_nice` are ignored because the kernel
 * already counts them in `user` and `nice`. CPU lines with a non-numeric column are skipped,
 * as are unknown lines.
 *
 * @param text The file's contents.
 * @returns CPU times and system counters.
 * @throws {SyntaxError} If there is no valid `cpu` summary line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseProcStat } from "./parse_proc_stat.ts";
 * const s = parseProcStat("cpu  10 0 5 85 0 0 0 0 0 0\ncpu0 10 0 5 85 0 0 0 0 0 0\nctxt 42\n");
 * assert.equal(s.cpus.length, 2);
 * assert.equal(s.cpus[0]!.cpu, "total");
 * assert.equal(s.cpus[1]!.idle, 85);
 * assert.equal(s.contextSwitches, 42);
 * ```
 */
export function parseProcStat(text: string): ProcStat {
  const out = noCounters();
  let total: CpuTimes | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith("cpu")) {
      readCounter(out, line);
      continue;
    }
    const times = parseCpuLine(line);
    if (!times) continue;
    if (times.cpu === "total") total = times;
    else out.cpus.push(times);
  }
  if (!total) throw new SyntaxError("Invalid /proc/stat: no cpu summary line");
  out.cpus.unshift(total);
  return out;
}

const cpuNames = /\ncpu/g;
const spaces = / /g;

/**
 * The CPU lines of `/proc/stat` as the kernel writes them, read with one `JSON.parse`: row 0
 * is the summary line (its first entry a 0 in place of a name), then one row per `cpuN` line
 * (its first entry N), each followed by the line's columns. In V8's interpreter (the collector
 * runs in lite mode) a few built-in calls over the whole block cost a fraction of a split and a
 * `Number()` per column. The block is taken only when it reads back to the same text
 * (`JSON.stringify`) and has no commas or brackets of its own: every entry then is a finite
 * number written as JSON writes it, which `Number()` reads the same, and every line had single
 * spaces after a name `cpu` + number.
 * Anything else (other spacing, a non-numeric column, an odd line among the CPU lines, a
 * missing summary line, counters beyond 2^53 that do not read back) gives `undefined`, and
 * the caller reads the file with {@linkcode parseProcStat}, which knows those cases. Rows are
 * not checked further: a row may have fewer than 4 columns, and a CPU number may be one that
 * names no CPU (negative, fractional); the caller skips such rows as `parseProcStat` skips
 * such lines.
 *
 * @param text The file's contents.
 * @returns The rows and where the CPU lines end, or `undefined`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cpuRows } from "./parse_proc_stat.ts";
 * const r = cpuRows("cpu  10 0 5 85\ncpu0 10 0 5 85\nctxt 42\n");
 * assert.deepEqual(r?.rows, [[0, 10, 0, 5, 85], [0, 10, 0, 5, 85]]);
 * assert.equal(cpuRows("cpu 10 0 5 85\n"), undefined); // one space after "cpu": not the kernel's
 * ```
 */
export function cpuRows(text: string): { rows: number[][]; end: number } | undefined {
  if (!text.startsWith("cpu  ")) return undefined;
  // The last CPU line, searched for back from `intr` (which the kernel writes next) rather
  // than from the end of the file: `intr` can be kilobytes long, and a backward search is slow.
  // A CPU line after it goes to the line parser.
  const intr = text.indexOf("\nintr");
  if (intr >= 0 && text.indexOf("\ncpu", intr) >= 0) return undefined;
  const last = text.lastIndexOf("\ncpu", intr < 0 ? Infinity : intr);
  let end = text.indexOf("\n", last < 0 ? 0 : last + 1);
  if (end < 0) end = text.length;
  const block = text.slice(5, end);
  // (global regular expressions without special characters are searched for as strings, not
  // run, and replace faster than replaceAll; the brackets first, so that JSON.parse gets a flat
  // string)
  const json = ("[[0," + block + "]]").replace(cpuNames, "],[").replace(spaces, ",");
  const rows = exactJsonRows(block, json);
  return rows && { rows, end };
}

/**
 * The system counters of `/proc/stat` (the lines other than CPU lines) from offset `from`.
 *
 * @param text The file's contents.
 * @param from Where to start reading (the end of the CPU lines, or 0).
 * @returns The counters, with no CPUs.
 */
export function statCounters(text: string, from: number): ProcStat {
  const out = noCounters();
  for (const line of text.slice(from).split("\n")) {
    if (!line.startsWith("cpu")) readCounter(out, line);
  }
  return out;
}

function noCounters(): ProcStat {
  return {
    cpus: [],
    contextSwitches: NaN,
    interrupts: NaN,
    softirqs: NaN,
    forks: NaN,
    procsRunning: NaN,
    procsBlocked: NaN,
  };
}

/** Reads one line other than a CPU line into `out` (unknown lines are skipped). */
function readCounter(out: ProcStat, line: string): void {
  const sp = line.indexOf(" ");
  if (sp < 0) return;
  const key = line.slice(0, sp);
  const value = Number(line.slice(sp + 1, nextSpace(line, sp + 1)));
  switch (key) {
    case "ctxt":
      out.contextSwitches = value;
      break;
    case "intr":
      out.interrupts = value;
      break;
    case "softirq":
      out.softirqs = value;
      break;
    case "processes":
      out.forks = value;
      break;
    case "procs_running":
      out.procsRunning = value;
      break;
    case "procs_blocked":
      out.procsBlocked = value;
      break;
  }
}

function nextSpace(line: string, from: number): number {
  const i = line.indexOf(" ", from);
  return i < 0 ? line.length : i;
}

const digitsOnly = /^\d+$/;

/**
 * Whether what follows `cpu` on a CPU line names a CPU (digits only); other lines are skipped.
 *
 * @param id The name without `cpu`, e.g. `"12"`.
 * @returns True for a CPU number.
 */
export function isCpuNumber(id: string): boolean {
  return digitsOnly.test(id);
}

function parseCpuLine(line: string): CpuTimes | undefined {
  // Columns are separated by one space, two after the summary's "cpu".
  const parts = line.split(" ");
  const name = parts[0]!;
  const id = name === "cpu" ? "total" : name.slice(3);
  if (id !== "total" && !isCpuNumber(id)) return undefined;
  const v = columns;
  v.fill(0);
  let k = 0;
  for (let i = 1; i < parts.length && k < 8; i++) {
    const p = parts[i]!;
    if (p === "") continue;
    const n = Number(p);
    if (!Number.isFinite(n)) return undefined;
    v[k++] = n;
  }
  if (k < 4) return undefined;
  return {
    cpu: id,
    user: v[0]!,
    nice: v[1]!,
    system: v[2]!,
    idle: v[3]!,
    iowait: v[4]!,
    irq: v[5]!,
    softirq: v[6]!,
    steal: v[7]!,
  };
}

/** One CPU line's first eight columns (scratch). */
const columns = new Float64Array(8);
