/**
 * The top-processes family: the costly part of a snapshot, so it reads only
 * `/proc/[pid]/stat` through cached handles. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { none } from "./_context.ts";
import { parsePidStat } from "./parse_pid_stat.ts";

interface Seen {
  ticks: number;
  start: number;
}

interface Row {
  pid: string;
  name: string;
  cpu: number;
  rss: number;
}

/** Ranks processes by CPU and by resident memory and emits the top N of each. */
export class ProcessScanner {
  #prev = new Map<string, Seen>();
  #prevTs = NaN;

  /**
   * @param topN Processes per ranking.
   * @param clockTicks Kernel clock ticks per second (`USER_HZ`, 100 on Linux).
   * @param pageSize Bytes per page for RSS.
   */
  constructor(readonly topN: number, readonly clockTicks: number, readonly pageSize: number) {}

  /**
   * Emits `processes_total`, then `process_cpu_ratio` and `process_rss_bytes` for the top N
   * by CPU (`rank_by=cpu`; none on the first scan, which has no CPU rates yet) and by RSS
   * (`rank_by=memory`). Processes that exit mid-scan or have unreadable stat are skipped; a
   * pid reused by a new process (other start time) starts over with no rate.
   */
  collect(ctx: Context): void {
    const seconds = (ctx.ts - this.#prevTs) / 1000;
    const next = new Map<string, Seen>();
    const byCpu: Row[] = [];
    const byRss: Row[] = [];
    const n = this.topN;
    for (const entry of Deno.readDirSync(ctx.procRoot)) {
      const pid = entry.name;
      const c = pid.charCodeAt(0);
      if (c < 48 || c > 57) continue;
      let text: string | undefined;
      const path = `${ctx.procRoot}/${pid}/stat`;
      try {
        text = ctx.files.read(path);
      } catch {
        continue;
      }
      if (text === undefined) continue;
      let s;
      try {
        s = parsePidStat(text);
      } catch {
        ctx.files.evict(path);
        continue;
      }
      const ticks = s.utime + s.stime;
      next.set(pid, { ticks, start: s.starttime });
      const before = this.#prev.get(pid);
      const cpu = before && before.start === s.starttime && ticks >= before.ticks && seconds > 0
        ? (ticks - before.ticks) / this.clockTicks / seconds
        : NaN;
      const row = { pid, name: s.name, cpu, rss: s.rssPages * this.pageSize };
      if (cpu === cpu) insert(byCpu, row, n, "cpu");
      insert(byRss, row, n, "rss");
    }
    for (const pid of this.#prev.keys()) {
      if (!next.has(pid)) ctx.files.evict(`${ctx.procRoot}/${pid}/stat`);
    }
    this.#prev = next;
    this.#prevTs = ctx.ts;
    ctx.gauge("processes_total", none, next.size);
    emit(ctx, byCpu, "cpu");
    emit(ctx, byRss, "memory");
  }
}

/** Keeps `rows` sorted descending by `key`, at most `n` long (insertion: n is small). */
function insert(rows: Row[], row: Row, n: number, key: "cpu" | "rss"): void {
  if (n <= 0) return;
  if (rows.length === n && rows[n - 1]![key] >= row[key]) return;
  let i = rows.length;
  while (i > 0 && rows[i - 1]![key] < row[key]) i--;
  rows.splice(i, 0, row);
  if (rows.length > n) rows.pop();
}

function emit(ctx: Context, rows: Row[], rank_by: string): void {
  for (const r of rows) {
    const labels = Object.freeze({ pid: r.pid, name: r.name, rank_by });
    ctx.gauge("process_cpu_ratio", labels, r.cpu);
    ctx.gauge("process_rss_bytes", labels, r.rss);
  }
}
