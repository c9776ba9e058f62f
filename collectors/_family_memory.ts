/**
 * Memory, swap and paging families. Private to the collectors.
 *
 * @module
 */

import type { Context } from "./_context.ts";
import { Key } from "./_lookup.ts";

// The keys read, found directly in the text (as parseMeminfo / parseVmstat would read them).
const mem = Object.fromEntries(
  [
    "MemTotal",
    "MemFree",
    "MemAvailable",
    "Buffers",
    "Cached",
    "SReclaimable",
    "Shmem",
    "Slab",
    "Dirty",
    "SwapTotal",
    "SwapFree",
  ].map((k) => [k, new Key(k, ":")]),
) as Record<string, Key>;
const vm = Object.fromEntries(
  ["pgfault", "pgmajfault", "pswpin", "pswpout"].map((k) => [k, new Key(k, " ")]),
) as Record<string, Key>;

/**
 * `/proc/meminfo`. `used` is `MemTotal − MemAvailable` (as `free` shows it); where a kernel
 * older than 3.14 has no `MemAvailable`, available is estimated as
 * `MemFree + Buffers + Cached + SReclaimable`. States whose keys are absent are not emitted.
 */
export function collectMeminfo(ctx: Context): void {
  const text = ctx.proc("meminfo");
  if (text === undefined) return;
  const m = { get: (key: string) => mem[key]!.find(text) }; // the first line with the key
  const total = m.get("MemTotal");
  const free = m.get("MemFree");
  if (total === undefined || free === undefined) {
    throw new SyntaxError("Invalid /proc/meminfo: no MemTotal or MemFree");
  }
  const available = m.get("MemAvailable") ??
    free + (m.get("Buffers") ?? 0) + (m.get("Cached") ?? 0) + (m.get("SReclaimable") ?? 0);
  const s = ctx.memo(collectMeminfo, () => {
    const series = (metric: string, prefix: string, state: string) =>
      ctx.series(metric, ctx.labels(`${prefix}|${state}`, () => ({ state })));
    const mem = (state: string) => series("memory_bytes", "mem", state);
    const swap = (state: string) => series("swap_bytes", "swap", state);
    return {
      states: ["total", "available", "used", "free", "cached", "buffers", "shared", "slab", "dirty"]
        .map(mem),
      swap: ["total", "used", "free"].map(swap),
    };
  });
  values[0] = total;
  values[1] = available;
  values[2] = total - available;
  values[3] = free;
  values[4] = m.get("Cached") ?? NaN;
  values[5] = m.get("Buffers") ?? NaN;
  values[6] = m.get("Shmem") ?? NaN;
  values[7] = m.get("Slab") ?? NaN;
  values[8] = m.get("Dirty") ?? NaN;
  for (let i = 0; i < 9; i++) {
    const v = values[i]!;
    if (v === v) ctx.put(s.states[i]!, v); // a key that is absent is not emitted
  }
  const swapTotal = m.get("SwapTotal");
  const swapFree = m.get("SwapFree");
  if (swapTotal === undefined || swapFree === undefined) return;
  ctx.put(s.swap[0]!, swapTotal);
  ctx.put(s.swap[1]!, swapTotal - swapFree);
  ctx.put(s.swap[2]!, swapFree);
}

const values = new Float64Array(9);

/**
 * `/proc/vmstat`: page faults (minor = `pgfault − pgmajfault`, since `pgfault` counts both)
 * and swap traffic in pages.
 */
export function collectVmstat(ctx: Context): void {
  const text = ctx.proc("vmstat");
  if (text === undefined) return;
  const v = { get: (key: string) => vm[key]!.find(text) };
  const all = v.get("pgfault");
  const major = v.get("pgmajfault");
  const s = ctx.memo(collectVmstat, () => ({
    minor: ctx.series("page_faults_per_second", ctx.labels("pf|minor", () => ({ type: "minor" }))),
    major: ctx.series("page_faults_per_second", ctx.labels("pf|major", () => ({ type: "major" }))),
    in: ctx.series("swap_pages_per_second", ctx.labels("swp|in", () => ({ direction: "in" }))),
    out: ctx.series("swap_pages_per_second", ctx.labels("swp|out", () => ({ direction: "out" }))),
  }));
  if (all !== undefined && major !== undefined) {
    ctx.putRate(s.minor, all - major);
    ctx.putRate(s.major, major);
  }
  const pagesIn = v.get("pswpin");
  if (pagesIn !== undefined) ctx.putRate(s.in, pagesIn);
  const pagesOut = v.get("pswpout");
  if (pagesOut !== undefined) ctx.putRate(s.out, pagesOut);
}
