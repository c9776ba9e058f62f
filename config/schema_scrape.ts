/**
 * The application-metric receivers' settings in `perfscope.yaml` (`serve`): scrape targets,
 * the OTLP/HTTP endpoint, the StatsD listener, synthetic probes and the receivers' limits.
 *
 * @module
 */
import { z } from "zod";
import { durationSchema } from "./schema_duration.ts";
import { hostName } from "./_host_name.ts";
import { checkLabelValue, labelNameProblem } from "./_label_map.ts";
import { RESERVED_LABELS } from "./label_rules.ts";

function duration() {
  return durationSchema("500ms, 1s, 15m");
}

// the lake's reserved names, and `target`, which the scrape and probe receivers set themselves
const RESERVED = new Set([...RESERVED_LABELS, "target"]);
const RESERVED_TEXT = [...RESERVED, "__*"].join(", ");
const labels = z.record(z.string(), z.string().max(1024)).superRefine((obj, ctx) => {
  for (const [k, v] of Object.entries(obj)) {
    const problem = labelNameProblem(k);
    if (problem !== undefined) {
      ctx.addIssue({ code: "custom", message: problem });
    } else if (RESERVED.has(k) || k.startsWith("__")) {
      ctx.addIssue({
        code: "custom",
        message: `label ${JSON.stringify(k)} is reserved (${RESERVED_TEXT})`,
      });
    } else checkLabelValue(v, ctx, [k]);
  }
});
/** The value of the `target` label of a target's or a probe's samples. */
const targetName = z.string().trim().min(1).max(200).superRefine((name, ctx) =>
  checkLabelValue(name, ctx)
);
const httpUrl = z.string().url().refine((u) => /^https?:\/\//.test(u), {
  message: "must be an http:// or https:// URL",
});
const hostPort = z.string().regex(
  /^(\[[^\]]+\]|[^:\s]+):\d{1,5}$/,
  "must be host:port, e.g. 127.0.0.1:8125",
);
const interval = duration().refine((ms) => ms >= 100, { message: "must be at least 100ms" });

/** One scrape target. */
export const scrapeTargetSchema = z.strictObject({
  /** URL of the exposition (`/metrics`). */
  url: httpUrl,
  /** Value of the `target` label; default the URL's host:port. */
  name: targetName.optional(),
  /** Time between scrapes. Default 15s. */
  interval: interval.optional(),
  /** Longest a scrape may take. Default the interval, at most 10s. */
  timeout: interval.optional(),
  /** Labels added to the target's samples. */
  labels: labels.optional(),
  /** The `host` column for its samples (the lake's rule). Default the serve host. */
  host: hostName().optional(),
}).refine((t) => t.timeout === undefined || t.interval === undefined || t.timeout <= t.interval, {
  message: "timeout must not exceed interval",
});

/** The OTLP/HTTP metrics endpoint (`POST /v1/metrics` on the serve port). */
export const otlpSchema = z.strictObject({
  /** Serve `/v1/metrics`. Default true. */
  enabled: z.boolean().optional(),
  /** Largest request body, bytes (after decompression too). Default 16 MiB. */
  max_bytes: z.number().int().min(1024).max(256 * 1024 * 1024).optional(),
});

/** The StatsD listener (off unless this key is present). */
export const statsdSchema = z.strictObject({
  /** UDP `host:port`. Default 127.0.0.1:8125. */
  listen: hostPort.optional(),
  /** Time between flushes. Default 1s. */
  flush: interval.optional(),
  /** Largest packet taken, bytes. Default 8192. */
  max_packet_bytes: z.number().int().min(512).max(65_535).optional(),
});

/** One synthetic probe: exactly one of `http` and `tcp`. */
export const probeSchema = z.strictObject({
  /** Value of the `target` label. */
  name: targetName,
  /** URL to GET. */
  http: httpUrl.optional(),
  /** host:port to connect to. */
  tcp: hostPort.optional(),
  /** Time between probes. Default 15s. */
  interval: interval.optional(),
  /** Longest a probe may take. Default 5s. */
  timeout: interval.optional(),
  /** PEM file of CA certificates an HTTPS probe trusts besides the system's. */
  ca_file: z.string().trim().min(1).optional(),
  /** Regular expression the body must match (HTTP only). */
  match: z.string().refine((s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  }, { message: "must be a valid regular expression" }).optional(),
}).refine((p) => (p.http === undefined) !== (p.tcp === undefined), {
  message: "give exactly one of http and tcp",
}).refine((p) => p.match === undefined || p.http !== undefined, { message: "match needs http" });

/** Limits shared by every receiver. */
export const receiversLimitsSchema = z.strictObject({
  /** Most series per source (a scrape target, OTLP) per hour, the series of the hour before
   * keeping their places; a host pushing to `/api/ingest`: most new series per hour; StatsD: most
   * series held at once. Default 10000. */
  max_series_per_source: z.number().int().min(1).max(1_000_000).optional(),
  /** Most new series all hosts pushing to `/api/ingest` create together per hour (each host is
   * a source of its own under `max_series_per_source`). Default 100000. */
  max_ingest_series: z.number().int().min(1).max(10_000_000).optional(),
  /** Largest scrape body, bytes. Default 8 MiB. */
  max_scrape_bytes: z.number().int().min(1024).max(1024 * 1024 * 1024).optional(),
});

/** The keys this file adds to `configSchema`. */
export const receiverKeys = {
  scrape: z.array(scrapeTargetSchema).max(1000).optional(),
  otlp: otlpSchema.optional(),
  statsd: statsdSchema.optional(),
  probes: z.array(probeSchema).max(1000).optional(),
  receivers_limits: receiversLimitsSchema.optional(),
};
