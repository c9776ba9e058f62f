/**
 * The top-processes family: the costly part of a snapshot (one `/proc/[pid]/stat` read per
 * process), so it reads every process only every few seconds and the ranked ones in between.
 * A stat line is decoded and split by string built-ins: in V8's lite mode (how the collector
 * runs) that is about twice as fast as a byte loop in JavaScript. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import type { Series } from "./snapshot.ts";

const decoder = new TextDecoder();

/** What the scanner keeps about one process between snapshots. */
class Proc {
  ticks = NaN;
  start = NaN;
  readTs = NaN;
  cpu = NaN;
  rss = 0;
  name = "";
  /** Command line for the `command` label; read once when first ranked, again after exec. */
  command: string | undefined;
  /** Series by ranking ([cpu ratio, rss]), rebuilt when the name changes. */
  byCpu: [Series, Series] | undefined;
  byMemory: [Series, Series] | undefined;
  seen = 0;
  /** The round in which it was last put in the CPU ranking. */
  member = 0;
  constructor(readonly pid: string, readonly path: string) {}
}

/** Field values parsed by {@linkcode parseStat}: utime, stime, starttime, rss pages. */
const fields = new Float64Array(4);

/**
 * Parses a `/proc/[pid]/stat` line into {@linkcode fields}; the name lies between the first
 * `(` and the last `)`.
 *
 * @returns The name, or `undefined` if the line is malformed.
 */
function parseStat(text: string): string | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open <= 0 || close <= open) return undefined;
  // After the name: the state (index 0), ... utime 11, stime 12, starttime 19, rss 21.
  const f = text.slice(close + 2).split(" ", 22);
  if (f.length < 22) return undefined;
  fields[0] = digits(f[11]!);
  fields[1] = digits(f[12]!);
  fields[2] = digits(f[19]!);
  fields[3] = digits(f[21]!);
  const sum = fields[0]! + fields[1]! + fields[2]! + fields[3]!;
  if (sum !== sum) return undefined; // a field that is not a number
  return text.slice(open + 1, close);
}

/** A field as a count (the kernel prints decimal digits); `NaN` if empty or negative. */
function digits(field: string): number {
  const n = Number(field);
  return field !== "" && n >= 0 ? n : NaN;
}

/**
 * Ranks processes by CPU and by resident memory and emits the top N of each. Every `listMs`
 * it lists `/proc` and reads every process (a full scan); in between it reads only the
 * processes ranked at the last full scan, so a snapshot costs 2N reads instead of one per
 * process.
 */
export class ProcessScanner {
  #procs = new Map<string, Proc>();
  #listedTs = -Infinity;
  #fullScans = 0;
  #round = 0;
  #byCpu: Proc[] = [];
  #byRss: Proc[] = [];
  #members: Proc[] = [];

  /**
   * @param topN Processes per ranking.
   * @param clockTicks Kernel clock ticks per second (`USER_HZ`, 100 on Linux).
   * @param pageSize Bytes per page for RSS.
   * @param listMs How often (ms of snapshot time) a full scan lists `/proc` and reads every
   *   process; in between only the ranked ones are read. 0 scans fully at every snapshot.
   */
  constructor(
    readonly topN: number,
    readonly clockTicks: number,
    readonly pageSize: number,
    readonly listMs = 0,
  ) {}

