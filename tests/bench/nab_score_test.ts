import assert from "node:assert/strict";
import {
  NAB_PROFILES,
  type NabFile,
  nabOptimize,
  nabScore,
  scaledSigmoid,
} from "../../bench/nab_score.ts";

const standard = NAB_PROFILES.standard!;
const ts = (n: number) => Float64Array.from({ length: n }, (_, i) => i);

function file(n: number, windows: Array<[number, number]>, hits: number[], name = "f"): NabFile {
  const scores = new Float64Array(n);
  for (const h of hits) scores[h] = 1;
  return { name, ts: ts(n), scores, windows };
}

Deno.test("scaledSigmoid() matches NAB's reference points", () => {
  assert.ok(Math.abs(scaledSigmoid(-1) - 0.98661) < 1e-5);
  assert.ok(Math.abs(scaledSigmoid(-0.5) - 0.84828) < 1e-5);
  assert.equal(scaledSigmoid(0), 0);
  assert.ok(Math.abs(scaledSigmoid(1) + 0.98661) < 1e-5);
  assert.equal(scaledSigmoid(3.5), -1);
});

Deno.test("nabScore() gives a perfect detector 100 and the null detector 0", () => {
  const windows: Array<[number, number]> = [[200, 219], [600, 639]];
  assert.equal(nabScore([file(1000, windows, [200, 600])], 0.5).normalized, 100);
  const none = nabScore([file(1000, windows, [])], 0.5);
  assert.equal(none.normalized, 0);
  assert.equal(none.score, -2);
  assert.deepEqual([none.nullScore, none.perfectScore], [-2, 2]);
});

Deno.test("nabScore() rewards a detection by its position in the window", () => {
  // Window rows 200..209 (width 10): row i earns σ(−(209 − i + 1)/10)/σ(−1).
  const r = nabScore([file(1000, [[200, 209]], [205])], 0.5);
  const expected = scaledSigmoid(-5 / 10) / scaledSigmoid(-1);
  assert.ok(Math.abs(r.score - expected) < 1e-12);
  assert.ok(Math.abs(r.normalized - (100 * (expected + 1)) / 2) < 1e-9);
});

Deno.test("nabScore() counts only the earliest detection of a window", () => {
  const one = nabScore([file(1000, [[200, 209]], [202])], 0.5).score;
  const many = nabScore([file(1000, [[200, 209]], [202, 204, 209])], 0.5).score;
  assert.equal(many, one);
});

Deno.test("nabScore() weighs false positives by their distance after the preceding window", () => {
  // Window 200..209: detections after it cost A_FP·σ((i − 209)/9); before any window −A_FP.
  const cases: Array<[number, number]> = [
    [150, -0.11],
    [210, 0.11 * scaledSigmoid(1 / 9)],
    [218, 0.11 * scaledSigmoid(1)],
    [500, -0.11],
  ];
  for (const [row, cost] of cases) {
    const r = nabScore([file(1000, [[200, 209]], [row])], 0.5);
    assert.ok(Math.abs(r.score - (-1 + cost)) < 1e-12, `row ${row}: ${r.score}`);
    assert.equal(r.files[0]!.fp, 1);
  }
});

Deno.test("nabScore() ignores detections in the probationary period", () => {
  // 1000 rows: the first 150 are probationary.
  const r = nabScore([file(1000, [[200, 209]], [10, 149, 200])], 0.5);
  assert.equal(r.normalized, 100);
  assert.equal(r.files[0]!.fp, 0);
  const capped = nabScore([file(10_000, [[9000, 9099]], [749, 750, 9000])], 0.5);
  assert.equal(capped.files[0]!.fp, 1); // the cap is 750 rows
});

Deno.test("nabScore() leaves the normalized score undefined without windows", () => {
  const r = nabScore([file(500, [], [300])], 0.5);
  assert.ok(Number.isNaN(r.normalized));
  assert.equal(r.score, -0.11);
});

Deno.test("nabScore() applies the profile's weights", () => {
  const f = file(1000, [[200, 209], [500, 509]], [300]);
  const low = nabScore([f], 0.5, NAB_PROFILES.reward_low_FN_rate!);
  assert.ok(Math.abs(low.score - (-4 + 0.11 * scaledSigmoid(91 / 9))) < 1e-12);
  assert.equal(low.nullScore, -4);
});

Deno.test("nabScore() tolerates window edges between rows and rejects bad lengths", () => {
  const r = nabScore([file(1000, [[199.5, 209.5], [2000, 2001]], [200])], 0.5);
  assert.equal(r.normalized, 100);
  const bad = { name: "b", ts: ts(10), scores: new Float64Array(9), windows: [] };
  assert.throws(() => nabScore([bad], 0.5), /Invalid scores for b: 9 for 10 rows/);
});

Deno.test("nabOptimize() chooses one threshold for the whole corpus", () => {
  const a = file(1000, [[500, 599]], []);
  a.scores.fill(0.1);
  a.scores[510] = 0.8;
  a.scores[700] = 0.9; // a false positive above the true one
  const b = file(1000, [[300, 399]], []);
  b.scores.fill(0.2);
  b.scores[305] = 0.7;
  const r = nabOptimize([a, b]);
  assert.equal(r.threshold, 0.7);
  const expected = nabScore([a, b], 0.7);
  assert.equal(r.score, expected.score);
  assert.deepEqual(r.files.map((f) => f.tp), [1, 1]);
});

Deno.test("nabOptimize() detects nothing when every threshold loses", () => {
  const f = file(1000, [[500, 509]], []);
  for (let i = 200; i < 400; i++) f.scores[i] = 1;
  f.scores[505] = NaN;
  const r = nabOptimize([f], standard);
  assert.equal(r.threshold, 1.1);
  assert.equal(r.normalized, 0);
  const empty = nabOptimize([]);
  assert.ok(Number.isNaN(empty.normalized));
});
