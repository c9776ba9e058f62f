import assert from "node:assert/strict";
import { capacityForecast } from "../../analytics/capacity/capacity_forecast.ts";
import { generateLeak } from "../../analytics/capacity/capacity_leak.ts";

const DAY = 86_400_000;
const HOUR = 3_600_000;

function line(n: number, f: (day: number) => number, stepMs = HOUR) {
  const ts = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * stepMs);
  return { ts, values: ts.map((t) => f((t - ts[0]!) / DAY)) };
}

Deno.test("capacityForecast() gives the exact ETA on noiseless linear data", () => {
  const { ts, values } = line(24 * 7, (d) => 100 + 10 * d);
  const f = capacityForecast(ts, values, { threshold: 200 });
  assert.equal(f.status, "crossing");
  assert.equal(f.model, "linear");
  assert.equal(f.eta, ts[0]! + 10 * DAY);
  assert.equal(f.etaLow, f.eta);
  assert.equal(f.etaHigh, f.eta);
  assert.ok(Math.abs(f.growthPerDay - 10) < 1e-9);
  assert.equal(f.now, ts.at(-1));
  assert.ok(Math.abs(f.headroom - (200 - f.current)) < 1e-9);
  assert.equal(f.points, 24 * 7);
});

Deno.test("capacityForecast() gives a null ETA for a flat series", () => {
  const { ts, values } = line(100, () => 42);
  const f = capacityForecast(ts, values, { threshold: 50 });
  assert.equal(f.status, "flat");
  assert.equal(f.eta, null);
  assert.equal(f.etaLow, null);
  assert.equal(f.etaHigh, null);
  assert.equal(f.growthPerDay, 0);
});

Deno.test("capacityForecast() gives a null ETA for a decreasing series", () => {
  const { ts, values } = line(24 * 5, (d) => 80 - 3 * d + 0.2 * Math.sin(d * 40));
  const f = capacityForecast(ts, values, { threshold: 90 });
  assert.equal(f.status, "decreasing");
  assert.equal(f.eta, null);
  assert.ok(f.growthPerDay < -2.5 && f.growthPerDay > -3.5);
});

Deno.test("capacityForecast() puts the ETA at now when already over the threshold", () => {
  const { ts, values } = line(48, (d) => 96 + d);
  const f = capacityForecast(ts, values, { threshold: 95 });
  assert.equal(f.status, "over");
  assert.equal(f.eta, f.now);
  assert.equal(f.etaLow, f.now);
  assert.equal(f.etaHigh, f.now);
  assert.ok(f.headroom < 0);
});

Deno.test("capacityForecast() skips NaN gaps and keeps the ETA", () => {
  const { ts, values } = line(24 * 6, (d) => 10 + 2 * d);
  const holed = values.map((v, i) => (i % 7 === 3 || (i > 50 && i < 70) ? NaN : v));
  const f = capacityForecast(ts, holed, { threshold: 30 });
  assert.equal(f.eta, ts[0]! + 10 * DAY);
  assert.equal(f.points, values.length - holed.filter(Number.isNaN).length);
});

Deno.test("capacityForecast() reports too few points as insufficient", () => {
  const { ts, values } = line(5, (d) => d);
  const f = capacityForecast(ts, values, { threshold: 10 });
  assert.equal(f.status, "insufficient");
  assert.equal(f.model, "none");
  assert.equal(f.eta, null);
  assert.ok(Number.isNaN(f.growthPerDay));
  const empty = capacityForecast(new Float64Array(0), new Float64Array(0), { threshold: 1 });
  assert.equal(empty.status, "insufficient");
  assert.equal(empty.points, 0);
  const allNaN = capacityForecast(ts, ts.map(() => NaN), { threshold: 1 });
  assert.equal(allNaN.status, "insufficient");
  const sameTime = capacityForecast(ts.map(() => 0), values, { threshold: 100 });
  assert.equal(sameTime.status, "insufficient");
});

Deno.test("capacityForecast() reports growth that does not reach the limit within the horizon", () => {
  const { ts, values } = line(48, (d) => 10 + d);
  const f = capacityForecast(ts, values, { threshold: 100, horizonMs: 30 * DAY });
  assert.equal(f.status, "beyond_horizon");
  assert.equal(f.eta, null);
  assert.ok(f.growthPerDay > 0.99);
});

Deno.test("capacityForecast() reaches a threshold from above with direction down", () => {
  const { ts, values } = line(72, (d) => 500 - 50 * d);
  const f = capacityForecast(ts, values, { threshold: 100, direction: "down" });
  assert.equal(f.status, "crossing");
  assert.equal(f.eta, ts[0]! + 8 * DAY);
  assert.ok(Math.abs(f.growthPerDay + 50) < 1e-9);
  assert.ok(Math.abs(f.trend.b + 50) < 1e-9);
  const over = capacityForecast(ts, values, { threshold: 400, direction: "down" });
  assert.equal(over.status, "over");
});