  /**
   * Emits `processes_total`, then `process_cpu_ratio` and `process_rss_bytes` for the top N
   * by CPU (`rank_by=cpu`; none on the first scan, which has no CPU rates yet) and by RSS
   * (`rank_by=memory`). A process's CPU ratio covers the time since it was last read.
   * Processes that exit or have unreadable stat are dropped; a pid reused by a new process
   * (other start time) starts over with no rate. The first two snapshots are full scans (the
   * second ranks by CPU); after that, membership of the rankings and `processes_total` change
   * at full scans (and when a ranked process exits), the order within them at every snapshot.
   * Between full scans only ranked processes that used CPU at their last read are read and
   * emitted; the idle ones are read and emitted again at the next full scan.
   */
  collect(ctx: Context): void {
    const round = ++this.#round;
    const full = this.#fullScans < 2 || !(ctx.ts - this.#listedTs < this.listMs);
    if (full) {
      this.#list(ctx, round);
      this.#fullScans++;
    }
    const byCpu = this.#byCpu;
    const byRss = this.#byRss;
    byCpu.length = 0;
    byRss.length = 0;
    const n = this.topN;
    for (const p of full ? this.#procs.values() : this.#members) {
      // Between full scans a ranked process that used no CPU at its last read is left until
      // the next full scan: it cannot have moved up by CPU, and an idle process's memory
      // seldom changes. Most processes of a server sleep, so this spares most of the reads.
      if (!full && p.cpu === 0) continue;
      if (!this.#read(ctx, p)) continue;
      if (p.cpu === p.cpu) insert(byCpu, p, n, true);
      insert(byRss, p, n, false);
    }
    const members = this.#members;
    members.length = 0;
    for (const p of byCpu) {
      p.member = round;
      members.push(p);
    }
    for (const p of byRss) if (p.member !== round) members.push(p);
    ctx.gauge("processes_total", none, this.#procs.size);
    for (const p of byCpu) {
      const [cpu, rss] = p.byCpu ??= series(ctx, p, "cpu");
      ctx.put(cpu, p.cpu);
      ctx.put(rss, p.rss);
    }
    for (const p of byRss) {
      const [cpu, rss] = p.byMemory ??= series(ctx, p, "memory");
      ctx.put(cpu, p.cpu);
      ctx.put(rss, p.rss);
    }
  }

  /** Reads one process; false (and forgotten) if it is gone or its stat is malformed. */
  #read(ctx: Context, p: Proc): boolean {
    const files = ctx.files;
    let name: string | undefined;
    try {
      const len = files.readBytes(p.path);
      if (len !== undefined) name = parseStat(decoder.decode(files.bytes.subarray(0, len)));
    } catch {
      name = undefined;
    }
    if (name === undefined) {
      files.evict(p.path);
      this.#procs.delete(p.pid);
      p.cpu = NaN;
      return false;
    }
    const ticks = fields[0]! + fields[1]!;
    const start = fields[2]!;
    const seconds = (ctx.ts - p.readTs) / 1000;
    p.cpu = start === p.start && ticks >= p.ticks && seconds > 0
      ? (ticks - p.ticks) / this.clockTicks / seconds
      : NaN;
    if (start !== p.start && p.start === p.start) forget(p); // the pid now names a new process
    p.ticks = ticks;
    p.start = start;
    p.readTs = ctx.ts;
    p.rss = fields[3]! * this.pageSize;
    if (name !== p.name) { // exec renames a process
      p.name = name;
      forget(p);
    }
    return true;
  }

  /** Lists `/proc`: adds new pids, marks the listed ones seen in this round. */
  #list(ctx: Context, round: number): void {
    this.#listedTs = ctx.ts;
    for (const entry of Deno.readDirSync(ctx.procRoot)) {
      const pid = entry.name;
      const c = pid.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      let p = this.#procs.get(pid);
      if (!p) this.#procs.set(pid, p = new Proc(pid, `${ctx.procRoot}/${pid}/stat`));
      p.seen = round;
    }
    // A pid gone from the listing is gone even if its handle still reads.
    for (const p of this.#procs.values()) {
      if (p.seen !== round) {
        ctx.files.evict(p.path);
        this.#procs.delete(p.pid);
      }
    }
  }
}

/** Drops what depends on the program a pid runs: its series and its command line. */
function forget(p: Proc): void {
  p.byCpu = undefined;
  p.byMemory = undefined;
  p.command = undefined;
}

/** Longest `command` label kept, in characters (the Live page shows the rest on hover). */
export const COMMAND_MAX = 160;

/** Arguments that hold a secret: `--password=x`, `token=x`, `--password x`, `//user:pw@host`. */
const SECRET_ASSIGN =
  /^(-{0,2}[\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|auth|credentials?)[\w.-]*)[=:](.+)$/i;
