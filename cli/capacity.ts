/**
 * `perfscope capacity`: when will a series reach a threshold? Reads a CSV file or a lake
 * series, fits the capacity model and prints JSON with the median ETA and its 80 % interval.
 * Without `--threshold` and an input, prints the lake's whole capacity analysis
 * (`analyzeCapacity`: the same statuses as the Capacity page and the report). Both apply the
 * evidence rules: less than a day of history gives status `insufficient` and no ETA.
 *
 * @module
 */

import {
  analyzeCapacity,
  extentOnce,
  forecastRow,
  historySpan,
  lakeSource,
  sampleExtent,
} from "../analytics/mod.ts";
import { SOURCE_HELP, sourceFromFlag } from "./_source.ts";
import { commandConfig } from "./_config.ts";
import { openLakeWithSpool } from "./_lake_with_spool.ts";
import { checkSourceHosts } from "./_check_hosts.ts";
import {
  existingLake,
  parseFlags,
  parseHosts,
  parseNumber,
  parseSpan,
  runMain,
  UsageError,
} from "./_args.ts";
import {
  readSeriesSource,
  seriesInputHelp,
  seriesInputOptions,
  type SeriesSource,
  seriesSource,
} from "./_series_input.ts";

const HELP = `Usage: deno task capacity --threshold X (--input FILE.csv | --metric NAME) [options]
       deno task capacity [--data DIR] [--since D] [--horizon D] [--hosts h1,h2]

The first form estimates when one series reaches X and prints JSON: eta, eta_low, eta_high
(80 % interval, ISO 8601 or null when not within the horizon), model, status, growth_per_day,
current, headroom, and the evidence (history_days, points, reason, note).
The second prints the lake's capacity analysis as JSON: per resource its status, severity,
ETA and evidence, and the recommendations (what the Capacity page and the report show).

Evidence rules: an ETA or growth rate needs at least 1 day of history (else status
"insufficient" with the reason), and looks at most 4x the history ahead.

${seriesInputHelp}

Options:
  --threshold X         the limit, in the series' unit (required with an input)
  --horizon D           how far ahead to look (default: 90d for a series, 30d for the lake)
  --direction up|down   reach X from below (default) or from above (e.g. free bytes)
  --hosts h1,h2         lake analysis: only these hosts
${SOURCE_HELP}
                        (second form; the first form's --source is above)
  -h, --help            show this help
`;

/** Options read from the command line. */
interface Flags {
  threshold: number;
  horizonMs: number;
  direction: "up" | "down";
  source: SeriesSource;
}

/** Options of the lake-wide form. */
interface LakeFlags {
  /** `--data`, else `data:` of the config, else `data`. */
  data?: string;
  sinceMs?: number;
  horizonMs?: number;
  hosts?: string[];
  /** `--source`: a query API instead of the lake. */
  querySource?: string;
  config?: string;
}