Deno.test("capacityForecast() chooses a quadratic for accelerating growth", () => {
  const { ts, values } = line(24 * 10, (d) => 100 + d + 0.5 * d * d);
  const f = capacityForecast(ts, values, { threshold: 300 });
  assert.equal(f.model, "quadratic");
  // 100 + d + d²/2 = 300 → d = −1 + √401
  const truth = ts[0]! + (-1 + Math.sqrt(401)) * DAY;
  assert.ok(Math.abs(f.eta! - truth) < 0.01 * DAY);
  assert.ok(f.backtest.quadraticMae < f.backtest.linearMae);
});

Deno.test("capacityForecast() places the crossing at the daily peak of a seasonal series", () => {
  // Peak at 06:00 UTC each day (sin of the phase).
  const { ts, values } = line(
    24 * 12 * 4,
    (d) => 100 + 2 * d + 5 * Math.sin(2 * Math.PI * d),
    900_000,
  );
  const f = capacityForecast(ts, values, { threshold: 131 });
  assert.ok(f.profile, "a daily profile was removed");
  assert.equal(f.model, "linear");
  // The trend alone reaches 126 (131 − peak 5) at day 13, a day 13 morning's peak passes 131.
  const hours = ((f.eta! - ts[0]!) / HOUR) % 24;
  assert.ok(
    f.eta! > ts[0]! + 13 * DAY && f.eta! < ts[0]! + 14 * DAY,
    new Date(f.eta!).toISOString(),
  );
  assert.ok(hours > 1 && hours < 7, `crossing at ${hours} h`);
});

Deno.test("capacityForecast() sorts timestamps given out of order", () => {
  const { ts, values } = line(48, (d) => 1 + d);
  const order = [...ts.keys()].reverse();
  const f = capacityForecast(
    Float64Array.from(order, (i) => ts[i]!),
    Float64Array.from(order, (i) => values[i]!),
    { threshold: 5 },
  );
  assert.equal(f.eta, ts[0]! + 4 * DAY);
});

Deno.test("capacityForecast() gives an 80 % interval around the truth of a noisy leak", () => {
  const leak = generateLeak(11, { kind: "linear", noise: 0.05, season: 0.1 });
  const f = capacityForecast(leak.ts, leak.values, { threshold: leak.threshold });
  assert.equal(f.status, "crossing");
  assert.ok(f.etaLow! < f.etaHigh!);
  assert.ok(f.etaLow! <= f.eta! && f.eta! <= f.etaHigh!);
  assert.ok(Math.abs(f.eta! - leak.trueEta) / (leak.trueEta - leak.now) < 0.1);
  // Same seed, same answer.
  assert.deepEqual(capacityForecast(leak.ts, leak.values, { threshold: leak.threshold }), f);
});

Deno.test("capacityForecast() without bootstrap rounds gives the point ETA as its interval", () => {
  const leak = generateLeak(5, { kind: "accelerating" });
  const f = capacityForecast(leak.ts, leak.values, { threshold: leak.threshold, bootstrap: 0 });
  assert.equal(f.etaLow, f.eta);
  assert.equal(f.etaHigh, f.eta);
});

Deno.test("capacityForecast() leaves etaHigh open when the slow end passes the horizon", () => {
  const leak = generateLeak(3, { kind: "linear", noise: 0.08, reach: 1 });
  const f = capacityForecast(leak.ts, leak.values, {
    threshold: leak.threshold,
    horizonMs: leak.trueEta - leak.now,
  });
  assert.equal(f.etaHigh, null);
});

Deno.test("capacityForecast() rejects bad options with a message naming the value", () => {
  const { ts, values } = line(10, (d) => d);
  assert.throws(
    () => capacityForecast(ts, values.subarray(1), { threshold: 1 }),
    /10 timestamps but 9 values/,
  );
  assert.throws(() => capacityForecast(ts, values, { threshold: NaN }), /Invalid threshold: NaN/);
  assert.throws(
    () => capacityForecast(ts, values, { threshold: 1, horizonMs: 0 }),
    /Invalid horizonMs: 0/,
  );
  assert.throws(
    () => capacityForecast(ts, values, { threshold: 1, seasonMs: -1 }),
    /Invalid seasonMs/,
  );
  assert.throws(() => capacityForecast(ts, values, { threshold: 1, bins: 3 }), /Invalid bins: 3/);
  assert.throws(() => capacityForecast(ts, values, { threshold: 1, widen: 0 }), /Invalid widen: 0/);
  assert.throws(
    () => capacityForecast(ts, values, { threshold: 1, bootstrap: -1 }),
    /Invalid bootstrap/,
  );
  assert.throws(
    () => capacityForecast(ts, values, { threshold: 1, minPoints: 2 }),
    /Invalid minPoints/,
  );
  assert.throws(
    // @ts-expect-error: a wrong direction from untyped callers
    () => capacityForecast(ts, values, { threshold: 1, direction: "sideways" }),
    /Invalid direction: sideways/,
  );
});

