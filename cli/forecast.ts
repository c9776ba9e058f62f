/**
 * `perfscope forecast`: forecasts the next H points of a series read from CSV and prints them
 * as CSV with 80 % and 95 % prediction intervals.
 *
 * @module
 */

import {
  forecast,
  type ForecastResult,
  judgeForecastHorizon,
  TRANSFORM,
  transformFor,
  type TransformName,
} from "../analytics/mod.ts";
import { formatDuration, readDuration } from "../config/mod.ts";
import { metricInfo } from "../collectors/mod.ts";
import { csvLine, formatValue } from "../format/mod.ts";
import { quantizeValue } from "../lake/mod.ts";
import { durationFlag, parseFlags, parseNumber, runMain, UsageError } from "./_args.ts";
import {
  readSeriesSource,
  seriesInputHelp,
  seriesInputOptions,
  type SeriesSource,
  seriesSource,
} from "./_series_input.ts";

const HELP = `Usage: deno task forecast (--input FILE.csv | --metric NAME) --horizon H [options]

Forecasts the H steps after the last row and prints CSV:
  timestamp,mean,lo80,hi80,lo95,hi95
Values keep 6 significant digits (whole numbers stay exact), as the lake stores them. A summary
goes to stderr: the series, points and step, the model (and the weights of a combination) and
its backtest accuracy (MAE, MSE, WAPE, interval coverage). Fewer than 3 values, or a horizon
reaching further ahead than the history reaches back (more than 1× its span), is "Not enough
data yet" (exit 1), unless --allow-extrapolation.

${seriesInputHelp}

Options:
  --horizon H           how far to forecast (required): a number of steps (integer ≥ 1) or
                        a duration (90s, 1h, 1d), turned into steps of the series' step,
                        rounded up
  --season auto|N       seasonal period in rows, 0 for none (default: auto)
  --transform none|log|boxcox
                        fit on the log or Box-Cox transformed series when every value is
                        > 0, for seasonality that grows with the level (default: boxcox;
                        none for a bounded ratio read by --metric, such as cpu_ratio)
  --bias-adjust         under a transform, forecast the mean instead of the median
  --allow-extrapolation forecast past 1× the history anyway, with a note on stderr
                        (that far ahead the forecast is guesswork)
  -h, --help            show this help
`;

/** Options read from the command line. */
interface Flags {
  source: SeriesSource;
  /** Steps, or a duration in ms to turn into steps once the series' step is known. */
  horizon: { steps: number } | { ms: number; text: string };
  season: "auto" | number;
  /** `undefined`: the metric's rule (`transformFor`), `forecast()`'s default for a CSV. */
  transform: TransformName | undefined;
  biasAdjust: boolean;
  allowExtrapolation: boolean;
}

