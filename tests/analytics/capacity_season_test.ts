import assert from "node:assert/strict";
import {
  crossingDays,
  profileAt,
  seasonalProfile,
  smoothProfile,
} from "../../analytics/capacity/capacity_season.ts";

const DAY = 86_400_000;

Deno.test("seasonalProfile() recovers a daily sine and centres it", () => {
  const ts = Float64Array.from({ length: 24 * 12 * 5 }, (_, i) => i * 300_000);
  const y = ts.map((t) => 3 * Math.sin((2 * Math.PI * t) / DAY) + 10);
  const p = seasonalProfile(ts, y, { periodMs: DAY, bins: 48 });
  assert.equal(p.values.length, 96);
  const mean = p.values.reduce((a, b) => a + b, 0) / p.values.length;
  assert.ok(Math.abs(mean) < 1e-9);
  assert.ok(Math.abs(profileAt(p, 6 * 3_600_000) - 3) < 0.05);
  assert.ok(Math.abs(profileAt(p, 18 * 3_600_000 + 5 * DAY) + 3) < 0.05);
  assert.ok(Math.abs(profileAt(p, -6 * 3_600_000) + 3) < 0.05, "negative times wrap");
});

Deno.test("seasonalProfile() without smoothing keeps the bin medians; empty bins count as 0", () => {
  const ts = Float64Array.of(0, 1, DAY, DAY + 1);
  const p = seasonalProfile(ts, Float64Array.of(4, 4, 4, 4), {
    periodMs: DAY,
    bins: 4,
    harmonics: 0,
  });
  assert.deepEqual([...p.values], [3, -1, -1, -1]);
  assert.deepEqual([...p.counts!], [4, 0, 0, 0]);
});

Deno.test("smoothProfile() keeps the first harmonic of a sampled sine", () => {
  const m = Float64Array.from({ length: 24 }, (_, k) => Math.cos((2 * Math.PI * (k + 0.5)) / 24));
  const s = smoothProfile(m, { harmonics: 2, resolution: 24 });
  for (let k = 0; k < 24; k++) assert.ok(Math.abs(s[k]! - m[k]!) < 1e-9);
});

Deno.test("crossingDays() without a profile solves the trend", () => {
  assert.equal(crossingDays({ a: 0, b: 0, c: 1 }, 4, { now: 0, horizonDays: 10 }), 2);
  assert.equal(crossingDays({ a: 5, b: -1, c: 0 }, 9, { now: 0, horizonDays: 100 }), Infinity);
  assert.equal(crossingDays({ a: 5, b: 0, c: 0 }, 4, { now: 0, horizonDays: 1 }), 0);
});

Deno.test("crossingDays() with a profile crosses at the first peak that reaches the limit", () => {
  const values = new Float64Array(4);
  values[1] = 1; // 06:00–12:00 is one unit higher
  const profile = { periodMs: DAY, values };
  const x = crossingDays({ a: 0, b: 1, c: 0 }, 3.5, { now: 0, horizonDays: 10 });
  assert.equal(x, 3.5);
  const y = crossingDays({ a: 0, b: 1, c: 0 }, 3.5, { now: 0, horizonDays: 10, profile });
  // The profile is a curve through the bin centres: 0 at 03:00, 1 at 09:00. On day 3 the rising
  // flank reaches the limit at 04:48 (3.2 + 0.3 = 3.5); bins read as steps said 06:00 (3.25).
  assert.ok(Math.abs(y - 3.2) < 1e-9, `got ${y}`);
  assert.equal(
    crossingDays({ a: 0, b: 1, c: 0 }, 30, { now: 0, horizonDays: 10, profile }),
    Infinity,
  );
  assert.equal(
    crossingDays({ a: 0, b: 0.1, c: 0 }, 1.85, { now: 0, horizonDays: 8.6, profile }),
    Infinity,
  );
});

Deno.test("crossingDays() scales a level-following cycle at the level it reaches (multiplicative season)", () => {
  // A ±10 % daily swing around a level of 100 now, the trend +10 a day, the limit 165: the
  // trend passes 150 on day 5 and (150 + 10u)·(1 + 0.1·sin 2πu) reaches 165 on that morning's
  // rising flank. An additive reading of the same ±10 swing never gets there on day 5
  // (152.7 + 9.9 at best), so it says the next day: the bias the multiplicative scale removes.
  const values = Float64Array.from(
    { length: 96 },
    (_, r) => 10 * Math.sin(2 * Math.PI * (r + 0.5) / 96),
  );
  const additive = { periodMs: DAY, values };
  const scaled = { ...additive, scale: { ref: 100, slope: 1 / 100 } };
  const trend = { a: 100, b: 10, c: 0 };
  const x = crossingDays(trend, 165, { now: 0, horizonDays: 30, profile: scaled });
  const y = crossingDays(trend, 165, { now: 0, horizonDays: 30, profile: additive });
  assert.ok(x > 5 && x < 5.25, `scaled: ${x}`);
  const reached = (100 + 10 * x) * (1 + 0.1 * Math.sin(2 * Math.PI * x));
  assert.ok(Math.abs(reached - 165) < 0.05, `level at the crossing: ${reached}`);
  assert.ok(y > 6 && y < 6.25, `additive: ${y}`);
  // slope 0 is the additive cycle
  const flat = { ...additive, scale: { ref: 100, slope: 0 } };
  assert.equal(crossingDays(trend, 165, { now: 0, horizonDays: 30, profile: flat }), y);
});
