/**
 * Small numeric helpers shared by the capacity files: selection and the first crossing of a
 * quadratic (the seeded random generator is lake's `mulberry32`). Not part of the public surface.
 *
 * @module
 */

/**
 * The k-th smallest of `a[0..n)` (0-based), reordering `a` in place: Hoare's selection
 * (Hoare 1961, "Algorithm 65: FIND"), expected O(n).
 *
 * @param a Values, reordered in place; must not contain NaN.
 * @param n How many leading values to consider.
 * @param k Rank wanted, 0 ≤ k < n.
 * @returns The k-th smallest value.
 */
export function selectKth(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return a[k]!;
}

/**
 * The median of `a[0..n)`, reordering `a` in place; `NaN` when n is 0.
 *
 * @param a Values (no NaN), reordered in place.
 * @param n How many leading values to consider.
 * @returns The median (mean of the two middle values for even n).
 */
export function medianInPlace(a: Float64Array, n: number): number {
  if (n <= 0) return NaN;
  const hi = selectKth(a, n, n >> 1);
  if (n % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/**
 * The smallest x in [lo, hi] where a + b·x + c·x² ≥ 0, or `NaN` where there is none.
 *
 * @param a Constant term.
 * @param b Linear term.
 * @param c Quadratic term.
 * @param lo Start of the interval.
 * @param hi End of the interval.
 * @returns The first x at or above zero.
 */
export function firstAtOrAbove(a: number, b: number, c: number, lo: number, hi: number): number {
  const q = (x: number) => a + x * (b + c * x);
  if (q(lo) >= 0) return lo;
  let roots: number[];
  if (c === 0) roots = b === 0 ? [] : [-a / b];
  else {
    const d = b * b - 4 * a * c;
    if (d < 0) return NaN;
    const s = Math.sqrt(d);
    // Numerically stable pair of roots (Press et al., Numerical Recipes §5.6).
    const t = -0.5 * (b + (b >= 0 ? s : -s));
    roots = t === 0 ? [0] : [t / c, a / t];
  }
  let best = NaN;
  for (const r of roots) if (r > lo && r <= hi && !(r >= best)) best = r;
  return best;
}