function readFlags(args: string[]): Flags | undefined {
  const parsed = parseFlags(args, {
    ...seriesInputOptions,
    horizon: { type: "string" },
    season: { type: "string" },
    transform: { type: "string" },
    "bias-adjust": { type: "boolean" },
    "allow-extrapolation": { type: "boolean" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.values;
  if (v.help) return undefined;
  const source = seriesSource(v);
  if (v.horizon === undefined) {
    throw new UsageError("Missing --horizon: a number of steps or a duration (e.g. 24, 1h)");
  }
  const horizon = readHorizon(v.horizon);
  const s = v.season ?? "auto";
  const season = s === "auto" ? "auto" : parseNumber(s, "season", { min: 0, integer: true });
  if (season === 1) throw new UsageError("Invalid --season: 1 (use 0 for none or a period ≥ 2)");
  const transform = v.transform;
  if (
    transform !== undefined && transform !== "none" && transform !== "log" &&
    transform !== "boxcox"
  ) {
    throw new UsageError(`Invalid --transform: ${transform} (none, log or boxcox)`);
  }
  const biasAdjust = v["bias-adjust"] ?? false;
  if (biasAdjust && transform === "none") {
    throw new UsageError("--bias-adjust needs a transform (not --transform none)");
  }
  const allowExtrapolation = v["allow-extrapolation"] ?? false;
  return { source, horizon, season, transform, biasAdjust, allowExtrapolation };
}

/** Most steps a forecast makes. */
const MAX_STEPS = 1_000_000;

/** Reads `--horizon`: a bare number is steps (as it always was), anything else a duration. */
function readHorizon(text: string): Flags["horizon"] {
  if (/^\s*[-+]?[\d.eE]+\s*$/.test(text)) {
    const steps = Number(text);
    if (!(Number.isInteger(steps) && steps >= 1 && steps <= MAX_STEPS)) {
      // a bare number is steps; say that a duration is the other way to write it
      throw new UsageError(
        `Invalid --horizon: ${text} (expected a whole number of steps from 1 to ${MAX_STEPS} ` +
          `or a duration, e.g. 90s, 1h, 1d)`,
      );
    }
    return { steps };
  }
  const ms = readDuration(text);
  if (ms === undefined || !(ms > 0)) {
    throw new UsageError(
      `Invalid --horizon: ${text} (expected a number of steps ≥ 1 or a duration, e.g. 90s, 1h, 1d)`,
    );
  }
  return { ms, text };
}

/**
 * Turns a duration horizon into steps of the series' step, rounded up so the forecast covers
 * at least the duration asked for; shorter than one step is refused (exit 2).
 */
function horizonSteps(horizon: Flags["horizon"], stepMs: number): number {
  if ("steps" in horizon) return horizon.steps;
  // a hair of slack: 1h / 1 min is 60, and a float step must not make it 61
  const steps = Math.ceil(horizon.ms / stepMs - 1e-9);
  if (horizon.ms < stepMs) {
    throw new UsageError(
      `Invalid --horizon: ${horizon.text} is shorter than one step (${formatDuration(stepMs)})`,
    );
  }
  if (steps > MAX_STEPS) {
    throw new UsageError(
      `Invalid --horizon: ${horizon.text} is ${steps} steps of ${formatDuration(stepMs)} ` +
        `(at most ${MAX_STEPS})`,
    );
  }
  return steps;
}

/**
 * The longest `--horizon` the history supports, written as the user wrote theirs: steps for
 * steps, else a duration the flag reads back (`4m59s`) that comes to those steps and no more
 * (whole milliseconds, floored: a step of 1000.5 ms must not round the text up a step).
 */
function longestHorizon(asked: Flags["horizon"], steps: number, stepMs: number): string {
  return "steps" in asked ? String(steps) : durationFlag(Math.floor(steps * stepMs));
}

/** Fewest values a forecast is made from (fewer is "not enough data yet", exit 1). */
const MIN_POINTS = 3;

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where output lines go (default: stdout).
 * @param warn Where the model and accuracy summary goes (default: stderr).
 * @returns The exit code: 0 on success.
 * @throws {UsageError} For bad flags or columns (exit 2 under `runMain`).
 * @throws {Error} When the file cannot be read or holds no usable value, or the forecast is
 * not finite (values near the float limit, ±1e308) (exit 1).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => void Deno.stdout.writeSync(new TextEncoder().encode(t)),
  warn: (text: string) => void = (t) => void Deno.stderr.writeSync(new TextEncoder().encode(t)),
): Promise<number> {
  const flags = readFlags(args);
  if (!flags) {
    write(HELP);
    return 0;
  }
  const series = await readSeriesSource(flags.source);
  if (!series.values.some(Number.isFinite)) {
    throw new Error(`No numeric values in ${series.from}`);
  }
  const stepMs = Number.isFinite(series.stepMs) && series.stepMs > 0 ? series.stepMs : NaN;
  if (Number.isNaN(stepMs)) {
    // a median gap of 0: at least half the rows share the time of the row before them
    let repeats = 0;
    for (let i = 1; i < series.ts.length; i++) if (series.ts[i] === series.ts[i - 1]) repeats++;
    throw new Error(
      `Cannot infer the time step of ${series.from}: ` +
        (repeats > 0
          ? `${repeats} of ${series.ts.length - 1} rows repeat the time of the row before; ` +
            "give one row per time"
          : "needs two rows with increasing times"),
    );
  }
  // two points fit a line exactly, and their intervals came out zero wide: certainty from nothing
  const points = series.values.filter(Number.isFinite).length;
  if (points < MIN_POINTS) {
    throw new Error(
      `Not enough data yet: ${points} point${points === 1 ? "" : "s"} in ${series.from}; ` +
        `a forecast needs at least ${MIN_POINTS}`,
    );
  }
  const horizon = horizonSteps(flags.horizon, stepMs);
  // the evidence rules' 1×: past it the forecast is extrapolation no backtest here could check;
  // timestamps jitter by milliseconds, so the step is the unit the span is compared in
  const spanMs = series.ts[series.ts.length - 1]! - series.ts[0]!;
  const reach = judgeForecastHorizon(spanMs, horizon * stepMs, {}, stepMs);
  if (!reach.sufficient && !flags.allowExtrapolation) {
    // the same half-step tolerance as the verdict, or the advice would be a step short
    const steps = Math.floor((reach.supportedMs + stepMs / 2) / stepMs);
    throw new Error(
      `Not enough data yet: ${series.from}: ${reach.reason} (use --horizon ${
        longestHorizon(flags.horizon, steps, stepMs)
      } or less, or --allow-extrapolation)`,
    );
  }
  // Squares of values past ~1e154 overflow inside the models: fit on scaled values instead
  let scale = 0;
  for (const v of series.values) if (Math.abs(v) > scale) scale = Math.abs(v);
  scale = scale > 1e150 ? scale : 1;
  const values = scale === 1 ? series.values : series.values.map((v) => v / scale);
  const { season, biasAdjust } = flags;
  // a lake metric is forecast as the load profile and the capacity charts forecast it (a bounded
  // ratio without a transform); a CSV has no unit, so it gets forecast()'s default, as does
  // --bias-adjust alone, which asks for a transform
  const metric = flags.source.kind === "csv" ? undefined : flags.source.metric;
  const transform = flags.transform ?? (biasAdjust ? TRANSFORM : transformFor(metric));
  const f = forecast(values, { horizon, season, stepMs, transform, biasAdjust });
  const last = series.ts[series.ts.length - 1]!;
  let out = csvLine(["timestamp", "mean", "lo80", "hi80", "lo95", "hi95"]);
  for (let h = 0; h < horizon; h++) {
    const ts = new Date(last + (h + 1) * stepMs).toISOString();
    const row = [f.mean[h]!, f.lo80[h]!, f.hi80[h]!, f.lo95[h]!, f.hi95[h]!].map((x) => x * scale);
    if (!row.every(Number.isFinite)) {
      throw new Error(
        `Cannot forecast ${series.from}: the forecast is not finite at step ${h + 1}` +
          (scale === 1
            ? ""
            : ` (the values reach ±${scale}); rescale the input, e.g. to other units`),
      );
    }
    out += csvLine([ts, ...row.map(sixDigits)]);
  }
  write(out);
  const asked = "ms" in flags.horizon ? flags.horizon.ms : undefined;
  warn(
    forecastSummary(f, {
      from: series.from,
      points: series.values.length,
      stepMs,
      scale,
      asked,
      unit: metric === undefined ? undefined : metricInfo(metric)?.unit,
    }),
  );
  // a transform given on the command line and not applied is said, not silently dropped
  if (
    !f.fitted.transform && (flags.transform === "log" || flags.transform === "boxcox" || biasAdjust)
  ) {
    warn(`note: ${transformDropped(values, flags.transform ?? TRANSFORM)}\n`);
  }
  if (!reach.sufficient) {
    const times = horizon * stepMs / spanMs;
    warn(
      `note: the horizon (${formatDuration(horizon * stepMs)}) is ${
        times >= 10 ? Math.round(times) : times.toFixed(1)
      }× the history (${formatDuration(spanMs)}): that far ahead the forecast is guesswork\n`,
    );
  }
  return 0;
}

/**
 * A forecast value at 6 significant digits, as the lake stores it. Past 2^53 every double is a
 * whole number, which the lake's rule keeps exact: forecasts of values near 1e300 were printed
 * with 17 digits (`4.9488860436651086e+300`).
 */
function sixDigits(x: number): number {
  return Math.abs(x) >= 2 ** 53 ? Number(x.toPrecision(6)) : quantizeValue(x);
}

/** A number for people: 4 significant digits, no exponent below 1e21. */
function short(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : "n/a";
}

/** A share as a percentage with one decimal. */
function percent(x: number): string {
  return Number.isFinite(x) ? `${Math.round(x * 1000) / 10} %` : "n/a";
}

/** Sizes of the units `formatDuration` writes, to tell when its words round. */
const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  day: 86_400_000,
  days: 86_400_000,
};

/** A duration in words that do not round it (`90 s`, not `2 min`): what was asked, exactly. */
function exactDuration(ms: number): string {
  const words = formatDuration(ms);
  const [n, unit] = words.split(" ");
  return Number(n) * (UNIT_MS[unit!] ?? NaN) === ms ? words : `${ms / 1000} s`;
}

/** Why `forecast()` fitted no transform though one was asked for. */
function transformDropped(values: ArrayLike<number>, name: TransformName): string {
  let finite = 0, nonPositive = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v)) (finite++, v <= 0 && nonPositive++);
  }
  const asked = name === "log" ? "log" : "Box-Cox";
  return nonPositive > 0
    ? `no ${asked} transform: ${nonPositive} of ${finite} values are ≤ 0 (it needs every value > 0)`
    : `no ${asked} transform: its λ came out ≥ 1, so the series is fitted as it is`;
}

