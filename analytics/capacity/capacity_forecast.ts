/**
 * Time until a resource reaches its limit: a robust trend (Theil–Sen line, a line since the
 * last change point, or Huber quadratic, chosen by out-of-sample error) on a deseasonalized,
 * time-binned series, with an 80 % interval from a moving-block residual bootstrap (started
 * from the quadratic) that refits and reselects the model each round, made symmetric in log
 * time and scaled by one calibrated constant (`widenInterval`).
 *
 * Why these choices: Theil–Sen and Huber ignore spikes (a backup burst); a line since the last
 * change point of an optimal piecewise-linear partition follows growth that changed its rate
 * and steps over a log rotation; the daily cycle is removed first so it does not tilt the
 * slope, scaled with the level when its amplitude follows the level (a swing that is a share of
 * the usage peaks higher as usage grows); a quadratic is kept only when it forecasts a held-out
 * tail better, so noise does not invent acceleration; the block bootstrap (Künsch 1989) keeps
 * the residuals' autocorrelation, which a plain residual bootstrap or the slope's textbook
 * standard error ignore and so give intervals that are too narrow.
 *
 * @module
 */
import { huberQuadratic, type TrendCoefficients } from "./capacity_robust_fit.ts";
import {
  crossingDays,
  profileAt,
  type SeasonalProfile,
  seasonalProfile,
  smoothProfile,
} from "./capacity_season.ts";
import { binSeries, evaluate, selectTrend } from "./capacity_trend.ts";
import { medianInPlace } from "./capacity_util.ts";
import { DEFAULT_WIDEN, widenInterval } from "./widen_interval.ts";
import { mulberry32 } from "../../lake/mod.ts";

const DAY = 86_400_000;
const HARMONICS = 3;
// No inflation of the bootstrap's residuals: the one calibrated constant is DEFAULT_WIDEN,
// applied to the whole interval (bootstrap and model alternatives) in log time.
const INFLATE = 1;

/**
 * Where a bootstrap without a point ETA may stop: after `rounds` rounds with at most `crossed`
 * of them reaching the limit, the exact one-sided 99 % upper bound of the share of all rounds
 * that would reach it is below 10 % (the share an `etaLow` needs): 0 of 50 → 8.8 %,
 * 2 of 100 → 8.1 %, 5 of 150 → 8.5 % (Clopper–Pearson).
 */
export const BOOTSTRAP_STOPS: readonly (readonly [rounds: number, crossed: number])[] = [
  [50, 0],
  [100, 2],
  [150, 5],
];

/** Options of {@linkcode capacityForecast}. */
export interface CapacityForecastOptions {
  /** The limit, in the series' unit (required). */
  threshold: number;
  /** "Now" in ms: where the forecast starts; default the last timestamp. */
  now?: number;
  /** How far ahead to look, in ms; default 90 days. */
  horizonMs?: number;
  /** `up` (default): the limit is reached from below; `down`: from above (e.g. free bytes). */
  direction?: "up" | "down";
  /** Season length in ms, 0 for none; default one day (used with ≥ 2 seasons of data). */
  seasonMs?: number;
  /** Time bins the series is reduced to before fitting; default 120. */
  bins?: number;
  /** Bootstrap rounds for the interval; default 200 (0: no interval). */
  bootstrap?: number;
  /**
   * Stop the bootstrap of a resource with no point ETA early, once its rounds show (99 % upper
   * bound) that fewer than 10 % of all rounds would reach the limit, so it has no interval to
   * show: checked after 50, 100 and 150 rounds (`BOOTSTRAP_STOPS`); default true. Resources
   * with a point ETA always run every round, so their intervals are unchanged.
   */
  earlyStop?: boolean;
  /** Seed of the bootstrap's random generator; default 1 (results are reproducible). */
  seed?: number;
  /** Fewest finite points needed; default 6 (at least 3). */
  minPoints?: number;
  /** Factor on the bootstrap's residuals; default 1 (none). */
  inflate?: number;
  /**
   * Exponent widening the 80 % interval in log time (`widenInterval`); default
   * `DEFAULT_WIDEN` (0.93), the value
   * the bench calibrates on one family of generated leaks and reports on another.
   */
  widen?: number;
}

