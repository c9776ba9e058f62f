import assert from "node:assert/strict";
import { generateLeak } from "../../analytics/capacity/capacity_leak.ts";

Deno.test("generateLeak() is deterministic for a seed", () => {
  const a = generateLeak(42);
  const b = generateLeak(42);
  assert.deepEqual(a, b);
  assert.notDeepEqual(generateLeak(43).values, a.values);
});

Deno.test("generateLeak() puts the true crossing after now and the threshold above the data", () => {
  for (let seed = 1; seed <= 20; seed++) {
    const leak = generateLeak(seed, { kind: seed % 2 ? "linear" : "accelerating" });
    assert.ok(leak.trueEta > leak.now);
    assert.equal(leak.now, leak.ts.at(-1));
    assert.ok(leak.trueGrowthPerDay > 0);
    assert.ok(leak.values.some(Number.isNaN) || leak.values.length < 100);
  }
});

Deno.test("generateLeak() honours fixed parameters", () => {
  const leak = generateLeak(1, {
    kind: "accelerating",
    historyDays: 4,
    stepMs: 3_600_000,
    noise: 0,
    season: 0,
    ar: 0,
    missing: 0,
    reach: 0.5,
  });
  assert.equal(leak.kind, "accelerating");
  assert.equal(leak.ts.length, 4 * 24 + 1);
  assert.ok(leak.values.every(Number.isFinite));
  assert.ok(Math.abs(leak.trueEta - leak.now - 2 * 86_400_000) <= 60_000);
});
