import assert from "node:assert/strict";
import fc from "fast-check";
import { AlertEngine } from "../../alerts/mod.ts";
import type { RuleConfig } from "../../config/mod.ts";

// The engine steps only the threshold and rate-of-change instances whose step can change more
// than their value (the boards' scan); `fullSteps` steps every one. Both must give the same
// transitions, in the same order, and the same instances, whatever the rules and the stream.

const reducers = ["last", "avg", "max", "min", "p95", "rate"] as const;

const ruleArb = (j: number): fc.Arbitrary<RuleConfig> =>
  fc.record({
    kind: fc.constantFrom("threshold", "rate_of_change"),
    metric: fc.constantFrom("m0", "m1"),
    cpu: fc.option(fc.constantFrom("0", "1", "2"), { nil: undefined }),
    reduce: fc.constantFrom(...reducers),
    window: fc.constantFrom(1000, 3000, 10_000),
    up: fc.boolean(),
    threshold: fc.integer({ min: 20, max: 80 }),
    clearBy: fc.integer({ min: -15, max: 15 }),
    for: fc.constantFrom(0, 1000, 3000, 7000),
    keep: fc.constantFrom(0, 2000, 5000),
    staleness: fc.option(fc.constantFrom(2000, 4000), { nil: undefined }),
  }).map((r) => ({
    alert: `R${j}`,
    kind: r.kind,
    metric: r.metric,
    ...(r.cpu !== undefined && { labels: { cpu: r.cpu } }),
    ...(r.kind === "threshold" ? { reduce: r.reduce } : { per: 1000 }),
    window: r.window,
    ...(r.up ? { above: r.threshold } : { below: r.threshold }),
    ...(r.clearBy !== 0 && { clear: r.threshold + r.clearBy }),
    for: r.for,
    keep_firing_for: r.keep,
    ...(r.staleness !== undefined && { staleness: r.staleness }),
  }));

const rulesArb = fc.integer({ min: 1, max: 8 }).chain((n) =>
  fc.tuple(...Array.from({ length: n }, (_, j) => ruleArb(j)))
);

/** One second of the stream: a value (or NaN, or no sample) per series, and how to evaluate. */
const stepArb = fc.record({
  values: fc.array(
    fc.oneof(
      { weight: 8, arbitrary: fc.integer({ min: 0, max: 100 }) },
      { weight: 1, arbitrary: fc.constant(NaN) },
      { weight: 2, arbitrary: fc.constant(undefined) },
    ),
    { minLength: 6, maxLength: 6 },
  ),
  evaluations: fc.constantFrom(0, 1, 1, 1, 2),
  // offsets mostly repeat, so that timers fall due exactly at an evaluation
  offset: fc.constantFrom(0, 0, 0, 400, 999),
  reload: fc.integer({ min: 0, max: 40 }),
  look: fc.boolean(),
});

Deno.test("Stepping only the instances the scan picks gives the same transitions and instances as stepping all", () => {
  fc.assert(
    fc.property(rulesArb, fc.array(stepArb, { minLength: 5, maxLength: 80 }), (rules, steps) => {
      const fast = new AlertEngine(rules, { now: () => 0 });
      const full = new AlertEngine(rules, { now: () => 0, fullSteps: true });
      let second = 0;
      for (const step of steps) {
        second++;
        const batch = {
          ts: [] as number[],
          host: [] as string[],
          metric: [] as string[],
          labels: [] as string[],
          value: [] as number[],
        };
        step.values.forEach((v, k) => {
          if (v === undefined) return;
          batch.ts.push(second * 1000);
          batch.host.push("h");
          batch.metric.push(`m${k % 2}`);
          batch.labels.push(`cpu=${Math.floor(k / 2)}`);
          batch.value.push(v);
        });
        fast.observe(batch);
        full.observe(batch);
        if (step.reload === 0) {
          // a reload: one rule changed (its instances end), the others keep their state
          const next = rules.map((r, j) => j === 0 ? { ...r, for: (r.for ?? 0) + 1000 } : r);
          assert.deepEqual(fast.setRules(next, second * 1000), full.setRules(next, second * 1000));
          rules = next;
        }
        for (let e = 0; e < step.evaluations; e++) {
          const now = second * 1000 + step.offset + e * 400;
          assert.deepEqual(fast.evaluate(now), full.evaluate(now), `evaluation at ${now}`);
        }
        if (step.look) assert.deepEqual(fast.instances(), full.instances());
      }
      assert.deepEqual(fast.instances(), full.instances());
    }),
    { numRuns: 300 },
  );
});

Deno.test("A quiet pending instance still shows the newest value, and fires when for has passed", () => {
  const engine = new AlertEngine([{ alert: "A", metric: "m", above: 50, for: 3000 }]);
  const feed = (s: number, v: number) =>
    engine.observe({ ts: [s * 1000], host: ["h"], metric: ["m"], labels: [""], value: [v] });
  feed(0, 60);
  assert.deepEqual(engine.evaluate(0).map((t) => t.to), ["pending"]);
  feed(1, 70);
  assert.deepEqual(engine.evaluate(1000), []);
  assert.equal(engine.instances()[0]!.value, 70);
  feed(2, 75);
  assert.deepEqual(engine.evaluate(2000), []);
  feed(3, 80);
  const fired = engine.evaluate(3000);
  assert.deepEqual(fired.map((t) => [t.to, t.instance.value]), [["firing", 80]]);
  assert.equal(engine.instances()[0]!.value, 80);
});