/** What the forecast found. */
export type CapacityStatus =
  | "crossing" // reaches the limit within the horizon: `eta` is set
  | "beyond_horizon" // growing, but not within the horizon
  | "flat" // growth exactly 0
  | "decreasing" // moving away from the limit
  | "over" // already at or past the limit: `eta` = now
  | "insufficient"; // too few points or no time span

/** The result of {@linkcode capacityForecast}. Times are ms since the epoch. */
export interface CapacityForecast {
  status: CapacityStatus;
  /** Trend model used: `linear`, `quadratic`, or `none` (over / insufficient). */
  model: "linear" | "quadratic" | "none";
  /** Median time of reaching the limit, or null (not within the horizon). */
  eta: number | null;
  /** 80 % interval of that time: 10th and 90th percentiles; null when beyond the horizon. */
  etaLow: number | null;
  etaHigh: number | null;
  /** Start of the forecast. */
  now: number;
  /** Latest level: median of the last three finite values. */
  current: number;
  threshold: number;
  /** Distance to the limit in the series' unit (negative when over). */
  headroom: number;
  /** Trend's growth at `now`, units per day (NaN when insufficient). */
  growthPerDay: number;
  /** Fitted trend over x = days since `now`, in the series' unit. */
  trend: TrendCoefficients;
  /** Seasonal profile removed before fitting, when one was. */
  profile?: SeasonalProfile;
  /** Robust scale (1.4826 × MAD) of the binned residuals around the chosen trend. */
  residualScale: number;
  /** Held-out mean absolute errors of both candidate models (NaN where not run). */
  backtest: { linearMae: number; quadraticMae: number; holdout: number };
  /** Finite points used. */
  points: number;
}

/**
 * Estimates when a series reaches a threshold.
 *
 * Degenerate cases: fewer than `minPoints` finite points or a zero time span → `insufficient`
 * (null ETA, NaN growth); the median of the last three values at or past the limit → `over`
 * (ETA = interval = now); a flat or decreasing trend → null ETA (`flat`/`decreasing`), though
 * `etaLow` may be set when ≥ 10 % of bootstrap rounds still reach the limit; NaN values are
 * skipped, so gaps only cost precision.
 *
 * Noise-free input (a simulated fill, bytes in 4 KiB blocks at a 30-minute step) gets an
 * interval of seconds around a multi-day ETA, on purpose: the rounding is in the residuals the
 * bootstrap resamples, and it does pin the trend's crossing that closely (the ETA of such a
 * fill is off by about 0.01 s, inside its interval). No floor for the quantum or the sampling
 * step is added: that would be a display choice, not uncertainty.
 * The interval is conditional on the trend going on: it does not include the risk of the
 * growth rate changing, which no fit to a clean past can measure; texts print it at their own
 * precision (`capacityRecommendations` then gives the ETA alone).
 *
 * @param ts Timestamps in ms (any order).
 * @param values Values, same length, NaN for missing.
 * @param options The threshold and tuning.
 * @returns The ETA, its 80 % interval, growth and fit details.
 * @throws {RangeError} If lengths differ or an option is out of range.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { capacityForecast } from "./capacity_forecast.ts";
 * const ts = Float64Array.from({ length: 48 }, (_, i) => i * 3_600_000);
 * const values = ts.map((t) => 50 + t / 86_400_000 * 10); // +10 per day
 * const f = capacityForecast(ts, values, { threshold: 80, seasonMs: 0 });
 * assert.equal(f.model, "linear");
 * assert.equal(Math.round(f.growthPerDay), 10);
 * assert.equal(f.eta, 72 * 3_600_000); // 50 + 3 days × 10
 * ```
 */
