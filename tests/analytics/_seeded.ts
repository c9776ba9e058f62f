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
