import assert from "node:assert/strict";
import fc from "fast-check";
import {
  capWeights,
  combinationWeights,
  selectionBeatsMix,
  shrinkWeights,
  smoothedMse,
} from "../../analytics/forecast/forecast_combine.ts";
import { foldCoverage } from "../../analytics/forecast/forecast_score.ts";
import { backtestFitted, rollingOrigins } from "../../analytics/forecast/backtest_fitted.ts";
import { candidateModels } from "../../analytics/forecast/forecast_candidates.ts";
import { theta } from "../../analytics/models/theta.ts";
import { seasonalIndices } from "../../analytics/models/seasonal_indices.ts";
import { etsRefilter } from "../../analytics/models/ets_refilter.ts";
import { fitEts } from "../../analytics/forecast/ets.ts";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { seeded } from "./_seeded.ts";
import { props } from "../_props.ts";

Deno.test("combinationWeights() shifts weight to the candidate that is better at each step", () => {
  const short = Float64Array.from({ length: 10 }, (_, h) => 0.1 * (h + 1));
  const long = new Float64Array(10).fill(0.5);
  const w = combinationWeights([short, long]);
  assert.ok(w[0]![0]! > 0.8 && w[1]![9]! > 0.6);
  const best = combinationWeights([short, long], 1);
  assert.deepEqual([best[0]![0], best[1]![0]], [1, 0]);
  const nan = combinationWeights([new Float64Array([NaN]), new Float64Array([NaN])]);
  assert.deepEqual([nan[0]![0], nan[1]![0]], [0.5, 0.5]);
  const perfect = combinationWeights([new Float64Array([0]), new Float64Array([1])]);
  assert.ok(perfect[0]![0]! > 0.999);
  assert.deepEqual(combinationWeights([]), []);
});

Deno.test("smoothedMse() skips missing errors and gives NaN where a step has none", () => {
  const m = smoothedMse([new Float64Array([NaN, 2]), new Float64Array([NaN, NaN])], 2);
  assert.ok(Number.isNaN(m[0]!) && m[1] === 4);
  assert.ok(Number.isNaN(smoothedMse([new Float64Array([NaN])], 1)[0]!));
});

Deno.test("foldCoverage() of Gaussian errors is near the nominal rates", () => {
  const g = seeded(21);
  const errors = Array.from({ length: 40 }, () => Float64Array.from({ length: 12 }, () => g()));
  const [c80, c95] = foldCoverage(errors, new Float64Array(12));
  assert.ok(Math.abs(c80 - 0.8) < 0.07 && Math.abs(c95 - 0.95) < 0.04, `${c80} ${c95}`);
  assert.deepEqual(
    foldCoverage([new Float64Array([NaN])].concat(errors.slice(0, 3)), new Float64Array(1)).length,
    2,
  );
});

Deno.test("backtestFitted() re-runs fitted candidates at rolling origins without refitting", () => {
  const y = Float64Array.from({ length: 120 }, (_, i) => 2 + Math.sin((2 * Math.PI * i) / 12));
  const origins = rollingOrigins(y.length, { horizon: 12, origins: 5, step: 3, minTrain: 24 });
  assert.deepEqual(origins, [96, 99, 102, 105, 108]);
  const pool = candidateModels(["ets", "theta", "snaive"]);
  for (const name of ["ets", "theta", "snaive"] as const) {
    const run = backtestFitted(pool[name](y, 12, { periods: [12] }), y, origins, 12);
    for (const row of run.errors) for (const e of row) assert.ok(Math.abs(e) < 0.1, `${name} ${e}`);
  }
  assert.deepEqual(rollingOrigins(10, { horizon: 5, minTrain: 8 }), []);
});

Deno.test("theta() follows a linear trend and degrades to a flat forecast on one point", () => {
  const y = Float64Array.from({ length: 60 }, (_, i) => i + (i % 4 === 0 ? 1 : 0));
  const f = theta(y, 4, { periods: [4] }).at(60, 4);
  assert.ok(f.mean[3]! > f.mean[0]! && Math.abs(f.mean[0]! - 60) < 3);
  const one = theta(new Float64Array([5]), 2, { periods: [] }).at(1, 2);
  assert.deepEqual([...one.mean], [5, 5]);
  assert.ok(Number.isNaN(theta(new Float64Array([5]), 1, { periods: [] }).at(0, 1).mean[0]!));
});

