/**
 * Forecasting with model selection by rolling-origin backtest and intervals calibrated on the
 * backtest errors.
 *
 * @module
 */

import { backtest, type BacktestErrors } from "./backtest.ts";
import { backtestScores } from "./backtest_scores.ts";
import { calibrateIntervals, type IntervalCalibration } from "./forecast_intervals.ts";
import { detectPeriods } from "./models/detect_periods.ts";
import { interpolateGaps } from "./models/interpolate_gaps.ts";
import type { ModelForecast } from "./models/model_forecast.ts";
import { candidateModels, type CandidateName } from "./forecast_candidates.ts";
import type { FittedForecast, ForecastCandidate } from "./forecast_fitted.ts";

export type { CandidateName } from "./forecast_candidates.ts";

/** Options of {@linkcode forecast}. */
export interface ForecastOptions {
  /** Steps to forecast (integer ≥ 1). */
  horizon: number;
  /** Seasonal period(s) in points, `0` for none, or `"auto"` to detect them (default `"auto"`). */
  season?: "auto" | number | number[];
  /** Sampling step in ms, recorded in the fitted model (default `NaN`: unknown). */
  stepMs?: number;
  /** Candidate models (default all but `augurs_mstl`). */
  models?: CandidateName[];
  /** Average the best k candidates as an extra candidate `combo` (default 3; < 2 disables). */
  combine?: number;
  /** Backtest origins (default 6). */
  origins?: number;
}

/** Result of {@linkcode forecast}. */
export interface ForecastResult {
  /** Chosen model (`combo` for the average of `fitted.members`; `none` without data). */
  model: string;
  /** Point forecasts, steps 1…horizon. */
  mean: Float64Array;
  /** Lower bound of the 80 % interval. */
  lo80: Float64Array;
  /** Upper bound of the 80 % interval. */
  hi80: Float64Array;
  /** Lower bound of the 95 % interval. */
  lo95: Float64Array;
  /** Upper bound of the 95 % interval. */
  hi95: Float64Array;
  /** Backtest accuracy of the chosen model (`NaN` scores when no origin fitted). */
  backtest: ForecastCandidate;
  /** Every candidate's backtest accuracy, best first. */
  candidates: ForecastCandidate[];
  /** Serializable description of the fitted model. */
  fitted: FittedForecast;
}

function coverage(errors: Float64Array[], analytic: Float64Array): [number, number] {
  if (errors.length < 2) return [NaN, NaN];
  let in80 = 0, in95 = 0, k = 0;
  for (let r = 0; r < errors.length; r++) {
    const c = calibrateIntervals(errors.filter((_, j) => j !== r), analytic);
    const row = errors[r]!;
    for (let h = 0; h < row.length; h++) {
      const e = Math.abs(row[h]!);
      if (!Number.isFinite(e)) continue;
      k++, in80 += +(e <= c.q80 * c.scale[h]!), in95 += +(e <= c.q95 * c.scale[h]!);
    }
  }
  return k ? [in80 / k, in95 / k] : [NaN, NaN];
}

interface Unit {
  center: number;
  scale: number;
}

interface Scored {
  name: string;
  members: string[];
  run: BacktestErrors;
  score: ForecastCandidate;
}

function score(name: string, run: BacktestErrors, unit: Unit, members: string[]): Scored {
  const s = backtestScores(
    run.errors.map((row) => row.map((e) => e * unit.scale)),
    run.actuals.map((row) => row.map((a) => unit.center + a * unit.scale)),
  );
  const [c80, c95] = coverage(run.errors, run.sd[run.sd.length - 1] ?? new Float64Array());
  return {
    name,
    members,
    run,
    score: {
      name,
      mse: s.mse,
      mae: s.mae,
      wape: s.wape,
      coverage80: c80,
      coverage95: c95,
      origins: run.origins.length,
    },
  };
}

function average(runs: BacktestErrors[]): BacktestErrors {
  const first = runs[0]!;
  const mean = (rows: (r: BacktestErrors) => Float64Array[]) =>
    rows(first).map((row, i) =>
      row.map((_, h) => runs.reduce((a, r) => a + rows(r)[i]![h]!, 0) / runs.length)
    );
  return {
    origins: first.origins,
    errors: mean((r) => r.errors),
    actuals: first.actuals,
    sd: mean((r) => r.sd),
  };
}

/**
 * Forecasts a series: detects seasonal periods, backtests each candidate at rolling origins
 * over the end of the history, picks the lowest backtest MSE (the average of the best
 * `combine` candidates competes too), refits it on the whole history and sets the 80 % and
 * 95 % intervals from the chosen model's backtest errors (analytic ones where too few). Gaps
 * are interpolated; values are scaled internally, so huge magnitudes do not overflow the fit.
 * Empty or all-`NaN` input gives `NaN` forecasts and model `none`; one point or a constant
 * series gives a flat forecast with zero-width intervals.
 *
 * @param values The history (`NaN` for missing), oldest first.
 * @param options Horizon, season, candidate models.
 * @returns Forecast, intervals, backtest accuracy and a serializable model description.
 * @throws {RangeError} If `horizon` is not an integer ≥ 1 or a period is not an integer ≥ 2.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { forecast } from "./forecast.ts";
 * const y = Float64Array.from({ length: 24 * 20 }, (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24));
 * const f = forecast(y, { horizon: 24 });
 * assert.ok(Math.abs(f.mean[6]! - 11) < 0.1);
 * assert.ok(f.lo95[6]! <= f.mean[6]! && f.mean[6]! <= f.hi95[6]!);
 * ```
 */
