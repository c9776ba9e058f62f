/**
 * The M4 half of the rule README's forecasting section applies to a change of `forecast()`'s
 * defaults, shared by the benches that measure one: OWA against Naive2 in the same run, the five
 * folds of series (index mod 5), pooled 95 % coverage and the process's CPU ms per series.
 *
 * @module
 */

import process from "node:process";
import type { ForecastResult } from "../analytics/forecast/forecast_result.ts";
import type { M4Series } from "./m4_bench.ts";
import { mase, maseScale, naive2, smape } from "./m4_scores.ts";

/**
 * Scores `fc` on M4's series and formats one line: OWA, 95 % coverage, CPU ms per series and the
 * OWA of each fold.
 *
 * @param series M4 series (train and 48-step test parts).
 * @param fc The forecaster measured, 48 steps from a series' train part.
 * @returns The figures as a line, without the label.
 */
export function m4RuleLine(
  series: M4Series[],
  fc: (train: Float64Array, horizon: number) => Pick<ForecastResult, "mean" | "lo95" | "hi95">,
): string {
  const H = 48, M = 24;
  const fold = Array.from({ length: 5 }, () => [0, 0, 0, 0]);
  let cover = 0, points = 0, cpu = 0;
  series.forEach((m, i) => {
    const c0 = process.cpuUsage();
    const f = fc(m.train, H);
    const used = process.cpuUsage(c0);
    cpu += (used.user + used.system) / 1000 / series.length;
    const scale = maseScale(m.train, M), nv = naive2(m.train, H, M);
    const row = fold[i % 5]!;
    row[0]! += smape(m.test, f.mean), row[1]! += mase(m.test, f.mean, scale);
    row[2]! += smape(m.test, nv), row[3]! += mase(m.test, nv, scale);
    for (let j = 0; j < H; j++) cover += +(m.test[j]! >= f.lo95[j]! && m.test[j]! <= f.hi95[j]!);
    points += H;
  });
  const owa = (r: number[]) => 0.5 * (r[0]! / r[2]! + r[1]! / r[3]!);
  const total = fold.reduce((a, r) => a.map((v, j) => v + r[j]!), [0, 0, 0, 0]);
  return `OWA ${owa(total).toFixed(5)} 95 % coverage ${(cover / points).toFixed(3)} CPU ${
    cpu.toFixed(1)
  } ms/series | folds ${fold.map((r) => owa(r).toFixed(5)).join(" / ")}`;
}
