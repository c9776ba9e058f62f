import assert from "node:assert/strict";
import { dieboldMariano, pairedBootstrap, studentTCentral } from "../../bench/paired_comparison.ts";

const close = (a: number, b: number, eps = 1e-12) =>
  assert.ok(Math.abs(a - b) <= eps, `${a} is not ${b}`);

Deno.test("studentTCentral() matches the closed forms for 1, 2 and 3 degrees of freedom", () => {
  for (const t of [0, 0.3, 1, 2.5, 10]) {
    // ν = 1 (Cauchy): 2 atan(t) / π; ν = 2: t / √(2 + t²); ν = 3: 2/π (θ + sin θ cos θ)
    close(studentTCentral(t, 1), (2 * Math.atan(t)) / Math.PI);
    close(studentTCentral(-t, 2), t / Math.sqrt(2 + t * t));
    const u = t / Math.sqrt(3);
    close(studentTCentral(t, 3), (2 / Math.PI) * (Math.atan(u) + u / (1 + u * u)));
  }
});

Deno.test("studentTCentral() gives the tabled 95 % quantiles and tends to the normal", () => {
  // two-sided 5 % points of t: 2.776 (4), 2.571 (5), 2.228 (10), 2.042 (30)
  for (const [df, q] of [[4, 2.776445], [5, 2.570582], [10, 2.228139], [30, 2.042272]]) {
    close(studentTCentral(q!, df!), 0.95, 1e-6);
  }
  close(studentTCentral(1.959964, 100_000), 0.95, 1e-5);
  assert.equal(studentTCentral(Infinity, 3), 1);
  assert.ok(Number.isNaN(studentTCentral(NaN, 3)));
  assert.throws(() => studentTCentral(1, 0), /Invalid degrees of freedom: 0/);
  assert.throws(() => studentTCentral(1, 2.5), /Invalid degrees of freedom: 2\.5/);
});

Deno.test("dieboldMariano() on [1, -1, 2, 0] at h = 1: DM = 2/√5, HLN = √(3/5)", () => {
  // mean 0.5, γ0 = 5/4; DM = 0.5 / √(1.25 / 4); HLN factor √((4 + 1 - 2) / 4) = √3 / 2
  const r = dieboldMariano([1, -1, 2, 0]);
  assert.equal(r.n, 4);
  assert.equal(r.h, 1);
  close(r.mean, 0.5);
  close(r.dm, 2 / Math.sqrt(5));
  close(r.hln, Math.sqrt(0.6));
  // t(3) at √0.6: 1 - 2/π (atan √0.2 + √0.2 / 1.2)
  close(r.p, 1 - (2 / Math.PI) * (Math.atan(Math.sqrt(0.2)) + Math.sqrt(0.2) / 1.2));
});

Deno.test("dieboldMariano() on [1, 2, 3, 4] at h = 2 adds 2γ1: HLN = √5", () => {
  // mean 2.5, γ0 = 5/4, γ1 = 5/16, V = 15/8; DM = 2.5 / √(15/32); factor √((4 + 1 - 4 + 1/2) / 4)
  const r = dieboldMariano([1, 2, 3, 4], 2);
  assert.equal(r.h, 2);
  close(r.dm, 2.5 / Math.sqrt(15 / 32));
  close(r.hln, Math.sqrt(5));
  close(r.p, 1 - (2 / Math.PI) * (Math.atan(Math.sqrt(5 / 3)) + Math.sqrt(5 / 3) / (8 / 3)));
});

Deno.test("dieboldMariano() falls back to h = 1 when the long-run variance is not positive", () => {
  // [1, -1, 2, 0]: γ1 = -15/16, so γ0 + 2γ1 = -5/8
  const r = dieboldMariano([1, -1, 2, 0], 2);
  assert.equal(r.h, 1);
  close(r.hln, Math.sqrt(0.6));
});

Deno.test("dieboldMariano() on equal differences has no statistic, and refuses bad input", () => {
  const r = dieboldMariano([0.2, 0.2, 0.2]);
  close(r.mean, 0.2);
  assert.ok(Number.isNaN(r.dm) && Number.isNaN(r.hln) && Number.isNaN(r.p));
  assert.throws(() => dieboldMariano([1]), /Invalid number of differences: 1/);
  assert.throws(() => dieboldMariano([1, NaN, 2]), /Invalid difference: NaN at 1/);
  assert.throws(() => dieboldMariano([1, 2, 3], 3), /Invalid horizon: 3/);
  assert.throws(() => dieboldMariano([1, 2, 3], 0), /Invalid horizon: 0/);
});

Deno.test("pairedBootstrap() of [0, 1]: means 0, 1/2, 1 with odds 1/4, 1/2, 1/4, so [0, 1] at 90 %", () => {
  const r = pairedBootstrap([0, 1], { resamples: 4000, seed: 7 });
  assert.deepEqual(r, { mean: 0.5, lo: 0, hi: 1 });
  // at 40 % the ends are the 30 % and 70 % quantiles, both 1/2
  assert.deepEqual(pairedBootstrap([0, 1], { level: 0.4 }), { mean: 0.5, lo: 0.5, hi: 0.5 });
});

Deno.test("pairedBootstrap() is seeded, brackets the mean and refuses bad input", () => {
  const d = [0.3, -0.1, 0.2, 0.05, -0.4, 0.12, 0.3, 0.01];
  const a = pairedBootstrap(d, { seed: 3 }), b = pairedBootstrap(d, { seed: 3 });
  assert.deepEqual(a, b);
  assert.ok(a.lo < a.mean && a.mean < a.hi);
  assert.notDeepEqual(pairedBootstrap(d, { seed: 4 }), a);
  assert.deepEqual(pairedBootstrap([5]), { mean: 5, lo: 5, hi: 5 });
  assert.throws(() => pairedBootstrap([]), /Invalid number of differences: 0/);
  assert.throws(() => pairedBootstrap([1, Infinity]), /Invalid difference: Infinity at 1/);
  assert.throws(() => pairedBootstrap([1], { level: 1 }), /Invalid level: 1/);
  assert.throws(() => pairedBootstrap([1], { resamples: 0 }), /Invalid resamples: 0/);
});
