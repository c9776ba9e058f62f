import assert from "node:assert/strict";
import { PROBES, STEP_CONTROLS, transformCorpus } from "../../bench/anomaly_robustness_bench.ts";

const MIN = 60_000;
const ts = Float64Array.from({ length: 2400 }, (_, i) => i * 5 * MIN);
const corpus = [{
  name: "a/1.csv",
  ts,
  values: Float64Array.from(ts, (_, i) => i % 12),
  windows: [[100 * 5 * MIN, 200 * 5 * MIN]] as Array<[number, number]>,
}];
const probe = (name: string, seed = 0) => transformCorpus(corpus, PROBES[name]!, seed)[0]!;

Deno.test("every probe leaves the labelled windows where they are in time and keeps rows in order", () => {
  for (const name of Object.keys(PROBES)) {
    const s = probe(name);
    assert.deepEqual(s.windows, corpus[0]!.windows, name);
    assert.equal(s.ts.length, s.values.length, name);
    for (let i = 1; i < s.ts.length; i++) assert.ok(s.ts[i]! > s.ts[i - 1]!, `${name} at ${i}`);
  }
});

Deno.test("the probes change the sampling and the unit as their names say", () => {
  assert.equal(probe("every 2nd row").ts.length, 1200);
  const dropped = probe("drop 15 %").ts.length;
  assert.ok(dropped > 2400 * 0.8 && dropped < 2400 * 0.9, `${dropped}`);
  assert.deepEqual([...probe("×1000 + shift").values.subarray(0, 3)], [
    1e7,
    1e7 + 1000,
    1e7 + 2000,
  ]);
  const jittered = probe("jitter ±1 min").ts;
  assert.ok(jittered.every((t, i) => Math.abs(t - ts[i]!) <= MIN));
  // 2400 rows: 2 gaps of an hour (12 rows each, unless they overlap or run past the end)
  const gaps = 2400 - probe("1-hour gaps").ts.length;
  assert.ok(gaps >= 1 && gaps <= 24, `${gaps}`);
  const hourly = probe("hourly means");
  assert.equal(hourly.ts.length, 200);
  assert.equal(hourly.values[0], 5.5); // the mean of 0…11
  assert.equal(probe("30-min means").ts.length, 400);
});

Deno.test("a probe's random draw is the same in every run and differs between seeds", () => {
  assert.deepEqual([...probe("drop 5 %", 1).ts], [...probe("drop 5 %", 1).ts]);
  assert.notDeepEqual([...probe("drop 5 %", 1).ts], [...probe("drop 5 %", 2).ts]);
});

Deno.test("random gaps remove runs of rows and irregular steps move 1 to 3 rows on", () => {
  const gapped = probe("random gaps").ts;
  const lost = 2400 - gapped.length;
  assert.ok(lost > 2400 * 0.02 && lost < 2400 * 0.25, `${lost}`);
  const steps = new Set(
    Array.from({ length: gapped.length - 1 }, (_, i) => gapped[i + 1]! - gapped[i]!),
  );
  assert.ok([...steps].some((d) => d >= 15 * MIN), "an outage of at least 2 rows");
  const irregular = probe("irregular steps").ts;
  for (let i = 1; i < irregular.length; i++) {
    assert.ok([5, 10, 15].includes((irregular[i]! - irregular[i - 1]!) / MIN), `at ${i}`);
  }
  assert.ok(irregular.length > 2400 / 3 && irregular.length < 2400 / 1.5, `${irregular.length}`);
});

Deno.test("the step controls keep the content or the step of the coarse probes, not both", () => {
  const control = (name: string) => transformCorpus(corpus, STEP_CONTROLS[name]!)[0]!;
  const held = control("hourly at 5-min rows");
  assert.deepEqual([...held.ts], [...ts]); // the rows stay
  assert.deepEqual([...held.values.subarray(0, 13)], [...Array(12).fill(5.5), 5.5]);
  const inside = control("2nd row inside");
  assert.equal(inside.ts.length, 2400 - 50); // 101 rows in the window, every 2nd one kept
  const stamped = control("stamped ×12");
  assert.equal(stamped.ts[1]! - stamped.ts[0]!, 60 * MIN);
  assert.deepEqual(stamped.windows, [[1200 * 5 * MIN, 2400 * 5 * MIN]]);
  assert.deepEqual([...stamped.values], [...corpus[0]!.values]);
});