function readFlags(args: string[]): Flags | LakeFlags | undefined {
  const parsed = parseFlags(args, {
    ...seriesInputOptions,
    threshold: { type: "string" },
    horizon: { type: "string" },
    direction: { type: "string" },
    hosts: { type: "string" },
    source: { type: "string" },
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.values;
  if (v.help) return undefined;
  if (v.threshold === undefined && v.input === undefined && v.metric === undefined) {
    const hosts = v.hosts === undefined ? undefined : parseHosts(v.hosts);
    return {
      ...(v.data !== undefined && { data: v.data }),
      ...(v.since !== undefined && { sinceMs: parseSpan(v.since, "since") }),
      ...(v.horizon !== undefined && { horizonMs: parseSpan(v.horizon, "horizon") }),
      ...(hosts && { hosts }),
      ...(v.source !== undefined && { querySource: v.source }),
      ...(v.config !== undefined && { config: v.config }),
    };
  }
  if (v.threshold === undefined) throw new UsageError("Missing --threshold: the limit to reach");
  const threshold = parseNumber(v.threshold, "threshold");
  const horizonMs = parseSpan(v.horizon ?? "90d", "horizon");
  const direction = v.direction ?? "up";
  if (direction !== "up" && direction !== "down") {
    throw new UsageError(`Invalid --direction: ${direction} (use up or down)`);
  }
  return { threshold, horizonMs, direction, source: seriesSource(v) };
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where the output goes (default: stdout).
 * @returns The exit code: 0 on success.
 * @throws {UsageError} For bad flags or columns (exit 2 under `runMain`).
 * @throws {Error} When the input cannot be read or holds no usable value (exit 1).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => void Deno.stdout.writeSync(new TextEncoder().encode(t)),
): Promise<number> {
  const flags = readFlags(args);
  if (!flags) {
    write(HELP);
    return 0;
  }
  if (!("source" in flags)) return await lakeAnalysis(flags, write);
  const { ts, values, from } = await readSeriesSource(flags.source);
  if (!values.some(Number.isFinite)) throw new Error(`No numeric values in ${from}`);
  // the ends as the timestamps give them (no tier or host extent: bucket starts taken as read)
  const { first, last } = sampleExtent(ts, values);
  // the same evidence rules and withheld figures as a capacity row of the lake-wide form
  const { fields, forecast: f, known } = forecastRow(ts, values, {
    limit: flags.threshold,
    threshold: flags.threshold,
    now: last,
    horizonMs: flags.horizonMs,
    first,
    last,
    tier: "raw",
    direction: flags.direction,
  });
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  const out = {
    source: from,
    status: fields.status,
    reason: fields.reason,
    note: fields.note,
    model: fields.model,
    eta: iso(fields.eta),
    eta_low: iso(fields.etaLow),
    eta_high: iso(fields.etaHigh),
    eta_days: fields.eta === null ? null : (fields.eta - f.now) / 86_400_000,
    now: new Date(f.now).toISOString(),
    threshold: f.threshold,
    current: num(f.current),
    headroom: num(f.headroom),
    growth_per_day: num(fields.growthPerDay),
    residual_scale: known ? num(f.residualScale) : null,
    points: f.points,
    history_days: num(historySpan(first, last) / 86_400_000),
    horizon_days: flags.horizonMs / 86_400_000,
    supported_horizon_days: fields.horizonMs / 86_400_000,
  };
  write(JSON.stringify(out, null, 2) + "\n");
  return 0;
}

/** The lake-wide form: the capacity analysis, without chart data. */
async function lakeAnalysis(flags: LakeFlags, write: (text: string) => void): Promise<number> {
  const lake = flags.querySource === undefined
    ? await openLakeWithSpool(
      existingLake(flags.data ?? (await commandConfig(flags.config)).data ?? "data"),
    )
    : undefined;
  // the host check and the analysis read the hosts' extents once (a query API's is a request)
  const source = extentOnce(
    lake ? lakeSource(lake) : sourceFromFlag(flags.querySource!, await commandConfig(flags.config)),
  );
  try {
    await checkSourceHosts(source, flags.hosts, {
      flag: "hosts",
      where: lake ? lake.root : source.where ?? source.name,
    });
    const a = await analyzeCapacity(source, {
      charts: 0,
      ...(flags.sinceMs !== undefined && { sinceMs: flags.sinceMs }),
      ...(flags.horizonMs !== undefined && { horizonMs: flags.horizonMs }),
      ...(flags.hosts && { hosts: flags.hosts }),
    });
    const iso = (t: number | null) =>
      t === null || !Number.isFinite(t) ? null : new Date(t).toISOString();
    const out = {
      status: a.status,
      reason: a.reason,
      now: iso(a.now),
      horizon_days: a.horizonMs / 86_400_000,
      evidence: a.evidence,
      hosts: a.hosts.map((h) => ({
        host: h.host,
        first: iso(h.first),
        last: iso(h.last),
        history_days: h.spanMs / 86_400_000,
        sufficient: h.sufficient,
        reason: h.reason,
      })),
      resources: a.resources.map((r) => ({
        host: r.host,
        resource: r.resource,
        metric: r.metric,
        labels: r.labels,
        status: r.status,
        severity: r.severity,
        reason: r.reason,
        utilization: r.utilization,
        current: r.current,
        limit: r.limit,
        growth_per_day: r.growthPerDay,
        eta: iso(r.eta),
        eta_low: iso(r.etaLow),
        eta_high: iso(r.etaHigh),
        model: r.model,
        evidence: r.evidence,
      })),
      recommendations: a.recommendations.map((r) => ({
        severity: r.severity,
        rule: r.rule,
        host: r.host,
        title: r.title,
      })),
    };
    write(JSON.stringify(out, null, 2) + "\n");
    return 0;
  } finally {
    lake?.close();
  }
}

if (import.meta.main) runMain("capacity", main);
