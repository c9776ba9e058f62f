/**
 * Automatic ETS: the additive-error forms fitted by maximum likelihood and chosen, or averaged,
 * by AICc.
 *
 * @module
 */

import { type EtsModel, type EtsTrend, fitEts } from "../forecast/ets.ts";
import { etsForecast } from "../forecast/ets_forecast.ts";
import { etsInitialStates } from "./ets_filter.ts";
import { etsRefilter } from "./ets_refilter.ts";
import { etsResiduals } from "./ets_residuals.ts";
import type { FittedModel, ModelForecast } from "./model_forecast.ts";

/** Options of {@linkcode etsAuto}. */
export interface EtsAutoOptions {
  /** Seasonal period in points; < 2 for none (default 0). Seasonal forms need two cycles. */
  period?: number;
  /**
   * `select`: the form with the lowest AICc; `weights`: every form's forecast weighted by its
   * Akaike weight, exp(−ΔAICc / 2) normalised (default `select`).
   */
  combine?: "select" | "weights";
  /** Objective evaluations of each Nelder–Mead run (two per form; default 100). */
  maxEvaluations?: number;
  /**
   * Points of history fitted, the most recent: max(`history`, 4 periods) (default 2,016, as
   * `directLinear`). Forms, AICc and parameters come from that window alone, so the fit costs
   * the same on any longer history.
   */
  history?: number;
  /**
   * States of an origin at or before the window's start (a long horizon's backtest): `heuristic`
   * re-runs the filter over the window's length of points before the origin from heuristic
   * initial states; `filter` runs it over every point before the origin, from heuristic initial
   * states at the history's start, as a fit on the whole history would (default `heuristic`).
   */
  preWindow?: "heuristic" | "filter";
}

/**
 * The model's states at `end` when the fit began at `start`: re-run from the fitted initial
 * states over `values[start, end)`, or, for an origin at or before `start`, from heuristic
 * initial states over the `window` points before it (the fitted ones lie after it), or over
 * all of them with `filter` (`window` Infinity).
 */
function statesAt(
  model: EtsModel,
  values: Float64Array,
  start: number,
  end: number,
  window: number,
): EtsModel {
  if (end > start || start === 0) return etsRefilter(model, values.subarray(start, end));
  const y = values.subarray(Math.max(0, end - window), end);
  const s = etsInitialStates(y, model.period, model.trend !== "none");
  const season = model.period > 1 ? [...s.season] : [];
  return etsRefilter({ ...model, initial: { level: s.level, slope: s.slope, season } }, y);
}

// Hurvich & Tsai (1989); for ETS as in Hyndman, Koehler, Snyder & Grose (2002) and forecast::ets:
// with Gaussian additive errors −2 log L = n log(SSE / n) up to a constant.
/**
 * AICc of a model with `k` estimated parameters (σ² included) whose one-step errors over `n`
 * points have sum of squares `sse`. `Infinity` when n ≤ k + 1 (too few points to judge); a zero
 * SSE is floored at the smallest double so that exact fits still compare by k.
 *
 * @param sse Sum of squared one-step errors.
 * @param n Points scored.
 * @param k Estimated parameters.
 * @returns n·log(SSE/n) + 2k + 2k(k+1)/(n−k−1).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsAicc } from "./ets_auto.ts";
 * assert.ok(Math.abs(etsAicc(100, 100, 3) - (6 + 24 / 96)) < 1e-12);
 * assert.equal(etsAicc(1, 4, 3), Infinity);
 * ```
 */
export function etsAicc(sse: number, n: number, k: number): number {
  if (n - k - 1 <= 0) return Infinity;
  return n * Math.log(Math.max(sse / n, Number.MIN_VALUE)) + 2 * k +
    (2 * k * (k + 1)) / (n - k - 1);
}

/** A fitted form: its label (error, trend, season), model and AICc. */
interface Form {
  form: string;
  model: EtsModel;
  aicc: number;
}

const TRENDS: readonly [EtsTrend, string][] = [["none", "N"], ["additive", "A"], ["damped", "Ad"]];

/** Fits one form to the one-step error with least-squares initial states and scores it. */
function fitForm(values: Float64Array, trend: EtsTrend, period: number, evals: number): Form {
  const model = fitEts(values, {
    trend,
    period,
    lossHorizon: 1,
    initial: "least_squares",
    maxEvaluations: evals,
  });
  const m = model.period, hasTrend = model.trend !== "none";
  // α and the level, β and the slope, φ, γ and m − 1 seasonal states, σ²
  const k = 2 + (hasTrend ? 2 : 0) + (model.trend === "damped" ? 1 : 0) + (m > 1 ? m : 0) + 1;
  let sse = 0;
  for (const e of etsResiduals(model, values)) sse += e * e;
  const label = TRENDS.find(([t]) => t === model.trend)![1];
  const aicc = etsAicc(sse, model.n, k);
  return { form: `A,${label},${m > 1 ? "A" : "N"}`, model, aicc: aicc === aicc ? aicc : Infinity };
}

