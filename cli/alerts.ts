/**
 * `deno task alerts backtest --config F (--input F.csv [--metric-name M] | --data DIR --since
 * 7d)`: replays the config's rules over history with the live engine and prints one CSV row per
 * firing interval, `alert,labels,start,end,peak` (ISO times, `end` empty while still firing):
 * how often a rule would have fired, for how long, how much it flaps, before it is enabled.
 *
 * @module
 */
import {
  backtestRules,
  type BacktestSeries,
  evaluationStep,
  type FiringInterval,
  readBacktestSeries,
} from "../alerts/mod.ts";
import { formatLabels, parseLabels } from "../collectors/mod.ts";
import { formatDuration, loadConfig, type RuleConfig } from "../config/mod.ts";
import { csvLine } from "../format/mod.ts";
import { openLake } from "../lake/mod.ts";
import {
  existingLake,
  parseDuration,
  parseFlags,
  parseSpan,
  runMain,
  UsageError,
} from "./_args.ts";
import { readSeriesSource, seriesSource } from "./_series_input.ts";

const HELP = `Usage: deno task alerts backtest [--config FILE] (--input FILE.csv [--metric-name M]
                                   | --data DIR [--since 7d]) [--step 1s]

Replays the rules of the config (rules:) over history with the same engine serve runs, and
prints CSV, one row per firing interval:
  alert,labels,start,end,peak
(ISO times; end is empty while still firing at the end of the history; peak is the highest
value while firing, the lowest for a below: rule), and on stderr per rule how often it fired and
for how long. SQL rules are not replayed.

Options:
  --config FILE       settings file with rules: (default ./perfscope.yaml)
  --input FILE        CSV with a header row; its value column is taken as metric M
  --metric-name M     the metric the CSV is (default: the rules' metric when they have one)
  --labels k=v[,k=v]  labels of the CSV series (default: none)
  --time-column C     time column (default: timestamp, else the first column)
  --value-column V    value column (default: value, else the last numeric column)
  --max-input-mb N    refuse a CSV larger than this (default: 64)
  --data DIR          lake root: replay the rules' metrics from the lake
  --since D           history read from the lake (default 7d)
  --step D            evaluation interval (default 1s, as serve; coarser when the history
                      would need more than 2 million evaluations)
  -h, --help          show this help`;

const MAX_EVALUATIONS = 2_000_000;
/** Most evaluations of an explicit `--step` (the bound `backtestRules` enforces). */
const MAX_ASKED_EVALUATIONS = 50_000_000;

function labelsFlag(text: string | undefined): string {
  if (text === undefined || text.trim() === "") return "";
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`Invalid --labels: ${text} (use k=v[,k=v])`);
    labels[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return formatLabels(labels);
}

/**
 * Formats firing intervals as the backtest's CSV.
 *
 * @param intervals From `backtestRules`.
 * @returns CSV text with a header line.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestCsv } from "./alerts.ts";
 * const csv = backtestCsv([{ alert: "A", labels: { alertname: "A", host: "h" }, start: 0, end: NaN, peak: 3 }]);
 * assert.equal(csv, "alert,labels,start,end,peak\nA,host=h,1970-01-01T00:00:00.000Z,,3\n");
 * ```
 */
export function backtestCsv(intervals: readonly FiringInterval[]): string {
  let out = csvLine(["alert", "labels", "start", "end", "peak"]);
  for (const f of intervals) {
    const { alertname: _a, ...rest } = f.labels;
    out += csvLine([
      f.alert,
      formatLabels(rest),
      new Date(f.start).toISOString(),
      Number.isNaN(f.end) ? "" : new Date(f.end).toISOString(),
      Number.isNaN(f.peak) ? "" : f.peak,
    ]);
  }
  return out;
}

/**
 * One line per rule for stderr: how often it fired, for how long in total and at most.
 *
 * @param rules The rules replayed.
 * @param intervals Their firing intervals.
 * @param from Start of the history, ms.
 * @param until End of the history, ms.
 * @param series The series replayed: a rule none of them matches (a metric perfscope does not
 * collect, a label value that is not there) says so instead of "never fired".
 * @returns The lines.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestSummary } from "./alerts.ts";
 * const lines = backtestSummary([{ alert: "A", metric: "m", above: 1 }], [
 *   { alert: "A", labels: {}, start: 0, end: 30_000, peak: 2 },
 *   { alert: "A", labels: {}, start: 60_000, end: 90_000, peak: 3 },
 * ], 0, 600_000);
 * assert.deepEqual(lines, ["A: fired 2 times, 1 min in all (10 % of 10 min), longest 30 s"]);
 * ```
 */
