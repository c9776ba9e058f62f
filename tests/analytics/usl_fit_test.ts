import assert from "node:assert/strict";
import { fitUsl, uslThroughput } from "../../analytics/mod.ts";

const N = [1, 18, 36, 72, 108, 144, 216];
const X = [65, 996, 1652, 1853, 1829, 1775, 1702];

Deno.test("fitUsl() reproduces codahale/usl's published example", () => {
  const f = fitUsl(N, X);
  assert.ok(Math.abs(f.sigma - 0.02773) < 1e-4, `sigma ${f.sigma}`);
  assert.ok(Math.abs(f.kappa - 0.0001043) < 1e-6, `kappa ${f.kappa}`);
  assert.ok(Math.abs(f.lambda - 89.99) < 0.05, `lambda ${f.lambda}`);
  assert.ok(Math.abs(f.peakThroughput - 1883.8) < 0.5, `peak ${f.peakThroughput}`);
  assert.equal(Math.round(f.peakConcurrency), 97);
  assert.ok(Math.abs(f.peakConcurrency - 96) < 1);
  assert.ok(f.r2 > 0.98 && f.r2 <= 1);
  assert.equal(f.points, 7);
  const iv = f.intervals!;
  for (const [k, [lo, hi]] of Object.entries(iv)) {
    const v = f[k as "sigma" | "kappa" | "lambda"];
    assert.ok(lo < v && v < hi, `${k} interval ${lo}..${hi} holds ${v}`);
  }
});

Deno.test("fitUsl() recovers exact parameters from noiseless points", () => {
  const p = { sigma: 0.05, kappa: 0.002, lambda: 120 };
  const n = [1, 2, 4, 8, 16, 32, 64];
  const f = fitUsl(n, n.map((v) => uslThroughput(v, p)));
  assert.ok(Math.abs(f.sigma - 0.05) < 1e-6);
  assert.ok(Math.abs(f.kappa - 0.002) < 1e-8);
  assert.ok(Math.abs(f.lambda - 120) < 1e-4);
  assert.ok(Math.abs(f.r2 - 1) < 1e-9);
});

Deno.test("fitUsl() reports an unbounded peak when throughput never bends (κ = 0)", () => {
  const n = [1, 2, 4, 8];
  const f = fitUsl(n, n.map((v) => 10 * v));
  assert.ok(f.kappa < 1e-9);
  assert.ok(!Number.isFinite(f.peakConcurrency) || f.peakConcurrency > 1e3);
});

Deno.test("fitUsl() refuses too few points or a single concurrency level, ignores NaN", () => {
  assert.throws(() => fitUsl([1, 2], [1, 2]), /Too few points for a USL fit: 2/);
  assert.throws(() => fitUsl([4, 4, 4], [1, 2, 3]), /Too few distinct concurrency levels/);
  assert.throws(() => fitUsl([1, 2, NaN, 0], [1, 2, 3, 4]), /Too few points/);
  assert.throws(() => fitUsl([1], [1, 2]), /Invalid points/);
  const f = fitUsl([...N, NaN], [...X, 5]);
  assert.equal(f.points, 7);
  assert.equal(fitUsl([1, 2, 3], [10, 19, 27]).intervals, null);
});

Deno.test("fitUsl() starts from the scale of the data, so millions of users fit as well as tens", () => {
  const f = fitUsl([1e6, 2e6, 3e6, 4e6, 5e6], [1e9, 1.5e9, 1.6e9, 1.55e9, 1.5e9]);
  assert.ok(f.r2 > 0.99, `r2 ${f.r2}`);
  assert.ok(f.peakConcurrency > 2.5e6 && f.peakConcurrency < 4e6, `N* ${f.peakConcurrency}`);
  assert.ok(Math.abs(f.peakThroughput - 1.6e9) / 1.6e9 < 0.02);
});

Deno.test("fitUsl takes a long measurement file (300,000 points, a CSV of 1.4 MB)", () => {
  // spreading the concurrencies into Math.max overflowed the call stack
  const ns: number[] = [], xs: number[] = [];
  for (let i = 0; i < 300_000; i++) {
    const n = 1 + (i % 64);
    ns.push(n), xs.push(100 * n / (1 + 0.05 * (n - 1) + 0.0002 * n * (n - 1)));
  }
  const fit = fitUsl(ns, xs);
  assert.ok(Math.abs(fit.sigma - 0.05) < 1e-3, String(fit.sigma));
  assert.equal(fit.points, 300_000);
});
