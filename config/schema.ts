/**
 * What `perfscope.yaml` may hold. Every key is optional; a key that is not listed here is an
 * error (a typo must not be silently ignored). Durations are written with units (`1s`, `15m`,
 * `30d`) and come out as milliseconds.
 *
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./schema_duration.ts";
import { hostName } from "./_host_name.ts";
import { formatDuration } from "./duration.ts";
import { checkReceiverNames, notifyKeys } from "./schema_receivers.ts";
import { checkWorkflows, workflowsKeys } from "./schema_workflows.ts";
import { receiverKeys } from "./schema_scrape.ts";
import { rulesSchema } from "./schema_rules.ts";
import { servicesSchema } from "./schema_services.ts";
import { dashboardsSchema } from "./schema_dashboards.ts";
import { remoteWriteSchema, sourcesSchema } from "./schema_remote_write.ts";

function duration() {
  return durationSchema("500ms, 1s, 15m, 7d");
}

const name = z.string().trim().min(1, "must not be empty");

/** The collector's settings (`collect`, and `serve` when it collects). */
export const collectSchema = z.strictObject({
  /** Time between snapshots. Default 1s. */
  interval: duration().optional(),
  /** Time between Parquet flushes. Default 60s. */
  flush: duration().optional(),
  /** Processes kept in each top-process ranking. Default 5. */
  top: z.number().int().min(0).max(100).optional(),
  /** Host name written into the lake (the lake's rule: letters, digits, `_ . : -`). Default the
   * machine's host name. */
  host: hostName().optional(),
  /** The host's /proc (e.g. /host/proc in a container). Default /proc. */
  procfs: name.optional(),
  /** The host's /sys: block devices and cgroups. Default /sys. */
  sysfs: name.optional(),
  /** The host's root file system: mount points are stat'ed under it. Default /. */
  rootfs: name.optional(),
  /** cgroups reported, the busiest (0: none). Default 20. */
  cgroups: z.number().int().min(0).max(1000).optional(),
});

/** The lake's housekeeping. */
export const lakeSchema = z.strictObject({
  /** Partitions older than this are deleted by compaction. Default 30d. */
  retention: duration().optional(),
  /** How often `serve` compacts the lake and builds rollups. Default 1h. */
  compact_every: duration().optional(),
  /** Where a range hands over between the lake's tiers when it is read. */
  tiers: z.strictObject({
    /** Longest range read from raw samples. Default 6h. */
    raw: duration().optional(),
    /** Longest range read from 1-minute rollups (longer: 1-hour). Default 8d. */
    minute: duration().optional(),
  }).superRefine(checkTiers).optional(),
});

/** The tier defaults (`lake/`' `RAW_MAX_MS`, `MINUTE_MAX_MS`; config/ may not import lake/). */
const RAW_DEFAULT_MS = 6 * 3_600_000, MINUTE_DEFAULT_MS = 8 * 86_400_000;

/** Raw hands over to 1-minute rollups before those hand over to 1-hour ones: `serve` refuses
 * the other order at start, which `config check` must say first, naming the key. */
function checkTiers(
  tiers: { raw?: number | undefined; minute?: number | undefined },
  ctx: z.RefinementCtx,
): void {
  const raw = tiers.raw ?? RAW_DEFAULT_MS, minute = tiers.minute ?? MINUTE_DEFAULT_MS;
  if (raw <= minute) return;
  ctx.addIssue({
    code: "custom",
    path: [tiers.raw === undefined ? "minute" : "raw"],
    message: tiers.raw === undefined
      ? `must be at least lake.tiers.raw (default 6h), got ${formatDuration(minute)}`
      : `must be at most lake.tiers.minute (${
        tiers.minute === undefined ? "default 8d" : formatDuration(minute)
      }), got ${formatDuration(raw)}`,
  });
}

/** What one `POST /api/ingest` request may carry (`serve`). */
export const ingestSchema = z.strictObject({
  /** Oldest accepted sample, before the server's clock. Default `lake.retention`, else 30d. */
  max_age: duration().optional(),
  /** Newest accepted sample, after the server's clock (clock skew). Default 5m. */
  max_ahead: duration().optional(),
  /** Most samples in one request. Default 250000. */
  max_lines: z.number().int().min(1).max(10_000_000).optional(),
  /** Most host × date partitions in one request. Default 64. */
  max_partitions: z.number().int().min(1).max(10_000).optional(),
  /** Most samples waiting for Parquet (~20 bytes each in memory); past it requests get 503
   * with Retry-After. Default 500000. */
  max_buffered_rows: z.number().int().min(1000).max(100_000_000).optional(),
  /** Disk budget of the ingest spool (DATA/spool_ingest), bytes; past it requests get 503.
   * Default 268435456 (256 MiB). */
  max_spool_bytes: z.number().int().min(1024 * 1024).optional(),
  /** Buffered samples that start a flush to Parquet. Default 100000. */
  flush_rows: z.number().int().min(1).max(100_000_000).optional(),
  /** Bytes of the open spool segment that start a flush. Default 16777216 (16 MiB). */
  flush_spool_bytes: z.number().int().min(1).optional(),
  /** Most time samples wait for Parquet. Default 10s. */
  flush_every: duration().optional(),
  /** A flush still writing after this long refuses new requests (503). Default 30s. */
  max_flush_lag: duration().optional(),
  /** Write Parquet on a separate thread, off the request path (~40 MB more memory). Default
   * true. */
  flush_thread: z.boolean().optional(),
  /** Parse request bodies on a separate thread, off the event loop (~10 MB more memory).
   * Default true. */
  parse_thread: z.boolean().optional(),
  /** Resident memory of serve past which ingest requests get 503 with Retry-After until it is
   * back under (bytes; 0 turns it off). Default 243269632 (232 MiB), or what the process holds
   * when serve starts plus 96 MiB if that is more (serve inside a test runner or an embedding). */
  max_rss: z.number().int().min(0).optional(),
  /** Request-body bytes held in memory at once across all connections (ingest, OTLP, query);
   * past it a body gets 503 with Retry-After. Default 67108864 (64 MiB). */
  max_body_bytes_in_flight: z.number().int().min(1024 * 1024).optional(),
});

/** The web server's settings (`serve`). */
export const webSchema = z.strictObject({
  /** Address to bind. Default 127.0.0.1. */
  host: name.optional(),
  /** Port; 0 picks a free one. Default 8000. */
  port: z.number().int().min(0).max(65535).optional(),
  /** Token every request must carry (PERFSCOPE_TOKEN and --token override it). */
  token: name.optional(),
  /** Serve a non-loopback address without a token. Default false. */
  insecure: z.boolean().optional(),
  /** Run the collector alongside the server. Default true. */
  collect: z.boolean().optional(),
});

/** The whole file. */
export const configSchema = z.strictObject({
  /** Lake root. Default `data`. */
  data: name.optional(),
  collect: collectSchema.optional(),
  lake: lakeSchema.optional(),
  ingest: ingestSchema.optional(),
  web: webSchema.optional(),
  ...notifyKeys,
  ...workflowsKeys,
  ...receiverKeys,
  rules: rulesSchema.optional(),
  services: servicesSchema.optional(),
  dashboards: dashboardsSchema.optional(),
  remote_write: remoteWriteSchema.optional(),
  sources: sourcesSchema.optional(),
}).superRefine(checkReceiverNames).superRefine(checkWorkflows);

/** A validated `perfscope.yaml`; durations in milliseconds. */
export type PerfscopeConfig = z.output<typeof configSchema>;
