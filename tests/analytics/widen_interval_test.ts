import assert from "node:assert/strict";
import { widenInterval, widenScore } from "../../analytics/capacity/widen_interval.ts";

Deno.test("widenInterval() makes the interval symmetric in log time, scales it, and leaves open ends", () => {
  // The wider side is ×2 (10 → 20), so at w = 1 the low end becomes 10 / 2.
  assert.deepEqual(widenInterval({ eta: 10, low: 8, high: 20 }, 1), { eta: 10, low: 5, high: 20 });
  const half = widenInterval({ eta: 10, low: 8, high: 20 }, 0.5);
  assert.ok(
    Math.abs(half.low - 10 / Math.SQRT2) < 1e-9 && Math.abs(half.high - 10 * Math.SQRT2) < 1e-9,
  );
  assert.deepEqual(widenInterval({ eta: 4, low: 0, high: Infinity }, 3), {
    eta: 4,
    low: 0,
    high: Infinity,
  });
  // past the horizon on the slow side: the fast side's own width is the one scaled
  assert.deepEqual(widenInterval({ eta: 10, low: 5, high: Infinity }, 2).low, 2.5);
  assert.deepEqual(widenInterval({ eta: Infinity, low: 30, high: Infinity }, 2).low, 30);
});

Deno.test("widenScore() is the exponent that just holds the truth, so widening by it covers it", () => {
  const i = { eta: 10, low: 8, high: 15 };
  for (const truth of [3, 6.6, 7.9, 8, 9, 10, 14, 15, 40]) {
    const w = widenScore(i, truth);
    const { low, high } = widenInterval(i, w);
    assert.ok(
      truth >= low * (1 - 1e-9) && truth <= high * (1 + 1e-9),
      `truth ${truth} with w ${w}`,
    );
    assert.equal(w <= 1, truth >= 10 / 1.5 && truth <= 15);
  }
  assert.equal(widenScore({ eta: 10, low: 10, high: 10 }, 9), Infinity, "a zero-width interval");
  assert.equal(widenScore({ eta: 10, low: 5, high: Infinity }, 400), 0, "an open side");
});