export function capacityForecast(
  ts: Float64Array,
  values: Float64Array,
  options: CapacityForecastOptions,
): CapacityForecast {
  const o = validate(ts, values, options);
  const sign = o.direction === "down" ? -1 : 1;
  const order = finiteOrder(ts, values);
  const n = order.length;
  const t = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) (t[i] = ts[order[i]!]!, y[i] = sign * values[order[i]!]!);
  const now = options.now ?? (n > 0 ? t[n - 1]! : NaN);
  const last = y.slice(Math.max(0, n - 3));
  const current = sign * medianInPlace(last, last.length);
  const base = baseResult(o.threshold, now, current, n);
  if (n < o.minPoints || t[n - 1]! - t[0]! <= 0 || !Number.isFinite(now)) return base;
  const thr = sign * o.threshold;
  if (sign * current >= thr) {
    return {
      ...base,
      status: "over",
      eta: now,
      etaLow: now,
      etaHigh: now,
      headroom: o.threshold - current,
    };
  }
  const x = t.map((v) => (v - now) / DAY);
  const profile = fitProfile(t, x, y, o);
  const yd = profile ? deseasonalize(t, y, profile) : y;
  const { x: xb, y: yb } = binSeries(x, yd, o.bins);
  const chosen = selectTrend(xb, yb, { alternatives: true });
  // Bootstrap rounds start from the larger (quadratic) model, not the chosen one, so that each
  // round can pick either model again: the interval then carries the uncertainty of the choice
  // (bootstrap after model selection, Efron 2014, JASA 109:991).
  const full = xb.length >= 12 ? huberQuadratic(xb, yb) : chosen.trend;
  const start = Number.isFinite(full.a) ? full : chosen.trend;
  const fitted = xb.map((v) => evaluate(start, v));
  const resid = yb.map((v, i) => v - fitted[i]!);
  const horizonDays = o.horizonMs / DAY;
  const etaDays = crossingDays(chosen.trend, thr, { now, horizonDays, profile });
  const random = mulberry32(o.seed);
  const drawProfile = profile ? profileSampler(profile, t, x, y, chosen.trend, random) : undefined;
  const boot = bootstrapEtas(
    xb,
    fitted,
    resid,
    {
      rounds: o.bootstrap,
      random,
      inflate: o.inflate,
      // Only a resource without a point ETA may stop early: its one possible figure is etaLow,
      // shown when ≥ 10 % of the rounds reach the limit.
      stops: o.earlyStop && !Number.isFinite(etaDays) ? BOOTSTRAP_STOPS : [],
    },
    (tr) => crossingDays(tr, thr, { now, horizonDays, profile: drawProfile?.() }),
  );
  const q = (p: number) =>
    boot.length ? boot[Math.min(boot.length - 1, Math.floor(p * boot.length))]! : etaDays;
  // Model uncertainty: the ETAs of the trends the held-out tail could not tell from the chosen
  // one bound the interval too (the bootstrap only varies the residuals around one start model).
  // The bootstrap's spread, moved (in log time) so that its median is the ETA: its rounds start
  // from the quadratic and redraw the profile, so their centre can sit a peak or two away from
  // the chosen trend's crossing, which would leave one side of the interval closed at the ETA.
  const mid = q(0.5);
  const shift = Number.isFinite(mid) && mid > 0 && etaDays > 0 && Number.isFinite(etaDays)
    ? etaDays / mid
    : 1;
  let lowDays = Math.min(q(0.1) * shift, etaDays);
  let highDays = Math.max(q(0.9) * shift, etaDays);
  if (o.bootstrap > 0) {
    for (const alt of chosen.alternatives ?? []) {
      const d = crossingDays(alt, thr, { now, horizonDays, profile });
      (lowDays = Math.min(lowDays, d), highDays = Math.max(highDays, d));
    }
  }
  ({ low: lowDays, high: highDays } = widenInterval(
    { eta: etaDays, low: lowDays, high: highDays },
    o.widen,
  ));
  const g = chosen.trend.b;
  const at = (d: number) => (Number.isFinite(d) ? Math.round(now + d * DAY) : null);
  const status: CapacityStatus = Number.isFinite(etaDays)
    ? "crossing"
    : g > 0
    ? "beyond_horizon"
    : g < 0
    ? "decreasing"
    : "flat";
  const absResid = yb.map((v, i) => Math.abs(v - evaluate(chosen.trend, xb[i]!)));
  return {
    ...base,
    status,
    model: chosen.model,
    eta: at(etaDays),
    etaLow: at(lowDays),
    etaHigh: at(highDays),
    growthPerDay: sign * g,
    trend: { a: sign * chosen.trend.a, b: sign * g, c: sign * chosen.trend.c },
    ...(profile
      ? {
        profile: {
          periodMs: profile.periodMs,
          values: profile.values.map((v) => sign * v),
          ...(profile.scale &&
            { scale: { ref: sign * profile.scale.ref, slope: sign * profile.scale.slope } }),
        },
      }
      : {}),
    residualScale: 1.4826 * medianInPlace(absResid, absResid.length),
    backtest: chosen.backtest,
  };
}