Deno.test("seasonalIndices() gives zeros without a season or with under two cycles", () => {
  assert.deepEqual([...seasonalIndices(new Float64Array(10), 10, 1, 3)], [0]);
  assert.deepEqual([...seasonalIndices(new Float64Array(5), 5, 4, 3)], [0, 0, 0, 0]);
  const odd = Float64Array.from({ length: 30 }, (_, i) => [1, 0, -1][i % 3]!);
  assert.ok(Math.abs(seasonalIndices(odd, 30, 3, 5)[0]! - 1) < 1e-9);
});

Deno.test("etsRefilter() keeps flat models and reproduces the final state on the full history", () => {
  const flat = fitEts(new Float64Array([2, 4]));
  assert.equal(etsRefilter(flat, new Float64Array([1, 1, 1])), flat);
  const y = Float64Array.from({ length: 48 }, (_, i) => Math.sin((2 * Math.PI * i) / 12) + 0.1 * i);
  const m = fitEts(y, { trend: "damped", period: 12 });
  const again = etsRefilter(m, y);
  assert.ok(
    Math.abs(again.level - m.level) < 1e-9 && Math.abs(again.season[3]! - m.season[3]!) < 1e-9,
  );
  assert.equal(etsRefilter(m, new Float64Array()), m);
});

Deno.test("forecast() mixes candidates by horizon and records the weights per step", () => {
  const g = seeded(13);
  let level = 0;
  const y = Float64Array.from(
    { length: 24 * 30 },
    (_, i) => (level += 0.05 * g()) + Math.sin((2 * Math.PI * i) / 24) + 0.2 * g(),
  );
  const f = forecast(y, { horizon: 48 });
  assert.equal(f.model, "combo");
  for (let h = 0; h < 48; h++) {
    const total = f.fitted.members.reduce((a, m) => a + f.fitted.weights[m]![h]!, 0);
    assert.ok(Math.abs(total - 1) < 1e-9);
  }
  assert.ok(f.backtest.coverage80 > 0.6 && f.backtest.coverage95 > 0.85);
  const single = forecast(y, { horizon: 24, combine: 1 });
  assert.notEqual(single.model, "combo");
  assert.equal(single.fitted.members.length, 1);
});

Deno.test("shrinkWeights() moves a share to equal weights over the near-best candidates only", () => {
  const mse = [
    new Float64Array([1, NaN]),
    new Float64Array([1.4, NaN]),
    new Float64Array([1.2, NaN]),
    new Float64Array([4, NaN]),
  ];
  const w = combinationWeights(mse, 3, 2);
  const s = shrinkWeights(w, mse, 0.5, 1.5);
  // step 1: the fourth is not near the best (and left out by combine 3): it keeps no weight
  assert.equal(s[3]![0], 0);
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(s[c]![0]! - (0.5 * w[c]![0]! + 0.5 / 3)) < 1e-12);
  // the equal share narrows the gap between the best and the third
  assert.ok(s[0]![0]! - s[1]![0]! < w[0]![0]! - w[1]![0]!);
  // step 2 has no finite MSE: unchanged (equal weights from combinationWeights)
  assert.deepEqual(s.map((c) => c[1]), w.map((c) => c[1]));
  assert.deepEqual(shrinkWeights(w, mse, 0, 1.5), w);
});

Deno.test("shrinkWeights() keeps weights summing to 1 and never favours a worse candidate", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: 1, maxLength: 8 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.double({ min: 1, max: 4, noNaN: true }),
      fc.integer({ min: 1, max: 8 }),
      (values, lambda, ratio, top) => {
        const mse = values.map((v) => new Float64Array([v]));
        const s = shrinkWeights(combinationWeights(mse, top, 2), mse, lambda, ratio);
        assert.ok(Math.abs(s.reduce((a, c) => a + c[0]!, 0) - 1) < 1e-9);
        for (let a = 0; a < values.length; a++) {
          for (let b = 0; b < values.length; b++) {
            if (values[a]! < values[b]!) assert.ok(s[a]![0]! >= s[b]![0]! - 1e-12);
          }
        }
      },
    ),
    props(100),
  );
});