export function backtestSummary(
  rules: readonly RuleConfig[],
  intervals: readonly FiringInterval[],
  from: number,
  until: number,
  series?: readonly Pick<BacktestSeries, "metric" | "labels">[],
): string[] {
  const span = Math.max(0, until - from);
  return rules.map((r) => {
    const mine = intervals.filter((f) => f.alert === r.alert);
    if (mine.length === 0 && series && !series.some((s) => matches(r, s))) {
      const wanted = r.labels ? `${r.metric}{${formatLabels(r.labels)}}` : `${r.metric}`;
      return `${r.alert}: never fired: no series of ${wanted} in the history`;
    }
    if (mine.length === 0) return `${r.alert}: never fired`;
    const lengths = mine.map((f) => (Number.isNaN(f.end) ? until : f.end) - f.start);
    const total = lengths.reduce((a, b) => a + b, 0);
    const share = span > 0
      ? ` (${Number((100 * total / span).toPrecision(2))} % of ${formatDuration(span)})`
      : "";
    return `${r.alert}: fired ${mine.length} time${mine.length === 1 ? "" : "s"}, ` +
      `${formatDuration(total)} in all${share}, longest ${
        formatDuration(lengths.reduce((a, b) => Math.max(a, b)))
      }`;
  });
}

/** Whether a series is one of a rule's: its metric, and the rule's labels among its own. */
function matches(rule: RuleConfig, s: Pick<BacktestSeries, "metric" | "labels">): boolean {
  if (s.metric !== rule.metric) return false;
  const own = parseLabels(s.labels);
  return Object.entries(rule.labels ?? {}).every(([k, v]) => own[k] === v);
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments (`backtest …`).
 * @returns Exit code.
 * @throws {UsageError} On bad flags, no rules, or an ambiguous `--metric-name`.
 */
export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "-h" || command === "--help") {
    console.log(HELP);
    return command === undefined ? 2 : 0;
  }
  if (command !== "backtest") throw new UsageError(`Unknown command ${command} (try backtest)`);
  const { values: v } = parseFlags(rest, {
    config: { type: "string" },
    input: { type: "string" },
    "metric-name": { type: "string" },
    labels: { type: "string" },
    "time-column": { type: "string" },
    "value-column": { type: "string" },
    "max-input-mb": { type: "string" },
    data: { type: "string" },
    since: { type: "string" },
    step: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    console.log(HELP);
    return 0;
  }
  if ((v.input === undefined) === (v.data === undefined)) {
    throw new UsageError("Missing input: give either --input FILE.csv or --data DIR");
  }
  const { config, path } = await loadConfig(v.config);
  const all = config.rules ?? [];
  const rules = all.filter((r) => r.kind !== "sql");
  if (rules.length === 0) {
    throw new UsageError(`No rules to replay in ${path ?? "the config"} (add rules:)`);
  }
  if (rules.length < all.length) console.error("perfscope alerts: SQL rules are not replayed");
  let series: BacktestSeries[];
  if (v.input !== undefined) {
    const metrics = [...new Set(rules.map((r) => r.metric!))];
    const metric = v["metric-name"] ?? (metrics.length === 1 ? metrics[0]! : undefined);
    if (metric === undefined) {
      throw new UsageError(
        `The rules read several metrics (${metrics.join(", ")}): pass --metric-name`,
      );
    }
    const s = await readSeriesSource(seriesSource({
      input: v.input,
      "time-column": v["time-column"],
      "value-column": v["value-column"],
      "max-input-mb": v["max-input-mb"],
    }));
    series = [{ host: "", metric, labels: labelsFlag(v.labels), ts: s.ts, values: s.values }];
  } else {
    const sinceMs = parseSpan(v.since ?? "7d", "since");
    const lake = await openLake({ root: existingLake(v.data!) });
    try {
      const to = Date.now() + 1;
      series = await readBacktestSeries(lake, rules, { from: to - sinceMs, to });
    } finally {
      lake.close();
    }
  }
  let stepMs = v.step === undefined ? 1000 : parseDuration(v.step, "step");
  let first = Infinity, last = -Infinity;
  for (const s of series) {
    if (s.ts.length) {
      (first = Math.min(first, s.ts[0]!), last = Math.max(last, s.ts[s.ts.length - 1]!));
    }
  }
  // the engine's own bound on a step asked for: past it, say which step would do
  const needed = Math.ceil((last - first) / stepMs);
  if (v.step !== undefined && needed > MAX_ASKED_EVALUATIONS) {
    throw new UsageError(
      `Invalid --step: ${formatDuration(stepMs)} over ${formatDuration(last - first)} of ` +
        `history is ${needed} evaluations (at most ${MAX_ASKED_EVALUATIONS}); use --step ${
          formatDuration(evaluationStep(last - first, MAX_ASKED_EVALUATIONS))
        } or more, or leave it out`,
    );
  }
  if (v.step === undefined && evaluationStep(last - first, MAX_EVALUATIONS) > stepMs) {
    stepMs = evaluationStep(last - first, MAX_EVALUATIONS);
    console.error(`perfscope alerts: evaluating every ${formatDuration(stepMs)} (long history)`);
  }
  const intervals = backtestRules(rules, series, { stepMs });
  await Deno.stdout.write(new TextEncoder().encode(backtestCsv(intervals)));
  for (const line of backtestSummary(rules, intervals, first, last, series)) console.error(line);
  return 0;
}

if (import.meta.main) runMain("alerts", main);