function validate(ts: Float64Array, values: Float64Array, options: CapacityForecastOptions) {
  if (ts.length !== values.length) {
    throw new RangeError(`Invalid series: ${ts.length} timestamps but ${values.length} values`);
  }
  const o = {
    threshold: options.threshold,
    horizonMs: options.horizonMs ?? 90 * DAY,
    direction: options.direction ?? "up",
    seasonMs: options.seasonMs ?? DAY,
    bins: options.bins ?? 120,
    bootstrap: options.bootstrap ?? 200,
    seed: options.seed ?? 1,
    earlyStop: options.earlyStop ?? true,
    minPoints: options.minPoints ?? 6,
    inflate: options.inflate ?? INFLATE,
    widen: options.widen ?? DEFAULT_WIDEN,
  };
  if (!(o.inflate > 0)) throw new RangeError(`Invalid inflate: ${o.inflate}`);
  if (!(o.widen > 0) || !Number.isFinite(o.widen)) {
    throw new RangeError(`Invalid widen: ${o.widen}`);
  }
  if (!Number.isFinite(o.threshold)) throw new RangeError(`Invalid threshold: ${o.threshold}`);
  if (!(o.horizonMs > 0)) throw new RangeError(`Invalid horizonMs: ${o.horizonMs}`);
  if (!(o.seasonMs >= 0)) throw new RangeError(`Invalid seasonMs: ${o.seasonMs}`);
  if (!(o.bins >= 8) || !Number.isInteger(o.bins)) throw new RangeError(`Invalid bins: ${o.bins}`);
  if (!(o.bootstrap >= 0)) throw new RangeError(`Invalid bootstrap: ${o.bootstrap}`);
  if (!(o.minPoints >= 3)) throw new RangeError(`Invalid minPoints: ${o.minPoints}`);
  if (o.direction !== "up" && o.direction !== "down") {
    throw new RangeError(`Invalid direction: ${o.direction}`);
  }
  return o;
}

function finiteOrder(ts: Float64Array, values: Float64Array): number[] {
  const idx: number[] = [];
  for (let i = 0; i < ts.length; i++) {
    if (Number.isFinite(ts[i]!) && Number.isFinite(values[i]!)) idx.push(i);
  }
  return idx.sort((i, j) => ts[i]! - ts[j]!);
}

function baseResult(
  threshold: number,
  now: number,
  current: number,
  points: number,
): CapacityForecast {
  return {
    status: "insufficient",
    model: "none",
    eta: null,
    etaLow: null,
    etaHigh: null,
    now,
    current,
    threshold,
    headroom: threshold - current,
    growthPerDay: NaN,
    trend: { a: NaN, b: NaN, c: NaN },
    residualScale: NaN,
    backtest: { linearMae: NaN, quadraticMae: NaN, holdout: 0 },
    points,
  };
}