Deno.test("forecast() weighs candidates by their recent backtest errors with recentOrigins", () => {
  const g = seeded(17);
  // a daily pattern, then over the last 4 days the level climbs: trend-following candidates
  // (drift, linear, theta, ets_auto; linear carries the momentum of the last day on, as `ar`
  // did before it replaced it) are right only at the latest origins
  const n = 24 * 30;
  const y = Float64Array.from(
    { length: n },
    (_, i) => Math.sin((2 * Math.PI * i) / 24) + 0.1 * g() + (i > n - 96 ? 0.08 * (i - n + 96) : 0),
  );
  const trendy = ["drift", "linear", "theta", "ets_auto"];
  const share = (f: ReturnType<typeof forecast>) =>
    trendy.reduce((a, m) => a + (f.fitted.weights[m]?.[0] ?? 0), 0);
  const all = forecast(y, { horizon: 24, recentOrigins: Infinity, shrink: 0 });
  const recent = forecast(y, { horizon: 24, recentOrigins: 3, shrink: 0 });
  assert.ok(share(recent) > share(all), `${share(recent)} vs ${share(all)}`);
  assert.throws(() => forecast(y, { horizon: 1, shrink: 1.5 }), /Invalid shrink: 1.5/);
  assert.throws(() => forecast(y, { horizon: 1, shrinkRatio: 0.5 }), /Invalid shrinkRatio/);
  assert.throws(() => forecast(y, { horizon: 1, recentOrigins: 0 }), /Invalid recentOrigins/);
});

Deno.test("smoothedMse() pools at least minHalfWidth steps either side of each step", () => {
  const errors = [new Float64Array([1, 3, 3, 1, 1, 1])];
  const narrow = smoothedMse(errors, 6), wide = smoothedMse(errors, 6, 1);
  assert.equal(narrow[0], 1); // step 1 alone, as before
  assert.equal(wide[0], 5); // steps 1 and 2
  assert.equal(wide[1], 19 / 3); // steps 1–3
  assert.deepEqual([...wide.subarray(3)], [...narrow.subarray(3)]); // its own window is wider
  const y = Float64Array.from({ length: 24 * 20 }, (_, i) => Math.sin((2 * Math.PI * i) / 24));
  assert.throws(() => forecast(y, { horizon: 1, poolSteps: -1 }), /Invalid poolSteps: -1/);
  assert.throws(() => forecast(y, { horizon: 1, poolSteps: 1.5 }), /Invalid poolSteps/);
});

Deno.test("capWeights() caps the largest weight and spreads the excess in proportion", () => {
  const w = [
    new Float64Array([0.7, 0.4, 1]),
    new Float64Array([0.2, 0.3, 0]),
    new Float64Array([
      0.1,
      0.3,
      0,
    ]),
  ];
  const { weights, bound } = capWeights(w, 0.5);
  // Step 0: 0.2 and 0.1 share the 0.2 excess 2:1; step 1 is under the cap; step 2 has one
  // weighted candidate, which keeps its weight (the left-out ones stay out).
  assert.deepEqual(weights.map((c) => +c[0]!.toFixed(12)), [
    0.5,
    +(1 / 3).toFixed(12),
    +(1 / 6).toFixed(12),
  ]);
  assert.deepEqual(weights.map((c) => c[1]), [0.4, 0.3, 0.3]);
  assert.deepEqual(weights.map((c) => c[2]), [1, 0, 0]);
  assert.equal(bound, 2);
  assert.equal(w[0]![0], 0.7, "inputs untouched");
  // Water-filling: the second candidate reaches the cap after the first's excess and is capped.
  const two = capWeights([0.6, 0.3, 0.05, 0.05].map((x) => new Float64Array([x])), 0.35).weights;
  assert.deepEqual(two.map((c) => +c[0]!.toFixed(12)), [0.35, 0.35, 0.15, 0.15]);
  assert.deepEqual(capWeights(w, 1).weights, w);
});

