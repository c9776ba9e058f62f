/**
 * Collectors: sample the host into typed {@linkcode Sample} records. On Linux,
 * {@linkcode createSampler} reads /proc and /sys synchronously (about a millisecond per
 * snapshot); elsewhere {@linkcode createFallbackSampler} uses `systeminformation`.
 * {@linkcode registry} lists every metric; {@linkcode inventory} tells what the host is.
 * The parsers are pure functions, exported for reuse and tests. No storage, no analytics.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createSampler, metricInfo } from "./mod.ts";
 * using sampler = createSampler();
 * for (const s of sampler.sample()) assert.ok(metricInfo(s.metric));
 * ```
 *
 * @module
 */

export { formatLabels, type Labels, parseLabels, type Sample } from "./sample.ts";
export { labelText, type Series, SeriesTable, type Snapshot, snapshotSamples } from "./snapshot.ts";
export { type MetricInfo, metricInfo, type MetricKind, registry } from "./registry.ts";
export { createSampler, type Sampler, type SamplerOptions } from "./create_sampler.ts";
export {
  createFallbackSampler,
  type FallbackSampler,
  type FallbackSamplerOptions,
} from "./create_fallback_sampler.ts";
export { type Inventory, inventory, type InventoryDisk } from "./inventory.ts";
export { type QuietWait, quietWait, type QuietWaitOptions } from "./quiet_wait.ts";
export { cpuModes, type CpuTimes, parseProcStat, type ProcStat } from "./parse_proc_stat.ts";
export { type LoadAvg, parseLoadAvg } from "./parse_load_avg.ts";
export { parsePressure, type Pressure } from "./parse_pressure.ts";
export { parseMeminfo } from "./parse_meminfo.ts";
export { parseVmstat } from "./parse_vmstat.ts";
export { type DiskStat, parseDiskstats } from "./parse_diskstats.ts";
export { type Mount, parseMounts } from "./parse_mounts.ts";
export { type NetDev, parseNetDev } from "./parse_net_dev.ts";
export { parseNetSnmp } from "./parse_net_snmp.ts";
export { parsePidStat, type PidStat } from "./parse_pid_stat.ts";
