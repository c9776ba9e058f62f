import assert from "node:assert/strict";
import { leaveCategoryOut } from "../../bench/anomaly_bench.ts";
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