Deno.test("capWeights() keeps sums at 1, the order of the weights, and the cap where it can", () => {
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: 1, maxLength: 10 }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      fc.integer({ min: 1, max: 10 }),
      (values, cap, top) => {
        const mse = values.map((v) => new Float64Array([v]));
        const w = combinationWeights(mse, top, 2), s = capWeights(w, cap).weights;
        const live = w.filter((c) => c[0]! > 0).length;
        assert.ok(Math.abs(s.reduce((a, c) => a + c[0]!, 0) - 1) < 1e-9);
        for (let a = 0; a < values.length; a++) {
          if (w[a]![0] === 0) assert.equal(s[a]![0], 0);
          assert.ok(s[a]![0]! <= Math.max(cap, 1 / live) + 1e-12);
          for (let b = 0; b < values.length; b++) {
            if (w[a]![0]! > w[b]![0]!) assert.ok(s[a]![0]! >= s[b]![0]! - 1e-12);
          }
        }
      },
    ),
    props(100),
  );
});

Deno.test("capWeights() with near caps among the near-best only and leaves the others", () => {
  const mse = [1, 1.2, 1.4, 4].map((x) => new Float64Array([x, x === 1 ? 1 : 3 * x]));
  const w = combinationWeights(mse, 4, 2);
  const { weights, bound } = capWeights(w, 0.3, { mse, ratio: 1.5 });
  // Step 0: three near-best share their weight, capped to an equal split (3 × 0.3 < their sum);
  // the fourth keeps its weight. Step 1: the best leads by more than 1.5× everywhere: untouched.
  const share = w[0]![0]! + w[1]![0]! + w[2]![0]!;
  for (let c = 0; c < 3; c++) assert.ok(Math.abs(weights[c]![0]! - share / 3) < 1e-12);
  assert.equal(weights[3]![0], w[3]![0]);
  assert.deepEqual(weights.map((c) => c[1]), w.map((c) => c[1]));
  assert.equal(bound, 1);
  fc.assert(
    fc.property(
      fc.array(fc.double({ min: 1e-3, max: 10, noNaN: true }), { minLength: 1, maxLength: 10 }),
      fc.double({ min: 0.05, max: 1, noNaN: true }),
      fc.double({ min: 1, max: 3, noNaN: true }),
      (values, cap, ratio) => {
        const m = values.map((v) => new Float64Array([v]));
        const v = combinationWeights(m, values.length, 2);
        const s = capWeights(v, cap, { mse: m, ratio }).weights;
        const best = Math.min(...values), near = values.map((x) => x <= ratio * best);
        const k = near.filter(Boolean).length;
        const sum = v.reduce((a, c, i) => a + (near[i] ? c[0]! : 0), 0);
        assert.ok(Math.abs(s.reduce((a, c) => a + c[0]!, 0) - 1) < 1e-9);
        values.forEach((_, i) => {
          if (!near[i] || k < 2) assert.equal(s[i]![0], v[i]![0]);
          else assert.ok(s[i]![0]! <= Math.max(cap, sum / k) + 1e-12);
        });
      },
    ),
    props(100),
  );
});

Deno.test("forecast() with weightCap gives no candidate more than the cap at any step", () => {
  const g = seeded(5);
  const y = Float64Array.from(
    { length: 24 * 30 },
    (_, i) => 0.05 * i + Math.sin((2 * Math.PI * i) / 24) + 0.05 * g(),
  );
  const most = (f: ReturnType<typeof forecast>) =>
    Math.max(...Object.values(f.fitted.weights).flatMap((w) => [...w]));
  const free = forecast(y, { horizon: 24 }), capped = forecast(y, { horizon: 24, weightCap: 0.3 });
  assert.ok(most(free) > 0.3, `uncapped: ${most(free)}`);
  assert.ok(most(capped) <= 0.3 + 1e-9, `capped: ${most(capped)}`);
  for (let h = 0; h < 24; h++) {
    const sum = Object.values(capped.fitted.weights).reduce((a, w) => a + w[h]!, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9);
  }
  assert.deepEqual(forecast(y, { horizon: 24, weightCap: 1 }).mean, free.mean);
  assert.throws(() => forecast(y, { horizon: 1, weightCap: 0 }), /Invalid weightCap/);
});

