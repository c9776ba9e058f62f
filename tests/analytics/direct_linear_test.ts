import assert from "node:assert/strict";
import { directLinear } from "../../analytics/models/direct_linear.ts";
import { lagSums } from "../../analytics/models/lag_sums.ts";
import {
  candidateModels,
  DEFAULT_CANDIDATES,
} from "../../analytics/forecast/forecast_candidates.ts";
import { forecast } from "../../analytics/forecast/forecast.ts";
import { seeded } from "./_seeded.ts";

/** A daily sine with AR(1) noise of coefficient 0.8 on a trend of `slope` a step, seeded. */
function hourly(n: number, seed: number, slope = 0.002): Float64Array {
  const noise = seeded(seed), y = new Float64Array(n);
  let x = 0;
  for (let t = 0; t < n; t++) {
    x = 0.8 * x + 0.3 * noise();
    y[t] = slope * t + x + Math.sin((2 * Math.PI * t) / 24);
  }
  return y;
}

/** The same ridge fit by brute force: every window's row, the normal equations, elimination. */
function bruteForce(
  y: Float64Array,
  end: number,
  h: number,
  L: number,
  ridge: number,
  intercept = true,
): number {
  const T = 24 * Math.floor((end - 1 - h) / 24),
    a = Array.from({ length: L }, () => Array(L).fill(0));
  const b = Array(L).fill(0);
  for (let t = L - 1; t <= T; t++) {
    const row = [+intercept, ...Array.from({ length: L - 1 }, (_, j) => y[t - j - 1]! - y[t]!)];
    for (let p = 0; p < L; p++) {
      b[p] += row[p]! * (y[t + h]! - y[t]!);
      for (let q = 0; q < L; q++) a[p]![q] += row[p]! * row[q]!;
    }
  }
  let trace = 0;
  for (let i = 1; i < L; i++) trace += a[i]![i]!;
  for (let i = 1; i < L; i++) a[i]![i] += (ridge * trace) / (L - 1);
  if (!intercept) a[0]![0] = 1;
  for (let c = 0; c < L; c++) {
    for (let r = c + 1; r < L; r++) {
      const f = a[r]![c]! / a[c]![c]!;
      for (let q = c; q < L; q++) a[r]![q] -= f * a[c]![q]!;
      b[r] -= f * b[c];
    }
  }
  const beta = Array(L).fill(0);
  for (let r = L - 1; r >= 0; r--) {
    let s = b[r];
    for (let q = r + 1; q < L; q++) s -= a[r]![q]! * beta[q];
    beta[r] = s / a[r]![r]!;
  }
  let f = beta[0];
  for (let j = 1; j < L; j++) f += beta[j] * (y[end - 1 - j]! - y[end - 1]!);
  return y[end - 1]! + f;
}

Deno.test("lagSums() gives range sums of values and lagged products", () => {
  const y = Float64Array.from({ length: 30 }, (_, i) => Math.cos(i));
  const s = lagSums(y);
  let sum = 0, dot = 0;
  for (let t = 5; t <= 20; t++) sum += y[t + 3]!, dot += y[t - 4]! * y[t + 2]!;
  assert.ok(Math.abs(s.sum(5, 20, 3) - sum) < 1e-12);
  assert.ok(Math.abs(s.dot(5, 20, -4, 2) - dot) < 1e-12);
  assert.ok(Math.abs(s.dot(5, 20, 2, -4) - dot) < 1e-12);
});

Deno.test("directLinear() matches a brute-force ridge fit on the windows before each origin", () => {
  const y = hourly(400, 3), context = { periods: [12] };
  const fit = directLinear(y, 30, context, { window: 24, ridge: 0.1, intercept: true });
  assert.equal(directLinear(y, 30, context).params.window, 12);
  for (const [end, h] of [[400, 1], [400, 30], [250, 7], [333, 24]] as const) {
    const f = fit.at(end, 30).mean[h - 1]!;
    assert.ok(Math.abs(f - bruteForce(y, end, h, 24, 0.1)) < 1e-9, `end ${end}, h ${h}`);
  }
  const plain = directLinear(y, 30, context, { window: 24 }).at(333, 30).mean;
  assert.ok(Math.abs(plain[9]! - bruteForce(y, 333, 10, 24, 0.1, false)) < 1e-9);
});

Deno.test("directLinear() fits the last `history` points only", () => {
  const y = hourly(700, 13), tail = y.slice(400);
  const a = directLinear(y, 24, { periods: [24] }, { history: 300 });
  const b = directLinear(tail, 24, { periods: [24] });
  assert.deepEqual([...a.at(700, 24).mean], [...b.at(300, 24).mean]);
  assert.deepEqual([...a.at(650, 24).mean], [...b.at(250, 24).mean]);
  // an origin with no whole window inside them forecasts the last value
  assert.deepEqual([...a.at(410, 2).mean], [y[409]!, y[409]!]);
});

Deno.test("directLinear() origins read nothing after them", () => {
  const y = hourly(600, 5), z = y.slice();
  for (let t = 400; t < 600; t++) z[t] = 100 - z[t]!;
  const a = directLinear(y, 48, { periods: [24] }).at(400, 48);
  const b = directLinear(z, 48, { periods: [24] }).at(400, 48);
  assert.deepEqual([...a.mean], [...b.mean]);
});

Deno.test("directLinear() forecasts a daily shape and reverts the AR(1) part, its spread grows", () => {
  // 24 to 48 steps out the AR part has mostly died away: the forecast is the daily shape on the
  // level of the last cycle, far closer than the last value
  for (const seed of [7, 8, 9]) {
    const y = hourly(24 * 40, seed, 0), n = y.length;
    const f = directLinear(y, 48, { periods: [24] }).at(n, 48);
    let se = 0, naive = 0;
    for (let h = 24; h < 48; h++) {
      const truth = Math.sin((2 * Math.PI * (n + h)) / 24);
      se += (f.mean[h]! - truth) ** 2, naive += (y[n - 1]! - truth) ** 2;
    }
    assert.ok(se < 0.36 * naive, `seed ${seed}: ${se} vs ${naive}`);
    assert.ok(f.sd.every((v) => v > 0 && Number.isFinite(v)));
    assert.ok(f.sd[0]! < 0.4 && f.sd[23]! > f.sd[0]!);
  }
});

Deno.test("directLinear() falls back to the last value without a whole window", () => {
  const y = Float64Array.from([1, 2, 3, 4, 5]);
  const f = directLinear(y, 3, { periods: [] }).at(5, 3);
  assert.deepEqual([...f.mean], [5, 5, 5]);
  assert.ok(Number.isNaN(directLinear(y, 3, { periods: [] }).at(0, 2).mean[0]!));
  // a constant history: every relative input is zero, the forecast stays at the level
  const flat = directLinear(new Float64Array(300).fill(2), 24, { periods: [24] }).at(300, 24);
  assert.ok(flat.mean.every((v) => Math.abs(v - 2) < 1e-12));
});

Deno.test("linear is a default candidate of forecast(), in place of ar", () => {
  assert.ok(DEFAULT_CANDIDATES.includes("linear") && !DEFAULT_CANDIDATES.includes("ar"));
  assert.ok("linear" in candidateModels(["linear"]));
  const y = hourly(24 * 30, 11);
  const f = forecast(y, { horizon: 24 });
  assert.ok(f.candidates.some((c) => c.name === "linear"));
  assert.ok(f.mean.every(Number.isFinite));
});
