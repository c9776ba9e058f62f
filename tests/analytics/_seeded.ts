/** Seeded Gaussian noise for forecasting tests (Park–Miller LCG + Box–Muller). */
export function seeded(seed: number): () => number {
  let s = seed;
  const u = () => (s = (s * 16807) % 2147483647) / 2147483647;
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}
