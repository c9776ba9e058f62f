import assert from "node:assert/strict";
import { nestedCombiner, nestedErrorsAt } from "../../analytics/forecast/nested_combiner.ts";

/** Inverse-MSE weights per step (power 1) over the origins given: a rule simple to check by hand. */
const inverseMse = (errors: Float64Array[][]) => {
  const steps = errors[0]![0]!.length;
  const inv = errors.map((e) =>
    Float64Array.from({ length: steps }, (_, h) => e.length / e.reduce((a, r) => a + r[h]! ** 2, 0))
  );
  return inv.map((w) => w.map((x, h) => x / inv.reduce((a, v) => a + v[h]!, 0)));
};
const equal = (errors: Float64Array[][]) =>
  errors.map(() => new Float64Array(errors[0]![0]!.length).fill(1 / errors.length));

// Two candidates, two steps, origins one apart: at origin 5 (time 15) only origins 0–3 are fully
// resolved (origin + 2 ≤ 15); origin 4's second step is the actual at time 15.
const origins = [10, 11, 12, 13, 14, 15];
const build = () =>
  [
    [[1, 1], [1, 1], [1, 1], [1, 1], [100, 100], [1, -1]],
    [[2, 2], [2, 2], [2, 2], [2, 2], [-50, 7], [-2, 3]],
  ].map((c) => c.map((r) => Float64Array.from(r)));

Deno.test("nestedErrorsAt: hand-checked weights from the resolved earlier origins only", () => {
  // MSE 1 and 4 over origins 0–3: weights 0.8 and 0.2; at origin 5 the mix errs
  // 0.8·1 + 0.2·(−2) = 0.4 and 0.8·(−1) + 0.2·3 = −0.2
  const e = nestedErrorsAt(build(), origins, 2, [inverseMse, equal], 5, 2)!;
  assert.deepEqual([...e[0]!].map((x) => +x.toFixed(12)), [0.4, -0.2]);
  assert.deepEqual([...e[1]!].map((x) => +x.toFixed(12)), [-0.5, 1]);
  // too few resolved origins: origin 2 has only origin 0 before it (0 + 2 ≤ 2 … 10 + 2 ≤ 12)
  assert.equal(nestedErrorsAt(build(), origins, 2, [equal], 2, 2), undefined);
  assert.ok(nestedErrorsAt(build(), origins, 2, [equal], 2, 1));
});

Deno.test("nestedErrorsAt: data at or after an origin does not change the weights scored there", () => {
  const before = nestedErrorsAt(build(), origins, 2, [inverseMse], 5, 2)![0]!;
  // every backtest cell whose actual lies at or after time 15, outside origin 5's own window
  // (origin 4's second step) and everything of origin 4, changed
  const changed = build();
  changed.forEach((c) => c[4] = Float64Array.from([1e6, -1e6]));
  assert.deepEqual([...nestedErrorsAt(changed, origins, 2, [inverseMse], 5, 2)![0]!], [...before]);
  // and a later origin's errors do not reach an earlier origin's score
  const at4 = nestedErrorsAt(build(), origins, 2, [inverseMse], 4, 2)![0]!;
  const later = build();
  later.forEach((c) => c[5] = Float64Array.from([1e6, 1e6]));
  assert.deepEqual([...nestedErrorsAt(later, origins, 2, [inverseMse], 4, 2)![0]!], [...at4]);
  // a resolved earlier origin does count (the test above would pass for a rule reading nothing)
  const earlier = build();
  earlier[1]![0] = Float64Array.from([5, 5]);
  assert.notDeepEqual(
    [...nestedErrorsAt(earlier, origins, 2, [inverseMse], 5, 2)![0]!],
    [...before],
  );
});

Deno.test("nestedCombiner: lowest nested MSE wins, ties and nothing scored go to the first", () => {
  const e = build();
  const r = nestedCombiner(e, origins, 2, [inverseMse, equal], 2);
  assert.equal(r.scored, 2);
  // by hand, origin 4 (weights from origins 0–2: 0.8 / 0.2) and origin 5 (above)
  const m0 = ((80 - 10) ** 2 + (80 + 1.4) ** 2 + 0.4 ** 2 + 0.2 ** 2) / 4;
  const m1 = (25 ** 2 + 53.5 ** 2 + 0.5 ** 2 + 1) / 4;
  assert.ok(Math.abs(r.mse[0]! - m0) < 1e-9 && Math.abs(r.mse[1]! - m1) < 1e-9);
  assert.equal(r.choice, m1 < m0 ? 1 : 0);
  assert.equal(nestedCombiner(e, origins, 2, [equal, equal], 2).choice, 0);
  const none = nestedCombiner(e, origins, 2, [inverseMse, equal], 2, 10);
  assert.equal(none.choice, 0);
  assert.equal(none.scored, 0);
  assert.ok(none.mse.every(Number.isNaN));
});

Deno.test("forecast() nestedStacking is opt-in, validated, and gives one of its rules' forecasts", async () => {
  const { forecast } = await import("../../analytics/forecast/forecast.ts");
  const y = Float64Array.from(
    { length: 24 * 20 },
    (_, i) => 10 + Math.sin((2 * Math.PI * i) / 24) + 0.1 * Math.sin(i / 5) + 0.05 * ((i * 7) % 5),
  );
  const base = forecast(y, { horizon: 24 });
  const sa = forecast(y, { horizon: 24, stacking: { recentOrigins: Infinity, shrink: 0.5 } });
  const nested = forecast(y, { horizon: 24, nestedStacking: {} });
  const same = (a: Float64Array, b: Float64Array) => a.every((x, i) => x === b[i]);
  assert.ok(same(nested.mean, base.mean) || same(nested.mean, sa.mean));
  // no variant, or one that moves every step back to the default weights: the defaults
  assert.deepEqual([...forecast(y, { horizon: 24, nestedStacking: { variants: [] } }).mean], [
    ...base.mean,
  ]);
  const back = forecast(y, { horizon: 24, nestedStacking: { variants: [{ shrink: 1 }] } });
  assert.deepEqual([...back.mean], [...base.mean]);
  const bad = [
    { nestedStacking: { origins: 0 } },
    { nestedStacking: { origins: 1.5 } },
    { nestedStacking: { variants: [{ shrink: -1 }] } },
    { nestedStacking: { variants: [{ recentOrigins: 0 }] } },
    { nestedStacking: {}, stacking: {} },
    { nestedStacking: {}, mixOrSelect: {} },
  ];
  for (const extra of bad) assert.throws(() => forecast(y, { horizon: 24, ...extra }), RangeError);
});