Deno.test("selectionBeatsMix() scores the earlier origins' mix and pick on the recent ones", () => {
  const g = seeded(7);
  // two unbiased candidates with independent errors of equal size: the mix halves the MSE
  const noisy = [0, 1].map(() => Array.from({ length: 40 }, () => new Float64Array([g(), g()])));
  const seen: number[] = [];
  const even = (early: Float64Array[][]) => {
    seen.push(early[0]!.length);
    const mse = early.map((e) => smoothedMse(e, 2));
    return { weights: mse.map(() => new Float64Array([0.5, 0.5])), mse };
  };
  assert.equal(selectionBeatsMix(noisy, 2, 10, 1, even, 0), false);
  assert.deepEqual(seen, [30]);
  // one exact candidate and one biased: the pick wins unless the margin asks for more than all
  const exact = Array.from({ length: 40 }, () => new Float64Array([0, 0]));
  const biased = Array.from({ length: 40 }, () => new Float64Array([1, 1]));
  assert.equal(selectionBeatsMix([biased, exact], 2, 10, 0.9, even, 0), true);
  assert.equal(selectionBeatsMix([biased, exact], 2, 39, 0.9, even, 0), false);
  // a mix that already puts all weight on the exact one cannot be beaten at margin 1
  const onExact = (early: Float64Array[][]) => ({
    weights: [new Float64Array([0, 0]), new Float64Array([1, 1])],
    mse: early.map((e) => smoothedMse(e, 2)),
  });
  assert.equal(selectionBeatsMix([biased, exact], 2, 10, 1, onExact, 0), false);
});

Deno.test("forecast() with mixOrSelect mixes or takes the best candidate at every step", () => {
  const g = seeded(11);
  const y = Float64Array.from(
    { length: 24 * 30 },
    (_, i) => 0.05 * i + Math.sin((2 * Math.PI * i) / 24) + 0.05 * g(),
  );
  const plain = forecast(y, { horizon: 24 });
  // a margin no selection can meet keeps the mix
  const never = forecast(y, { horizon: 24, mixOrSelect: { margin: 1e-12 } });
  assert.deepEqual(never.mean, plain.mean);
  // a margin any selection meets selects: one candidate with weight 1 at each step
  const always = forecast(y, { horizon: 24, mixOrSelect: { margin: 1e9 } });
  for (let h = 0; h < 24; h++) {
    const ws = Object.values(always.fitted.weights).map((w) => w[h]!);
    assert.deepEqual(ws.filter((w) => w > 0), [1]);
  }
  assert.throws(
    () => forecast(y, { horizon: 1, mixOrSelect: { recent: 0 } }),
    /Invalid mixOrSelect.recent/,
  );
  assert.throws(
    () => forecast(y, { horizon: 1, mixOrSelect: { margin: 0 } }),
    /Invalid mixOrSelect.margin/,
  );
});

Deno.test("forecast() spaces backtest origins minOriginSpacing apart where 10 still fit", () => {
  // a daily cycle plus a slow wave, so the periods (24) and the plan (minTrain 48) are fixed
  const series = (n: number) =>
    Float64Array.from(
      { length: n },
      (_, i) => 5 + Math.sin((2 * Math.PI * i) / 24) + 0.3 * Math.sin(i / 37) + 0.01 * (i % 7),
    );
  const origins = (n: number, minOriginSpacing?: number) =>
    forecast(series(n), {
      horizon: 24,
      ...(minOriginSpacing !== undefined && { minOriginSpacing }),
    })
      .backtest.origins;
  // 600 points: ⌈24/4⌉ = 6 apart gives all 40; 24 apart, (600 − 24 − 48) / 24 + 1 = 23
  assert.equal(origins(600), 40);
  assert.equal(origins(600, 0), 40);
  assert.equal(origins(600, 24), 23);
  assert.equal(origins(600, 6), 40, "no wider than the default spacing: unchanged");
  // 300 points hold exactly 10 origins 24 apart; 280 only 9, so they keep the dense 35
  assert.equal(origins(300, 24), 10);
  assert.equal(origins(280, 24), 35);
  assert.equal(origins(280), 35);
  // the spacing changes the weights' origins, so the forecast, and only with the option
  assert.notDeepEqual([...forecast(series(600), { horizon: 24, minOriginSpacing: 24 }).mean], [
    ...forecast(series(600), { horizon: 24 }).mean,
  ]);
  const y = series(600);
  assert.throws(
    () => forecast(y, { horizon: 1, minOriginSpacing: -1 }),
    /Invalid minOriginSpacing: -1/,
  );
  assert.throws(
    () => forecast(y, { horizon: 1, minOriginSpacing: 2.5 }),
    /Invalid minOriginSpacing/,
  );
});
