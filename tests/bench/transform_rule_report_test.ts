import assert from "node:assert/strict";
import { choose, emptySums, type Sums, type Table } from "../../bench/_transform_rule.ts";
import { fileLines, foldsReport, foldTable } from "../../bench/_transform_rule_report.ts";

const LABELS = ["none", "Box-Cox"];
const HORIZONS = [12, 288];

/** One horizon's sums: squared error over 100 steps, 80 % hits, overshoots of 10 forecasts. */
function sums(se: number, in80: number, over: number, lambdas: number[] = []): Sums {
  return {
    ...emptySums(),
    se,
    points: 100,
    in80,
    in95: in80,
    over,
    forecasts: 10,
    applied: lambdas.length,
    lambdas,
  };
}

Deno.test("fileLines() gives each candidate's MSE ratio to none, coverage, overshoots and λ", () => {
  const file = [
    [sums(0, 80, 0), sums(4, 70, 1)],
    [sums(0, 90, 0, [0.2, NaN, 0.4]), sums(2, 75, 3, [0.5])],
  ];
  assert.equal(
    fileLines("a.csv", "A", file, LABELS),
    [
      "a.csv  (fold A)",
      // none against itself is 1 even with no error; 0 error against 0 is 1 too
      "  none               1.0000 1.0000 | 0.80 0.70 | 0/10 1/10 | 0",
      "  Box-Cox            1.0000 0.5000 | 0.90 0.75 | 0/10 3/10 | 3 (λ 0.30)",
    ].join("\n"),
  );
});

Deno.test("foldTable() and foldsReport() print the rule's choice, in-fold and out-of-fold", () => {
  // fold A (file 0): Box-Cox halves the error at both horizons; fold B (file 1): it doubles it
  const table: Table = [
    [[sums(4, 80, 0), sums(4, 80, 0)], [sums(2, 80, 0), sums(2, 80, 0)]],
    [[sums(4, 80, 0), sums(4, 80, 0)], [sums(8, 80, 0), sums(8, 80, 0)]],
  ];
  const slack = { coverage: 0.01, overshoot: 0.02 };
  const onA = choose(table, [0], HORIZONS, slack), onB = choose(table, [1], HORIZONS, slack);
  assert.deepEqual([onA.chosen, onB.chosen], [1, 0]);
  const only = foldTable("t", table, [1], LABELS, HORIZONS, 1).split("\n");
  assert.equal(only[0], "");
  assert.equal(only[1], "t");
  assert.match(only[2]!, /^candidate +\| H=12: M +cov80 +cov95 +overshoot +\| H=288: M/);
  assert.match(only[4]!, /^Box-Cox +\| +2\.0000 +0\.800 +0\.800 +0\.000 +\| +2\.0000 /);
  const report = foldsReport(table, LABELS, HORIZONS, { a: [0], b: [1], onA, onB }, "both");
  assert.match(
    report,
    /\nrule on fold A \(in-fold\): chooses Box-Cox\n {2}Box-Cox: product 0\.2500, eligible\n/,
  );
  assert.match(
    report,
    /\nrule on fold B \(in-fold\): chooses none\n {2}Box-Cox: product 4\.0000, not eligible \(/,
  );
  // A's choice scored on B: the out-of-fold figure shows the doubled error
  assert.match(
    report,
    /OUT-OF-FOLD: fold A's choice \(Box-Cox\) on fold B\n.*\nnone .*\nBox-Cox +\| +2\.0000/,
  );
  assert.match(report, /\nboth\n/);
});