export function forecast(values: Float64Array, options: ForecastOptions): ForecastResult {
  const horizon = options.horizon;
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new RangeError(`Invalid horizon: ${horizon} (expected an integer ≥ 1)`);
  }
  const season = options.season ?? "auto";
  const given = season === "auto" ? undefined : [season].flat();
  for (const p of given ?? []) {
    if (p !== 0 && !(Number.isInteger(p) && p >= 2)) throw new RangeError(`Invalid season: ${p}`);
  }
  let center = 0, spread = 0, finite = 0;
  for (const v of values) if (Number.isFinite(v)) (finite++, center += (v - center) / finite);
  for (const v of values) if (Number.isFinite(v)) spread = Math.max(spread, Math.abs(v - center));
  if (!finite) center = NaN;
  const scale = spread > 0 && Number.isFinite(spread) ? spread : 1;
  const y = interpolateGaps(values).map((v) => (v - center) / scale);
  const raw = values.map((v) => (v - center) / scale);
  const n = y.length;
  const unit = { center, scale };
  const periods = (given ?? detectPeriods(raw).map((p) => p.period))
    .filter((p) => p >= 2 && 2 * p <= n).sort((a, b) => a - b);
  const names = options.models ??
    ["snaive", "drift", "seasonal_mean", "ets", "ets_damped", "mstl_ets"];
  const models = candidateModels(names);
  const context = { periods };
  const minTrain = Math.max(8, 2 * (periods.at(-1) ?? 0));
  const btOptions = { horizon, minTrain, origins: options.origins ?? 6 };
  const scored: Scored[] = finite
    ? names.map((name) =>
      score(
        name,
        backtest(y, (train, h) => models[name](train, h, context), btOptions, raw),
        unit,
        [name],
      )
    )
    : [];
  const ranked = scored.filter((s) => Number.isFinite(s.score.mse)).sort((a, b) =>
    a.score.mse - b.score.mse
  );
  const k = Math.min(options.combine ?? 3, ranked.length);
  if (k >= 2) {
    const top = ranked.slice(0, k);
    scored.push(score("combo", average(top.map((t) => t.run)), unit, top.map((t) => t.name)));
  }
  const all = scored.filter((s) => Number.isFinite(s.score.mse)).sort((a, b) =>
    a.score.mse - b.score.mse
  );
  const chosen = all[0] ??
    (finite
      ? {
        name: names.includes("ets") ? "ets" : names[0]!,
        members: [names.includes("ets") ? "ets" : names[0]!],
        run: undefined,
        score: undefined,
      }
      : undefined);
  return assemble(y, horizon, chosen, all, {
    center,
    scale,
    periods,
    models,
    stepMs: options.stepMs ?? NaN,
  });
}

interface Setup {
  center: number;
  scale: number;
  periods: number[];
  models: ReturnType<typeof candidateModels>;
  stepMs: number;
}

const none = (name: string): ForecastCandidate => ({
  name,
  mse: NaN,
  mae: NaN,
  wape: NaN,
  coverage80: NaN,
  coverage95: NaN,
  origins: 0,
});

function assemble(
  y: Float64Array,
  horizon: number,
  chosen: {
    name: string;
    members: string[];
    run?: BacktestErrors | undefined;
    score?: ForecastCandidate | undefined;
  } | undefined,
  all: Scored[],
  setup: Setup,
): ForecastResult {
  const { center, scale, periods } = setup;
  const mean = new Float64Array(horizon).fill(NaN), sd = new Float64Array(horizon);
  const params: FittedForecast["params"] = {};
  if (chosen) {
    mean.fill(0);
    for (const name of chosen.members) {
      const f: ModelForecast = setup.models[name as CandidateName](y, horizon, { periods });
      params[name] = f.params;
      for (let h = 0; h < horizon; h++) {
        mean[h] = mean[h]! + f.mean[h]! / chosen.members.length;
        sd[h] = sd[h]! + (Number.isFinite(f.sd[h]!) ? f.sd[h]! : 0) / chosen.members.length;
      }
    }
  }
  const cal: IntervalCalibration = calibrateIntervals(chosen?.run?.errors ?? [], sd);
  const out = {
    mean,
    lo80: mean.slice(),
    hi80: mean.slice(),
    lo95: mean.slice(),
    hi95: mean.slice(),
  };
  for (let h = 0; h < horizon; h++) {
    const m = center + scale * mean[h]!, w = scale * cal.scale[h]!;
    out.mean[h] = m;
    out.lo80[h] = m - cal.q80 * w, out.hi80[h] = m + cal.q80 * w;
    out.lo95[h] = m - cal.q95 * w, out.hi95[h] = m + cal.q95 * w;
  }
  let rm = 0, rs = 0, rc = 0;
  for (const row of chosen?.run?.errors ?? []) {
    for (const e of row) if (Number.isFinite(e)) (rc++, rm += (e - rm) / rc);
  }
  for (const row of chosen?.run?.errors ?? []) {
    for (const e of row) if (Number.isFinite(e)) rs += (e - rm) ** 2;
  }
  const backtestScore = chosen?.score ?? none(chosen?.name ?? "none");
  const candidates = all.map((s) => s.score);
  return {
    model: chosen?.name ?? "none",
    ...out,
    backtest: backtestScore,
    candidates,
    fitted: {
      version: 1,
      model: chosen?.name ?? "none",
      members: chosen?.members ?? [],
      horizon,
      periods,
      stepMs: setup.stepMs,
      n: y.length,
      center,
      scale,
      params,
      intervals: {
        method: cal.method,
        scale: [...cal.scale].map((v) => v * scale),
        q80: cal.q80,
        q95: cal.q95,
        samples: cal.samples,
      },
      backtest: backtestScore,
      residuals: {
        mean: rm * scale,
        sd: rc > 1 ? Math.sqrt(rs / (rc - 1)) * scale : NaN,
        count: rc,
      },
      candidates,
    },
  };
}
