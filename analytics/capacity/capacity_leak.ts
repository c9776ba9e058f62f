/**
 * Seeded synthetic "leaks" (a disk filling, memory growing) with a known true time of reaching
 * a limit: the ground truth of the capacity benchmark and tests.
 *
 * @module
 */
import { mulberry32 } from "../../lake/mod.ts";

const DAY = 86_400_000;

/** Options of {@linkcode generateLeak}; every unset field is drawn from the seed. */
export interface GenerateLeakOptions {
  /** `linear` or `accelerating` (rate at the end 2–4 × the rate at the start). */
  kind?: "linear" | "accelerating";
  /** Days of history, 3–14. */
  historyDays?: number;
  /** Sampling step in ms: 5 min, 15 min or 1 h. */
  stepMs?: number;
  /** Noise standard deviation as a fraction of the rise over the history, 0.01–0.08. */
  noise?: number;
  /** Daily cycle amplitude as a fraction of the rise, 0–0.2. */
  season?: number;
  /** Lag-1 autocorrelation of the noise, 0–0.6. */
  ar?: number;
  /** Fraction of values replaced by NaN; default 0.02. */
  missing?: number;
  /** Time to the limit as a fraction of the history span, 0.2–1 (before the daily cycle). */
  reach?: number;
}

/** A generated series and its truth. */
export interface Leak {
  kind: "linear" | "accelerating";
  ts: Float64Array;
  values: Float64Array;
  /** The last timestamp: where a forecast starts. */
  now: number;
  threshold: number;
  /** First time the noiseless signal (trend + daily cycle) reaches the threshold. */
  trueEta: number;
  /** True growth of the trend at `now`, units per day. */
  trueGrowthPerDay: number;
}

/**
 * Generates one leak: trend (linear or quadratic) + daily sine + AR(1) Gaussian noise + gaps.
 *
 * @param seed Any integer; the same seed gives the same leak.
 * @param options Fixed parameters; the rest are drawn.
 * @returns The series and the true crossing time.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { generateLeak } from "./capacity_leak.ts";
 * const leak = generateLeak(7, { kind: "linear", noise: 0, season: 0, missing: 0 });
 * assert.ok(leak.trueEta > leak.now && leak.values.every((v, i) => i === 0 || v > leak.values[i - 1]!));
 * ```
 */
export function generateLeak(seed: number, options: GenerateLeakOptions = {}): Leak {
  const random = mulberry32(seed * 7919 + 17);
  const draw = (lo: number, hi: number) => lo + (hi - lo) * random();
  const kind = options.kind ?? (random() < 0.5 ? "linear" : "accelerating");
  const H = options.historyDays ?? Math.round(draw(3, 14));
  const stepMs = options.stepMs ?? [300_000, 900_000, 3_600_000][Math.floor(random() * 3)]!;
  const noise = options.noise ?? draw(0.01, 0.08);
  const season = options.season ?? draw(0, 0.2);
  const ar = options.ar ?? draw(0, 0.6);
  const missing = options.missing ?? 0.02;
  const reach = options.reach ?? draw(0.2, 1);
  const base = draw(20, 60);
  const rise = draw(5, 30);
  const k = kind === "linear" ? 1 : draw(2, 4);
  const b = rise / (H * (1 + (k - 1) / 2));
  const c = (k - 1) * b / (2 * H);
  const phase = draw(0, 2 * Math.PI);
  const start = Date.UTC(2026, 0, 1) + Math.floor(draw(0, 24)) * 3_600_000;
  const signal = (t: number) => {
    const s = (t - start) / DAY;
    return base + b * s + c * s * s + season * rise * Math.sin(2 * Math.PI * (t / DAY) + phase);
  };
  const n = Math.floor(H * DAY / stepMs) + 1;
  const ts = new Float64Array(n);
  const values = new Float64Array(n);
  const sd = noise * rise;
  let e = 0;
  for (let i = 0; i < n; i++) {
    ts[i] = start + i * stepMs;
    // Box–Muller normal; AR(1) innovations scaled so the marginal sd stays `sd`.
    const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    e = i === 0 ? sd * z : ar * e + Math.sqrt(1 - ar * ar) * sd * z;
    values[i] = random() < missing && i > 0 && i < n - 3 ? NaN : signal(ts[i]!) + e;
  }
  const now = ts[n - 1]!;
  const sAt = H * (1 + reach);
  const threshold = base + b * sAt + c * sAt * sAt;
  let trueEta = now;
  while (signal(trueEta) < threshold) trueEta += 60_000;
  return { kind, ts, values, now, threshold, trueEta, trueGrowthPerDay: b + 2 * c * H };
}
