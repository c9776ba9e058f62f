import assert from "node:assert/strict";

/** Seeded Gaussian noise for forecasting tests (Park–Miller LCG + Box–Muller). */
export function seeded(seed: number): () => number {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

/** Level 10 + slope·t + a daily wave (period 24) + seeded Gaussian noise (sd 0.2 by default). */
export function dailySeries(
  n: number,
  o: { slope?: number; wave?: number; noise?: number; seed?: number },
): Float64Array {
  const g = seeded(o.seed ?? 3);
  return Float64Array.from(
    { length: n },
    (_, i) =>
      10 + (o.slope ?? 0) * i + (o.wave ?? 0) * Math.sin((2 * Math.PI * i) / 24) +
      (o.noise ?? 0.2) * g(),
  );
}

/**
 * Asserts a fit's backtest origins read nothing after them: overwriting the history from `end`
 * leaves the forecast from `end` unchanged, and its first step is within 1 of the noiseless
 * `dailySeries(…, { wave: 2, slope: 0.01 })` there.
 */
export function assertNoLookAhead(
  fit: { at(end: number, horizon: number): { mean: Float64Array } },
  y: Float64Array,
  label: string,
): void {
  for (const end of [200, 333, 479]) {
    const before = fit.at(end, 24).mean, saved = y.slice();
    y.fill(100, end);
    assert.deepEqual([...fit.at(end, 24).mean], [...before]);
    y.set(saved);
    const truth = 10 + 0.01 * end + 2 * Math.sin((2 * Math.PI * end) / 24);
    assert.ok(Math.abs(before[0]! - truth) < 1, `${label} at ${end}: ${before[0]}`);
  }
}