/**
 * The series without its cycle. A level-scaled cycle is scaled at each point's level, taken
 * as the value less the unscaled offset (the trend is not known yet).
 */
function deseasonalize(
  t: Float64Array,
  y: Float64Array,
  profile: SeasonalProfile,
): Float64Array {
  const k = profile.scale?.slope ?? 0, ref = profile.scale?.ref ?? 0;
  return y.map((v, i) => {
    const p = profileAt(profile, t[i]!);
    return v - p * (1 + k * (v - p - ref));
  });
}

/** A daily (or `seasonMs`) profile when the data spans two seasons at a fine enough step. */
function fitProfile(
  t: Float64Array,
  x: Float64Array,
  y: Float64Array,
  o: { seasonMs: number; bins: number },
): SeasonalProfile | undefined {
  const n = t.length;
  if (o.seasonMs <= 0 || t[n - 1]! - t[0]! < 2 * o.seasonMs) return undefined;
  const step = (t[n - 1]! - t[0]!) / (n - 1);
  const bins = Math.min(48, Math.floor(o.seasonMs / step));
  if (bins < 8) return undefined;
  const { x: xb, y: yb } = binSeries(x, y, o.bins);
  const line = selectTrend(xb, yb).trend;
  const detrended = y.map((v, i) => v - evaluate(line, x[i]!));
  const profile = seasonalProfile(t, detrended, {
    periodMs: o.seasonMs,
    bins,
    harmonics: HARMONICS,
  });
  const scale = levelScale(t, x, detrended, line, profile);
  return scale ? { ...profile, scale } : profile;
}

/**
 * Whether the cycle's amplitude grows with the level (multiplicative seasonality, e.g. a daily
 * swing that is a share of the usage) or stays put (additive): each season's amplitude is the
 * least-squares factor on the profile of its detrended values, and a weighted line through
 * (level, amplitude) says how much it changes per unit of level. The slope is kept between
 * additive (0) and proportional (1/level) so that noise cannot extrapolate a cycle that grows
 * faster than the level itself. Needs three seasons; otherwise additive.
 */
function levelScale(
  t: Float64Array,
  x: Float64Array,
  detrended: Float64Array,
  line: TrendCoefficients,
  profile: SeasonalProfile,
): { ref: number; slope: number } | undefined {
  const period = profile.periodMs;
  const t0 = t[0]!;
  const seasons = Math.floor((t[t.length - 1]! - t0) / period) + 1;
  if (seasons < 3) return undefined;
  const num = new Float64Array(seasons), den = new Float64Array(seasons);
  const lev = new Float64Array(seasons), cnt = new Float64Array(seasons);
  for (let i = 0; i < t.length; i++) {
    const k = Math.floor((t[i]! - t0) / period);
    const p = profileAt(profile, t[i]!);
    (num[k]! += detrended[i]! * p, den[k]! += p * p);
    (lev[k]! += evaluate(line, x[i]!), cnt[k]!++);
  }
  // Only whole seasons: a partial one sees part of the cycle, so its factor is biased.
  let sw = 0, sl = 0, sa = 0;
  const keep: number[] = [];
  const full = period / ((t[t.length - 1]! - t0) / (t.length - 1));
  for (let k = 0; k < seasons; k++) {
    if (!(den[k]! > 0) || cnt[k]! < 0.8 * full) continue;
    keep.push(k);
    (lev[k]! /= cnt[k]!, num[k]! /= den[k]!);
    (sw += den[k]!, sl += den[k]! * lev[k]!, sa += den[k]! * num[k]!);
  }
  if (keep.length < 3 || !(sw > 0)) return undefined;
  const ref = sl / sw, amp = sa / sw;
  // A share of the level only means something while the level keeps one sign.
  if (keep.some((k) => !(lev[k]! * ref > 0))) return undefined;
  let sxx = 0, sxy = 0;
  for (const k of keep) {
    (sxx += den[k]! * (lev[k]! - ref) ** 2, sxy += den[k]! * (lev[k]! - ref) * (num[k]! - amp));
  }
  if (!(sxx > 0) || !(amp > 0) || ref === 0) return undefined;
  const slope = sxy / sxx / amp;
  const max = 1 / ref;
  return { ref, slope: Math.min(Math.max(slope, Math.min(0, max)), Math.max(0, max)) };
}

