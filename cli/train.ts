/**
 * `perfscope train`: refits the forecast and capacity models of a lake's series (or of a fleet's,
 * read from a Prometheus query API with `--source`) and stores them in `DATA/models/` for
 * reports, the web app and notebooks to reuse.
 *
 * @module
 */

import {
  capacityReport,
  type CapacityRow,
  extentOnce,
  forecast,
  judgeForecastHorizon,
  lakeSource,
  latestTime,
  loadModels,
  modelKey,
  saveModel,
  type StoredModel,
  transformFor,
} from "../analytics/mod.ts";
import { formatDuration } from "../config/mod.ts";
import { acquireTrainLock, metricNameProblem, sameHost, TrainBusyError } from "../lake/mod.ts";
import { errorLine, existingLake, parseFlags, parseSpan, runMain, UsageError } from "./_args.ts";
import { commandConfig } from "./_config.ts";
import { openLakeWithSpool } from "./_lake_with_spool.ts";
import { checkSourceHosts } from "./_check_hosts.ts";
import { SOURCE_HELP, sourceFromFlag } from "./_source.ts";

const HELP =
  `Usage: deno task train [--data DIR] [--source URL|NAME] [--metric M] [--host H] [--since 7d]
                        [--horizon 1d]

Refits models on the recent history of the lake (or of --source) and stores them as JSON in
DIR/models/: a forecast model (analytics/forecast/forecast.ts) per series and, for resources
with a limit (file systems, inodes, memory, CPU run queue, TCP connections), the capacity model
of the capacity analysis (same status, ETA and evidence rules as the Capacity page and the report:
less than 1 day of history stores status "insufficient" and no ETA).
Without --metric, trains every resource with a limit. With --source the series come from the
query API and the models still go to DIR/models/.
One train per data directory at a time: while another runs (DIR/train.lock names it), this one
stores nothing and exits 1, or 0 under --skip-if-busy.

Options:
  --data DIR            lake root, and where models are stored (default: data: of the
                        config, else data)
${SOURCE_HELP}
  --config FILE         settings file for data: and sources: names (default
                        ./perfscope.yaml when present)
  --metric M            train every series of this metric instead
  --host H              only this host
  --since D             history to fit, e.g. 7d (default: 7d)
  --horizon D           forecast horizon, e.g. 1d (default: 1d)
  --skip-if-busy        if another train runs, print "Skipped: ..." and exit 0 (serve's runs)
  -h, --help            show this help
`;

/** Fewest values a stored forecast is fitted on, as `deno task forecast` (two fit a line exactly,
 * with zero-wide intervals). */
const MIN_FORECAST_POINTS = 3;

const STEPS = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000];

interface Flags {
  /** `--data`, else `data:` of the config, else `data`. */
  data?: string;
  /** `--source`: a query API (URL or `sources:` name) instead of the lake. */
  source?: string;
  config?: string;
  metric?: string;
  host?: string;
  sinceMs: number;
  horizonMs: number;
  skipIfBusy: boolean;
}

