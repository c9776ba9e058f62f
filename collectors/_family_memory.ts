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
  const m = { get: (key: string) => mem[key]!.find(text) };
  const total = m.get("MemTotal");
  const free = m.get("MemFree");
  if (total === undefined || free === undefined) {
    throw new SyntaxError("Invalid /proc/meminfo: no MemTotal or MemFree");
  }
  const available = m.get("MemAvailable") ??
    free + (m.get("Buffers") ?? 0) + (m.get("Cached") ?? 0) + (m.get("SReclaimable") ?? 0);
  const states: [string, number | undefined][] = [
    ["total", total],
    ["available", available],
    ["used", total - available],
    ["free", free],
    ["cached", m.get("Cached")],
    ["buffers", m.get("Buffers")],
    ["shared", m.get("Shmem")],
    ["slab", m.get("Slab")],
    ["dirty", m.get("Dirty")],
  ];
  for (const [state, value] of states) {
    if (value === undefined) continue;
    ctx.gauge("memory_bytes", ctx.labels(`mem|${state}`, () => ({ state })), value);
  }
  const swapTotal = m.get("SwapTotal");
  const swapFree = m.get("SwapFree");
  if (swapTotal === undefined || swapFree === undefined) return;
  ctx.gauge("swap_bytes", ctx.labels("swap|total", () => ({ state: "total" })), swapTotal);
  ctx.gauge("swap_bytes", ctx.labels("swap|used", () => ({ state: "used" })), swapTotal - swapFree);
  ctx.gauge("swap_bytes", ctx.labels("swap|free", () => ({ state: "free" })), swapFree);
}

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
  if (all !== undefined && major !== undefined) {
    const minorLabels = ctx.labels("pf|minor", () => ({ type: "minor" }));
    ctx.rate("page_faults_per_second", minorLabels, "minor", all - major);
    const majorLabels = ctx.labels("pf|major", () => ({ type: "major" }));
    ctx.rate("page_faults_per_second", majorLabels, "major", major);
  }
  for (const direction of ["in", "out"] as const) {
    const pages = v.get(`pswp${direction}`);
    if (pages === undefined) continue;
    const labels = ctx.labels(`swp|${direction}`, () => ({ direction }));
    ctx.rate("swap_pages_per_second", labels, direction, pages);
  }
}