const URL_PASSWORD = /(\/\/[^/:@\s]*:)[^@\s]*@/;
const SECRET_FLAG = /^-{1,2}[\w.-]*(?:pass(?:word|wd)?|secret|token|api[_-]?key|credentials?)$/i;

/**
 * A process's command line from `/proc/PID/cmdline` (arguments joined by spaces), with secret
 * looking values replaced by `***` (a command line is public on the host, but the lake and the
 * web page may travel further) and cut to {@linkcode COMMAND_MAX} characters. Kernel threads and
 * unreadable files fall back to the name from `stat`.
 *
 * @param procRoot Root of `/proc`.
 * @param pid The process id.
 * @param name The name from `stat` (the fallback).
 * @returns The command line for the `command` label.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCommand } from "./_family_processes.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/7`);
 * Deno.writeTextFileSync(`${root}/7/cmdline`, "psql\0--password\0hunter2\0db\0");
 * assert.equal(readCommand(root, "7", "psql"), "psql --password *** db");
 * assert.equal(readCommand(root, "8", "kworker/0:1"), "kworker/0:1");
 * ```
 */
export function readCommand(procRoot: string, pid: string, name: string): string {
  let bytes: Uint8Array;
  try {
    bytes = Deno.readFileSync(`${procRoot}/${pid}/cmdline`);
  } catch {
    return name; // gone, or not ours to read
  }
  return commandText(decoder.decode(bytes).split("\0"), name);
}

/**
 * The `command` label from a process's arguments: secret-looking values replaced by `***`,
 * control characters by spaces, cut to {@linkcode COMMAND_MAX} characters; `name` when there
 * are no arguments (a kernel thread).
 *
 * @param argv The arguments (empty ones are dropped).
 * @param name The fallback.
 * @returns The label value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { commandText } from "./_family_processes.ts";
 * assert.equal(commandText(["psql", "postgres://me:pw@db/x"], "psql"), "psql postgres://me:***@db/x");
 * assert.equal(commandText([], "kthreadd"), "kthreadd");
 * ```
 */
export function commandText(argv: readonly string[], name: string): string {
  const args = argv.filter((a) => a !== "");
  if (args.length === 0) return name;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = a.match(SECRET_ASSIGN);
    if (m) args[i] = `${m[1]}=***`;
    else if (URL_PASSWORD.test(a)) args[i] = a.replace(URL_PASSWORD, "$1***@");
    else if (SECRET_FLAG.test(a) && i + 1 < args.length) args[++i] = "***";
  }
  // Control characters (a newline inside an argument) would break a table row or a log line.
  // deno-lint-ignore no-control-regex
  const text = args.join(" ").replace(/[\x00-\x1f\x7f]/g, " ");
  return text.length > COMMAND_MAX ? `${text.slice(0, COMMAND_MAX - 1)}…` : text;
}

/** A process's two series in one ranking. */
function series(ctx: Context, p: Proc, rankBy: string): [Series, Series] {
  p.command ??= readCommand(ctx.procRoot, p.pid, p.name);
  const labels = Object.freeze({ pid: p.pid, name: p.name, command: p.command, rank_by: rankBy });
  return [ctx.series("process_cpu_ratio", labels), ctx.series("process_rss_bytes", labels)];
}

/** Keeps `rows` sorted descending by CPU or RSS, at most `n` long (insertion: n is small). */
function insert(rows: Proc[], p: Proc, n: number, cpu: boolean): void {
  if (n <= 0) return;
  const v = cpu ? p.cpu : p.rss;
  if (rows.length === n && (cpu ? rows[n - 1]!.cpu : rows[n - 1]!.rss) >= v) return;
  let i = rows.length;
  while (i > 0 && (cpu ? rows[i - 1]!.cpu : rows[i - 1]!.rss) < v) i--;
  rows.splice(i, 0, p);
  if (rows.length > n) rows.pop();
}