// Hyndman, Koehler, Snyder & Grose (2002), "A state space framework for automatic forecasting
// using exponential smoothing methods", IJF 18(3), and Hyndman & Khandakar (2008), forecast::ets:
// every admissible form by maximum likelihood, the lowest AICc. Akaike weights: Burnham &
// Anderson (2002), §4.2; Kolassa (2011), "Combining exponential smoothing forecasts using Akaike
// weights", IJF 27(2).
/**
 * Fits ETS(A,N,N), (A,A,N), (A,Ad,N) and, with a period and two cycles of it, (A,N,A), (A,A,A) and
 * (A,Ad,A) to the one-step squared error (maximum likelihood under Gaussian errors) with
 * least-squares initial states, and forecasts with the form of lowest AICc or with all forms
 * weighted by their Akaike weights. Forms and parameters are fitted once, on the last
 * max(`history`, 4 periods) points (the whole history when shorter); `at(end, h)` re-runs the
 * chosen filters over `values[start, end)` from the fitted initial states at the window's
 * `start`, or, for an origin at or before it, over the window's length of points before the
 * origin from heuristic initial states (over all of them with `preWindow: "filter"`). The weighted standard deviation
 * is Burnham & Anderson's unconditional one, Σ wᵢ·√(sdᵢ² + (meanᵢ − mean)²). A series too short
 * for any AICc (n ≤ k + 1 for every form) gets ETS(A,N,N).
 *
 * @param values Gap-free history.
 * @param _horizon Unused: the forms are fitted to the one-step error.
 * @param options Period, selection or weights, optimiser budget, points fitted.
 * @returns The fitted model (params: the selected or most weighted `form` and its smoothing
 * parameters; every form fitted, space-separated in `forms`, with its `aicc` and `weight`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { etsAuto } from "./ets_auto.ts";
 * const y = Float64Array.from({ length: 96 }, (_, i) => Math.sin((2 * Math.PI * i) / 12));
 * const fit = etsAuto(y, 12, { period: 12 });
 * assert.equal(fit.params.form, "A,N,A");
 * assert.ok(Math.abs(fit.at(96, 12).mean[2]! - Math.sin((2 * Math.PI * 98) / 12)) < 0.05);
 * ```
 */
export function etsAuto(
  values: Float64Array,
  _horizon: number,
  options: EtsAutoOptions = {},
): FittedModel {
  const m0 = Math.round(options.period ?? 0), evals = options.maxEvaluations ?? 100;
  const window = Math.max(Math.round(options.history ?? 2016), 4 * m0, 16);
  const n = values.length, start = Math.max(0, n - window), fitted = values.subarray(start);
  const back = options.preWindow === "filter" ? Infinity : window;
  const seasons = m0 > 1 && fitted.length >= 2 * m0 ? [0, m0] : [0];
  const forms: Form[] = [];
  for (const period of seasons) {
    for (const [trend] of TRENDS) {
      const f = fitForm(fitted, trend, period, evals);
      // a short or flat series makes fitEts drop the season or trend: keep each form once
      if (!forms.some((g) => g.form === f.form)) forms.push(f);
    }
  }
  const best = forms.reduce((a, f) => (f.aicc < a.aicc ? f : a), forms[0]!);
  const weights = forms.map((f) =>
    !Number.isFinite(best.aicc)
      ? +(f === forms[0])
      : options.combine === "weights"
      ? Math.exp(-(f.aicc - best.aicc) / 2)
      : +(f === best)
  );
  const total = weights.reduce((a, w) => a + w, 0);
  const used = forms.map((f, i) => ({ ...f, w: weights[i]! / total })).filter((f) => f.w > 0);
  const lead = used.reduce((a, f) => (f.w > a.w ? f : a), used[0]!);
  const params = {
    form: lead.form,
    forms: forms.map((f) => f.form).join(" "),
    aicc: forms.map((f) => f.aicc),
    weight: forms.map((_, i) => weights[i]! / total),
    period: lead.model.period,
    alpha: lead.model.alpha,
    beta: lead.model.beta,
    gamma: lead.model.gamma,
    phi: lead.model.phi,
  };
  return {
    params,
    at(end, h): ModelForecast {
      const fs = used.map(({ model }) =>
        etsForecast(end === n ? model : statesAt(model, values, start, end, back), h)
      );
      if (fs.length === 1) return { ...fs[0]!, params };
      const mean = new Float64Array(h), sd = new Float64Array(h);
      fs.forEach((f, j) => {
        for (let i = 0; i < h; i++) mean[i]! += used[j]!.w * f.mean[i]!;
      });
      fs.forEach((f, j) => {
        for (let i = 0; i < h; i++) {
          sd[i]! += used[j]!.w * Math.sqrt(f.sd[i]! ** 2 + (f.mean[i]! - mean[i]!) ** 2);
        }
      });
      return { mean, sd, params };
    },
  };
}
