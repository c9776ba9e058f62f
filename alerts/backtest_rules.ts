/**
 * Replays rules over history with the live engine and an injected clock: the samples are fed in
 * time order and the engine evaluated on a fixed grid, as serve would have every second. No
 * second implementation of the rules exists to drift from the live one.
 *
 * @module
 */
import type { RuleConfig } from "../config/mod.ts";
import { AlertEngine } from "./alert_engine.ts";
import type { AlertTransition } from "./types.ts";

/** One series to replay. */
export interface BacktestSeries {
  host: string;
  metric: string;
  /** Canonical labels (`k=v,k2=v2`). */
  labels: string;
  /** Times in ms, ascending. */
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Options of {@linkcode backtestRules}. */
export interface BacktestRulesOptions {
  /** Evaluation interval, ms. Default 1000 (serve's). */
  stepMs?: number;
  /** First evaluation, ms. Default the first sample's time. */
  from?: number;
  /** Last evaluation, ms. Default the last sample's time. */
  until?: number;
  /** Runs SQL rules (default: none, they end in `error`). */
  query?: (sql: string) => Promise<Record<string, unknown>[]>;
}

/** One firing interval. */
export interface FiringInterval {
  alert: string;
  labels: Record<string, string>;
  /** When it started firing, ms. */
  start: number;
  /** When it stopped firing, ms; NaN while still firing at the end. */
  end: number;
  /** The most extreme value while firing (highest for `above`, lowest for `below`). */
  peak: number;
}

/**
 * Replays rules over series and returns every firing interval.
 *
 * @param rules The rules.
 * @param series The history.
 * @param options Grid and range.
 * @returns Firing intervals ordered by start, then alert name.
 * @throws {RangeError} If the step is not positive or the grid has more than 50 million points.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { backtestRules } from "./backtest_rules.ts";
 * const values = [0, 0, 9, 9, 9, 0, 0];
 * const out = backtestRules([{ alert: "High", metric: "m", above: 5, for: 1000 }], [
 *   { host: "", metric: "m", labels: "", ts: values.map((_, i) => i * 1000), values },
 * ]);
 * assert.deepEqual(out.map((f) => [f.start, f.end, f.peak]), [[3000, 5000, 9]]);
 * ```
 */
export function backtestRules(
  rules: readonly RuleConfig[],
  series: readonly BacktestSeries[],
  options: BacktestRulesOptions = {},
): FiringInterval[] {
  const stepMs = options.stepMs ?? 1000;
  if (!(stepMs > 0)) throw new RangeError(`Invalid step: ${stepMs}`);
  let first = Infinity, last = -Infinity;
  for (const s of series) {
    if (s.ts.length === 0) continue;
    first = Math.min(first, s.ts[0]!);
    last = Math.max(last, s.ts[s.ts.length - 1]!);
  }
  const from = options.from ?? first, until = options.until ?? last;
  if (!Number.isFinite(from) || !Number.isFinite(until) || until < from) return [];
  if ((until - from) / stepMs > 5e7) {
    throw new RangeError(`Too many evaluations: ${Math.ceil((until - from) / stepMs)}`);
  }
  const engine = new AlertEngine(rules, options.query ? { query: options.query } : {});
  const up = new Map(rules.map((r) => [r.alert, r.below === undefined]));
  const open = new Map<string, FiringInterval>();
  const done: FiringInterval[] = [];
  const take = (transitions: AlertTransition[]) => {
    for (const t of transitions) {
      const key = `${t.instance.rule}\u0000${t.instance.fingerprint}`;
      if (t.to === "firing") {
        const f: FiringInterval = {
          alert: t.instance.rule,
          labels: t.instance.labels,
          start: t.at,
          end: NaN,
          peak: t.instance.value,
        };
        open.set(key, f);
        done.push(f);
      } else if (t.from === "firing") {
        open.get(key)!.end = t.at;
        open.delete(key);
      }
    }
  };
  engine.onTransition(take);
  const next = new Int32Array(series.length);
  for (let t = from; t <= until; t += stepMs) {
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      let i = next[k]!;
      while (i < s.ts.length && s.ts[i]! <= t) {
        engine.observeSample(s.host, s.metric, s.labels, s.ts[i]!, s.values[i]!);
        i++;
      }
      next[k] = i;
    }
    engine.evaluate(t);
    if (open.size === 0) continue;
    for (const inst of engine.instances()) {
      if (inst.state !== "firing") continue;
      const f = open.get(`${inst.rule}\u0000${inst.fingerprint}`);
      if (!f || Number.isNaN(inst.value)) continue;
      const higher = up.get(inst.rule) ?? true;
      if (Number.isNaN(f.peak) || (higher ? inst.value > f.peak : inst.value < f.peak)) {
        f.peak = inst.value;
      }
    }
  }
  return done.sort((a, b) => a.start - b.start || a.alert.localeCompare(b.alert));
}
