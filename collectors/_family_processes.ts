/**
 * The top-processes family: the costly part of a snapshot (one `/proc/[pid]/stat` read per
 * process), so it parses the bytes in place, allocates nothing per process and reads every
 * process only every few seconds. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import type { Labels } from "./sample.ts";

const decoder = new TextDecoder();

/** What the scanner keeps about one process between snapshots. */
class Proc {
  ticks = NaN;
  start = NaN;
  readTs = NaN;
  cpu = NaN;
  rss = 0;
  name = "";
  nameHash = -1;
  /** Labels by ranking, rebuilt when the name changes. */
  byCpu: Labels | undefined;
  byMemory: Labels | undefined;
  seen = 0;
  constructor(readonly pid: string, readonly path: string) {}
}

/** Field values parsed by {@linkcode parseStatBytes}: utime, stime, starttime, rss pages. */
const fields = new Float64Array(4);

/**
 * Parses `/proc/[pid]/stat` bytes into {@linkcode fields}; the name lies between the first
 * `(` and the last `)`.
 *
 * @returns The offsets of the name `[open + 1, close)` packed as `open * 65536 + close`, or -1
 *   if the line is malformed.
 */
function parseStatBytes(b: Uint8Array, len: number): number {
  let open = 0;
  while (open < len && b[open] !== 40) open++; // (
  let close = len - 1;
  while (close > open && b[close] !== 41) close--; // )
  if (open === 0 || open >= len || close <= open) return -1;
  // Fields after the name: index 0 is the state (field 3); utime is 11, stime 12,
  // starttime 19, rss 21.
  let field = 0;
  let value = 0;
  let digits = 0;
  let found = 0;
  for (let i = close + 2; i <= len; i++) {
    const c = i < len ? b[i]! : 32;
    if (c === 32 || c === 10) {
      if (field === 11 || field === 12 || field === 19 || field === 21) {
        if (digits === 0) return -1;
        fields[found++] = value;
        if (field === 21) return open * 65536 + close;
      }
      field++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      value = value * 10 + (c - 48);
      digits++;
    } else if (field === 11 || field === 12 || field === 19 || field === 21) {
      return -1;
    }
  }
  return -1;
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
      if (!this.#read(ctx, p)) continue;
      if (p.cpu === p.cpu) insert(byCpu, p, n, true);
      insert(byRss, p, n, false);
    }
    const members = this.#members;
    members.length = 0;
    for (const p of byCpu) members.push(p);
    for (const p of byRss) if (!byCpu.includes(p)) members.push(p);
    ctx.gauge("processes_total", none, this.#procs.size);
    for (const p of byCpu) {
      p.byCpu ??= Object.freeze({ pid: p.pid, name: p.name, rank_by: "cpu" });
      ctx.gauge("process_cpu_ratio", p.byCpu, p.cpu);
      ctx.gauge("process_rss_bytes", p.byCpu, p.rss);
    }
    for (const p of byRss) {
      p.byMemory ??= Object.freeze({ pid: p.pid, name: p.name, rank_by: "memory" });
      ctx.gauge("process_cpu_ratio", p.byMemory, p.cpu);
      ctx.gauge("process_rss_bytes", p.byMemory, p.rss);
    }
  }

  /** Reads one process; false (and forgotten) if it is gone or its stat is malformed. */
  #read(ctx: Context, p: Proc): boolean {
    const files = ctx.files;
    let len: number | undefined;
    try {
      len = files.readBytes(p.path);
    } catch {
      len = undefined;
    }
    const at = len === undefined ? -1 : parseStatBytes(files.bytes, len);
    if (at < 0) {
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
    p.ticks = ticks;
    p.start = start;
    p.readTs = ctx.ts;
    p.rss = fields[3]! * this.pageSize;
    this.#name(p, files.bytes, Math.floor(at / 65536) + 1, at % 65536);
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

  /** Updates the name from the bytes `[from, to)` when they changed (exec renames). */
  #name(p: Proc, b: Uint8Array, from: number, to: number): void {
    let h = to - from;
    for (let i = from; i < to; i++) h = (h * 31 + b[i]!) | 0;
    if (h === p.nameHash) return;
    p.nameHash = h;
    p.name = decoder.decode(b.subarray(from, to));
    p.byCpu = undefined;
    p.byMemory = undefined;
  }
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
