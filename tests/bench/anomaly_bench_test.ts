import assert from "node:assert/strict";
import { leaveCategoryOut, leaveCategoryOutWithOptions } from "../../bench/anomaly_bench.ts";
import { nabOptimize } from "../../bench/nab_score.ts";

const ts = Float64Array.from({ length: 200 }, (_, i) => i);

/** A file whose window [100, 119] is hit at `hit` by score `at`, with a false alarm `fa`. */
function file(name: string, at: number, fa: number) {
  const scores = new Float64Array(200).fill(0.1);
  scores[100] = at;
  scores[60] = fa;
  return { name, ts, scores, windows: [[100, 119]] as Array<[number, number]> };
}

Deno.test("leave one category out scores each category at the threshold its others chose", () => {
  // category a detects at 0.9 with a false alarm at 0.5; b detects only at 0.5 with none
  const files = [file("a/1.csv", 0.9, 0.5), file("a/2.csv", 0.9, 0.5), file("b/1.csv", 0.5, 0.1)];
  const cv = leaveCategoryOut(files);
  // a held out: threshold from b is 0.5, so a's false alarms count; b held out: threshold 0.9
  // from a misses b's window entirely
  assert.equal(cv.folds.a!.threshold, 0.5);
  assert.equal(cv.folds.a!.files.reduce((n, f) => n + f.fp, 0), 2);
  assert.equal(cv.folds.b!.threshold, 0.9);
  assert.equal(cv.folds.b!.files[0]!.tp, 0);
  const inFold = nabOptimize(files);
  assert.ok(cv.normalized < inFold.normalized, `${cv.normalized} vs ${inFold.normalized}`);
});

Deno.test("the options are chosen out of fold too: each category gets the set its others rate best", () => {
  // set 0 hits a's windows and misses b's; set 1 does the opposite. Held out, each category
  // gets the set chosen on the other one, which misses it, so the out-of-fold score is poor
  // although each set is perfect on one category.
  const setA = [file("a/1.csv", 0.9, 0.1), file("b/1.csv", 0.1, 0.1)];
  const setB = [file("a/1.csv", 0.1, 0.1), file("b/1.csv", 0.9, 0.1)];
  const cv = leaveCategoryOutWithOptions([setA, setB]);
  assert.equal(cv.folds.a!.choice, 1);
  assert.equal(cv.folds.b!.choice, 0);
  assert.ok(cv.normalized <= 0, `${cv.normalized}`);
  // with one set that suits both, it is chosen for each and the score is high
  const both = [file("a/1.csv", 0.9, 0.1), file("b/1.csv", 0.9, 0.1)];
  const none = [file("a/1.csv", 0.1, 0.1), file("b/1.csv", 0.1, 0.1)];
  const good = leaveCategoryOutWithOptions([none, both]);
  assert.deepEqual([good.folds.a!.choice, good.folds.b!.choice], [1, 1]);
  assert.ok(good.normalized > 90);
  assert.throws(() => leaveCategoryOutWithOptions([]), /Invalid candidates: none/);
});