function readFlags(args: string[]): Flags | undefined {
  const parsed = parseFlags(args, {
    data: { type: "string" },
    metric: { type: "string" },
    host: { type: "string" },
    since: { type: "string" },
    horizon: { type: "string" },
    source: { type: "string" },
    config: { type: "string" },
    "skip-if-busy": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.values;
  if (v.help) return undefined;
  if (v.metric !== undefined && metricNameProblem(v.metric) !== undefined) {
    throw new UsageError(`Invalid --metric: ${v.metric} (use a metric name like memory_bytes)`);
  }
  return {
    ...(v.data !== undefined && { data: v.data }),
    ...(v.source !== undefined && { source: v.source }),
    ...(v.config !== undefined && { config: v.config }),
    ...(v.metric !== undefined && { metric: v.metric }),
    ...(v.host !== undefined && { host: v.host }),
    sinceMs: parseSpan(v.since ?? "7d", "since"),
    horizonMs: parseSpan(v.horizon ?? "1d", "horizon"),
    skipIfBusy: v["skip-if-busy"] === true,
  };
}

/** A series to train, with its capacity row when it has a limit. */
interface Target {
  host: string;
  metric: string;
  labels: string;
  resource?: CapacityRow;
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where the output goes (default: stdout).
 * @returns The exit code: 0 on success (also a round skipped under `--skip-if-busy`), 1 when
 *   some model failed to fit (the others are stored).
 * @throws {UsageError} For bad flags (exit 2 under `runMain`).
 * @throws {Error} When the lake (or the `--source`) is empty or cannot be read, or another train
 *   holds the data directory without `--skip-if-busy` (exit 1).
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
  // a bad --source is a usage error before anything is read
  const config = flags.source !== undefined || flags.data === undefined
    ? await commandConfig(flags.config)
    : {};
  const query = flags.source === undefined ? undefined : sourceFromFlag(flags.source, config);
  const data = flags.data ?? config.data ?? "data";
  if (query === undefined) existingLake(data);
  // two runs at once rename over each other's model files key by key: both would say "N models
  // stored" and models/ would keep some fits of each
  let lock;
  try {
    lock = acquireTrainLock(data, {
      command: flags.skipIfBusy ? "train --skip-if-busy" : "deno task train",
    });
  } catch (error) {
    if (!(error instanceof TrainBusyError)) throw error;
    // a scheduled run skips its round (the next one refits anyway); a person is told who holds it
    if (flags.skipIfBusy) {
      write(`Skipped: ${error.message}\n`);
      return 0;
    }
    throw new Error(`${error.message}; nothing stored`, { cause: error });
  }
  try {
    return await trainModels(data, query, flags, write);
  } finally {
    lock.release();
  }
}

/** The run itself, under the train lock. */
async function trainModels(
  data: string,
  query: ReturnType<typeof sourceFromFlag> | undefined,
  flags: Flags,
  write: (text: string) => void,
): Promise<number> {
  const { errors } = await loadModels(data);
  for (const e of errors) write(`skipped corrupt ${e.file}: ${e.reason}\n`);
  const lake = query ? undefined : await openLakeWithSpool(data);
  const where = query ? query.base : data;
  try {
    // the series, wherever they are read from; the models go to the lake root either way
    // the latest time, the host check and the capacity report read the extents once (a query
    // API's is a request)
    const source = extentOnce(query ?? lakeSource(lake!));
    const now = await latestTime(source);
    if (!Number.isFinite(now)) {
      throw new Error(query ? `No samples in ${where}` : `No samples in the lake at ${where}`);
    }
    const hosts = flags.host !== undefined ? [flags.host] : undefined;
    await checkSourceHosts(source, hosts, { flag: "host", where });
    // The capacity analysis' own ranking: the stored capacity models carry its statuses.
    const resources = await capacityReport(source, {
      now,
      sinceMs: flags.sinceMs,
      ...(hosts && { hosts }),
    });
    let targets: Target[];
    if (flags.metric === undefined) {
      targets = resources.map((r) => ({
        host: r.host,
        metric: r.metric,
        labels: r.labels,
        resource: r,
      }));
    } else {
      const byKey = new Map(
        resources.map((r) => [`${r.host}\u0000${r.metric}\u0000${r.labels}`, r]),
      );
      targets = (await source.metrics())
        .filter((e) =>
          e.metric === flags.metric && (!hosts || hosts.some((h) => sameHost(h, e.host)))
        )
        .map((e) => {
          const resource = byKey.get(`${e.host}\u0000${e.metric}\u0000${e.labels}`);
          return { ...e, ...(resource && { resource }) };
        });
      if (targets.length === 0) throw new Error(`No series of ${flags.metric} in ${where}`);
    }
    const from = now - flags.sinceMs;
    const step = STEPS.find((s) => flags.sinceMs / s <= 500) ?? STEPS.at(-1)!;
    let stored = 0;
    let failed = 0;
    // on a young lake every capacity model is "insufficient" and every forecast skipped: the
    // closing line says so, or "5 models stored" (also the Schedule table's detail) reads as done
    let skipped = 0;
    let insufficient = 0;
    for (const t of targets) {
      const s = await source.series({
        host: t.host,
        metric: t.metric,
        labels: t.labels,
        from,
        to: now + 1,
        step,
      });
      const grid = regularize(s.ts, s.values, step);
      const series = {
        host: t.host,
        metric: t.metric,
        labels: t.labels,
        from,
        to: now,
        stepMs: step,
        tier: s.tier,
      };
      const fits: [StoredModel["kind"], () => StoredModel][] = [];
      if (grid.values.some(Number.isFinite)) {
        const unsupported = forecastUnsupported(grid, step, flags.horizonMs);
        if (unsupported === undefined) {
          fits.push(["forecast", () => forecastModel(grid.values, series, flags, now)]);
        } else {
          skipped++;
          write(
            `skipped ${modelKey("forecast", series)}: Not enough data yet: ${unsupported}\n`,
          );
        }
        const r = t.resource;
        if (r) fits.push(["capacity", () => capacityModel(r, series, now)]);
      }
      for (const [kind, fit] of fits) {
        let m: StoredModel;
        try {
          m = fit();
        } catch (error) {
          failed++;
          write(`failed ${modelKey(kind, series)}: ${errorLine(error)}\n`);
          continue;
        }
        const path = saveModel(data, m);
        stored++;
        if (m.kind === "capacity" && m.params.status === "insufficient") insufficient++;
        write(`stored ${m.key}  ${m.model}  ${summary(m)}  → ${path}\n`);
      }
    }
    write(
      `${stored} model${stored === 1 ? "" : "s"} stored in ${data}/models` +
        (insufficient ? ` (${insufficient} with too little history for an ETA)` : "") +
        (skipped
          ? `, ${skipped} forecast${skipped === 1 ? "" : "s"} skipped (not enough data yet)`
          : "") +
        (failed ? `, ${failed} failed` : "") +
        (errors.length
          ? `, ${errors.length} corrupt file${errors.length === 1 ? "" : "s"} skipped`
          : "") +
        "\n",
    );
    return failed ? 1 : 0;
  } finally {
    lake?.close();
  }
}

type SeriesInfo = StoredModel["series"] & { host: string };

function forecastModel(
  values: Float64Array,
  series: SeriesInfo,
  flags: Flags,
  now: number,
): StoredModel {
  const horizon = Math.max(1, Math.round(flags.horizonMs / series.stepMs!));
  // a bounded ratio (`--metric cpu_ratio`) takes the rule chosen for ratios, as elsewhere
  const transform = transformFor(series.metric);
  const f = forecast(values, { horizon, stepMs: series.stepMs!, transform });
  const { name: _name, ...scores } = f.backtest;
  return {
    version: 1,
    key: modelKey("forecast", series),
    kind: "forecast",
    series,
    model: f.model,
    params: f.fitted as unknown as Record<string, unknown>,
    backtest: scores,
    residuals: { ...f.fitted.residuals },
    fittedAt: now,
  };
}

function capacityModel(row: CapacityRow, series: SeriesInfo, now: number): StoredModel {
  const fit = row.fit;
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    version: 1,
    key: modelKey("capacity", series),
    kind: "capacity",
    series,
    model: row.model,
    params: {
      resource: row.resource,
      limit: row.limit,
      threshold: row.threshold,
      status: row.status,
      reason: row.reason,
      note: row.note,
      now,
      eta: row.eta,
      etaLow: row.etaLow,
      etaHigh: row.etaHigh,
      current: num(row.current),
      growthPerDay: num(row.growthPerDay),
      history: { first: row.first, last: row.last, points: row.points, tier: row.tier },
      ...(fit && { trend: fit.trend }),
      ...(fit?.profile &&
        { profile: { periodMs: fit.profile.periodMs, values: [...fit.profile.values] } }),
    },
    backtest: fit ? { ...fit.backtest } : {},
    residuals: { scale: fit ? num(fit.residualScale) : null, points: row.points },
    fittedAt: now,
  };
}

function summary(m: StoredModel): string {
  if (m.kind === "capacity") {
    const eta = m.params.eta as number | null;
    return `${m.params.status}, eta ${eta === null ? "none" : new Date(eta).toISOString()}`;
  }
  const mae = m.backtest.mae;
  return `backtest MAE ${
    typeof mae === "number" && Number.isFinite(mae) ? mae.toPrecision(3) : "n/a"
  }`;
}

/**
 * Why a forecast of this grid may not be stored, as `deno task forecast` refuses it: fewer than
 * three values, or a horizon past the evidence rules' 1× the history (the stored bands would be
 * calibrated on nothing); `undefined` when it may.
 */
function forecastUnsupported(
  grid: { ts: Float64Array; values: Float64Array },
  step: number,
  horizonMs: number,
): string | undefined {
  let first = NaN, last = NaN, points = 0;
  for (let i = 0; i < grid.values.length; i++) {
    if (!Number.isFinite(grid.values[i]!)) continue;
    if (points++ === 0) first = grid.ts[i]!;
    last = grid.ts[i]!;
  }
  if (points < MIN_FORECAST_POINTS) {
    return `${points} point${points === 1 ? "" : "s"} at a ${formatDuration(step)} step; ` +
      `a forecast needs at least ${MIN_FORECAST_POINTS}`;
  }
  const horizon = Math.max(1, Math.round(horizonMs / step)) * step;
  return judgeForecastHorizon(last - first, horizon, {}, step).reason ?? undefined;
}

/** Places bucketed values on a regular grid from the first to the last bucket (NaN in gaps). */
function regularize(ts: Float64Array, values: Float64Array, step: number) {
  if (ts.length === 0) return { ts: new Float64Array(0), values: new Float64Array(0) };
  const t0 = ts[0]!;
  const n = Math.round((ts[ts.length - 1]! - t0) / step) + 1;
  const out = new Float64Array(n).fill(NaN);
  for (let i = 0; i < ts.length; i++) out[Math.round((ts[i]! - t0) / step)] = values[i]!;
  return { ts: Float64Array.from({ length: n }, (_, i) => t0 + i * step), values: out };
}

if (import.meta.main) runMain("train", main);