/**
 * Draws profiles that differ from the fitted one by its estimation error: each phase median
 * moves by a normal draw with its standard error, 1.2533 σ/√n_eff (the median's asymptotic
 * efficiency), n_eff discounted for lag-1 autocorrelation ρ by (1 − ρ)/(1 + ρ).
 */
function profileSampler(
  profile: SeasonalProfile,
  t: Float64Array,
  x: Float64Array,
  y: Float64Array,
  trend: TrendCoefficients,
  random: () => number,
): () => SeasonalProfile {
  const n = t.length;
  const r = new Float64Array(n);
  for (let i = 0; i < n; i++) r[i] = y[i]! - profileAt(profile, t[i]!) - evaluate(trend, x[i]!);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) (den += r[i]! * r[i]!, num += i > 0 ? r[i]! * r[i - 1]! : 0);
  const rho = Math.min(0.95, Math.max(0, den > 0 ? num / den : 0));
  const sigma = 1.4826 * medianInPlace(r.map(Math.abs), n);
  const medians = profile.medians!;
  const se = Float64Array.from(
    profile.counts!,
    (c) => c > 0 ? 1.2533 * sigma / Math.sqrt(c * (1 - rho) / (1 + rho)) : 0,
  );
  const draw = new Float64Array(medians.length);
  const harmonics = Math.min(HARMONICS, Math.floor((medians.length - 1) / 2));
  return function sample() {
    let mean = 0;
    for (let k = 0; k < draw.length; k++) {
      draw[k] = medians[k]! + se[k]! * normal(random);
      mean += draw[k]! / draw.length;
    }
    for (let k = 0; k < draw.length; k++) draw[k]! -= mean;
    const values = smoothProfile(draw, {
      harmonics,
      resolution: profile.values.length,
      phases: profile.phases,
    });
    return { periodMs: profile.periodMs, values, ...(profile.scale && { scale: profile.scale }) };
  };
}

/** A standard normal draw (Box & Muller 1958). */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/**
 * ETAs in days (sorted; Infinity = not within the horizon) from a moving-block residual
 * bootstrap (Künsch 1989) with blocks of 1.5·m^⅓ bins; residuals are inflated by `inflate` to
 * offset the block bootstrap's known downward variance bias (Lahiri 2003, §3.2).
 */
function bootstrapEtas(
  x: Float64Array,
  fitted: Float64Array,
  resid: Float64Array,
  o: {
    rounds: number;
    random: () => number;
    inflate: number;
    stops: readonly (readonly [number, number])[];
  },
  eta: (trend: TrendCoefficients) => number,
): Float64Array {
  const m = x.length;
  const out = new Float64Array(o.rounds);
  const block = Math.max(1, Math.min(m, Math.round(1.5 * Math.cbrt(m))));
  const y = new Float64Array(m);
  for (let r = 0; r < o.rounds; r++) {
    for (let i = 0; i < m; i += block) {
      const start = Math.floor(o.random() * (m - block + 1));
      for (let j = 0; j < block && i + j < m; j++) {
        y[i + j] = fitted[i + j]! + o.inflate * resid[start + j]!;
      }
    }
    out[r] = eta(selectTrend(x, y).trend);
    const stop = o.stops.find(([k]) => k === r + 1);
    if (stop && r + 1 < o.rounds) {
      let crossed = 0;
      for (let i = 0; i <= r; i++) if (Number.isFinite(out[i]!)) crossed++;
      if (crossed <= stop[1]) return out.subarray(0, r + 1).sort();
    }
  }
  return out.sort();
}