/**
 * The stderr summary of a forecast: what was read, which model (with the mean weight of each
 * member of a combination over the horizon) and its backtest accuracy. Errors are in the
 * series' units (times `scale` when the values were scaled down to fit).
 */
function forecastSummary(
  f: ForecastResult,
  about: {
    from: string;
    points: number;
    stepMs: number;
    scale: number;
    asked: number | undefined;
    /** The metric's registry unit: its MAE is said in it (`MAE 250 MiB`, not `262800000`). */
    unit: string | undefined;
  },
): string {
  const { fitted, backtest } = f;
  const members = fitted.members.length > 1
    ? ` (${
      fitted.members.map((m) => {
        const w = fitted.weights[m] ?? [];
        return [m, w.length ? w.reduce((a, b) => a + b, 0) / w.length : NaN] as const;
      }).filter(([, w]) => !(w < 0.0005)).map(([m, w]) => `${m} ${percent(w)}`).join(", ")
    })`
    : "";
  const t = fitted.transform;
  const transform = t
    ? `\ntransform: ${t.name === "log" ? "log" : `Box-Cox λ ${short(t.lambda)}`}, forecast ` +
      `the ${t.biasAdjust ? "mean" : "median"}`
    : "";
  const periods = fitted.periods.length
    ? `, seasonal period ${fitted.periods.join(", ")} points`
    : "";
  const s = about.scale;
  const steps = fitted.intervals.backtestHorizon;
  const reach = formatDuration(fitted.horizon * about.stepMs);
  // a duration asked for says how it became steps (and that it was rounded up, when it was)
  const horizon = about.asked === undefined
    ? `horizon ${fitted.horizon} steps (${reach})`
    : `horizon ${exactDuration(about.asked)} = ${fitted.horizon} step${
      fitted.horizon === 1 ? "" : "s"
    } of ${formatDuration(about.stepMs)}${
      fitted.horizon * about.stepMs > about.asked ? ` (rounded up to ${reach})` : ""
    }`;
  return [
    `forecast: ${about.from}: ${about.points} points, step ${formatDuration(about.stepMs)}, ` +
    horizon,
    `model: ${f.model}${members}${periods}${transform}`,
    backtest.origins > 0
      ? `backtest: ${backtest.origins} origins × ${steps} steps: MAE ${
        about.unit === undefined
          ? short(backtest.mae * s)
          : formatValue(backtest.mae * s, about.unit)
      }, ` +
        `MSE ${short(backtest.mse * s * s)}, WAPE ${percent(backtest.wape)}, ` +
        `coverage ${percent(backtest.coverage80)} of 80 % intervals, ` +
        `${percent(backtest.coverage95)} of 95 %`
      : "backtest: none (too little history); intervals are " + fitted.intervals.method,
  ].join("\n") + "\n";
}

if (import.meta.main) runMain("forecast", main);