Deno.test("capacityForecast() gives a noise-free block-rounded fill a narrow interval that still holds the truth", () => {
  // A file system filling in 4 KiB blocks every 30 minutes, as lake/simulate.ts diskFill does:
  // the residuals are rounding only, which pins the trend's crossing to well under a second.
  const step = 30 * 60_000, size = 100 * 2 ** 30;
  const { ts } = line(336, () => 0, step);
  for (const [from, rise, limit] of [[0.5, 0.3, 0.95], [0.6, 0.2, 0.9], [0.7, 0.1, 0.85]]) {
    const fill = ts.map((_, i) => 4096 * Math.round((size * (from! + (rise! * i) / 336)) / 4096));
    const f = capacityForecast(ts, fill, { threshold: limit! * size });
    const truth = ts[0]! + (((limit! - from!) * 336) / rise!) * step;
    assert.ok(
      f.etaLow! <= truth + 1 && truth - 1 <= f.etaHigh!,
      `${f.etaLow} ${truth} ${f.etaHigh}`,
    );
    assert.ok(f.etaHigh! - f.etaLow! < 60_000, `width ${(f.etaHigh! - f.etaLow!) / 1000} s`);
  }
});

Deno.test("capacityForecast() widens its 80 % interval when the bootstrap residuals are inflated more", () => {
  const leak = generateLeak(11, { kind: "linear", noise: 0.08 });
  const narrow = capacityForecast(leak.ts, leak.values, { threshold: leak.threshold, inflate: 1 });
  const wide = capacityForecast(leak.ts, leak.values, { threshold: leak.threshold, inflate: 2.5 });
  assert.equal(narrow.eta, wide.eta);
  assert.ok(wide.etaHigh! - wide.etaLow! > narrow.etaHigh! - narrow.etaLow!);
  assert.throws(
    () => capacityForecast(leak.ts, leak.values, { threshold: leak.threshold, inflate: 0 }),
    /Invalid inflate: 0/,
  );
});

Deno.test("capacityForecast() scales a daily cycle that is a share of the level (multiplicative), so the ETA is not late", () => {
  // Usage grows 4 a day from 50 and swings ±15 % of itself each day; 10 days of 15-minute points.
  const level = (d: number) => (50 + 4 * d) * (1 + 0.15 * Math.sin(2 * Math.PI * d));
  const { ts, values } = line(24 * 4 * 10 + 1, level, 900_000);
  const start = ts[0]!, now = ts.at(-1)!;
  // The limit: the peak of a level 16 above today's (at 4 a day, about 4 days ahead).
  const threshold = (50 + 4 * 10 + 16) * 1.15;
  let truth = now;
  while (level((truth - start) / DAY) < threshold) truth += 60_000;
  const f = capacityForecast(ts, values, { threshold });
  assert.ok(f.profile?.scale, "the cycle's amplitude was found to follow the level");
  assert.ok(Math.abs(f.profile.scale.slope * f.profile.scale.ref - 1) < 0.25);
  const err = Math.abs(f.eta! - truth) / (truth - now);
  // Read as additive (the ±15 % of today's level), the peak reaches the limit a day later: 25 %.
  assert.ok(err < 0.05, `ETA off by ${(100 * err).toFixed(1)} %`);
  assert.ok(f.etaLow! <= truth && truth <= f.etaHigh!);
});

Deno.test("capacityForecast() interval is symmetric in log time around the ETA and scales with widen", () => {
  const leak = generateLeak(21, { kind: "linear" });
  const at = (widen: number) => {
    const f = capacityForecast(leak.ts, leak.values, { threshold: leak.threshold, widen });
    const d = (v: number) => (v - leak.now) / DAY;
    return { lo: Math.log(d(f.eta!) / d(f.etaLow!)), hi: Math.log(d(f.etaHigh!) / d(f.eta!)) };
  };
  const one = at(1), two = at(2);
  assert.ok(one.lo > 0 && Math.abs(one.lo - one.hi) < 1e-6, JSON.stringify(one));
  assert.ok(Math.abs(two.hi - 2 * one.hi) < 1e-6);
});

Deno.test("capacityForecast() keeps the daily cycle additive when the level crosses zero", () => {
  // A balance going from −20 to +20 over 10 days with a ±3 daily swing: no share of a level.
  const { ts, values } = line(24 * 10 + 1, (d) => -20 + 4 * d + 3 * Math.sin(2 * Math.PI * d));
  const f = capacityForecast(ts, values, { threshold: 40 });
  assert.ok(f.profile, "a daily profile was removed");
  assert.equal(f.profile.scale, undefined);
  assert.ok(Math.abs((f.eta! - ts.at(-1)!) / DAY - 4.5) < 0.6);
});
