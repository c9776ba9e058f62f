import assert from "node:assert/strict";
import { runBench } from "./_run_bench.ts";

// The benches run alone take flags of their own: --help prints the usage, a mistake prints one
// line and exits 2 before anything is measured (they used to ignore unknown flags and run for
// minutes, or end in a stack trace).

const HELP: [string, RegExp][] = [
  ["forecast_weighting_bench.ts", /--candidates NAMES/],
  ["forecast_bench.ts", /--leave-one-out/],
  ["forecast_columns_bench.ts", /--columns NAMES/],
  ["anomaly_robustness_bench.ts", /--controls/],
  ["series_limit_bench.ts", /--rounds N/],
  ["ingest_write_bench.ts", /--rev REV/],
  ["forecast_length_bench.ts", /--lengths N,N/],
  ["forecast_window_bench.ts", /--variants V,V/],
];

for (const [file, flag] of HELP) {
  Deno.test(`${file} --help prints its usage and exits 0`, async () => {
    const { code, stdout, stderr } = await runBench(file, "--help");
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Usage: deno run -A bench\//);
    assert.match(stdout, flag);
  });
}

const BAD: [string, string[], RegExp][] = [
  ["forecast_weighting_bench.ts", ["--nope"], /Unknown option '--nope'/],
  ["forecast_weighting_bench.ts", ["--candidates=ets,nope"], /Unknown candidate: nope \(known: /],
  ["forecast_weighting_bench.ts", ["--extra=nope"], /Unknown candidate: nope/],
  ["forecast_weighting_bench.ts", ["--rules=("], /Invalid --rules: \(/],
  ["forecast_weighting_bench.ts", ["--digits=200"], /Invalid --digits: 200/],
  ["forecast_weighting_bench.ts", ["m5"], /Unknown data set: m5 \(ett or m4\)/],
  ["forecast_bench.ts", ["--leave-one-ot"], /Unknown option '--leave-one-ot'/],
  ["forecast_columns_bench.ts", ["--columns=OT,XX"], /Unknown column: XX \(known: HUFL, /],
  ["anomaly_robustness_bench.ts", ["--control"], /Unknown option '--control'/],
  ["anomaly_robustness_bench.ts", ["--options={bad"], /Invalid --options: \{bad \(/],
  ["anomaly_robustness_bench.ts", ["--options=[1]"], /Invalid --options: \[1\] \(/],
  ["series_limit_bench.ts", ["--nope"], /Unknown option '--nope'/],
  ["ingest_write_bench.ts", ["--nope"], /Unknown option '--nope'/],
  ["forecast_length_bench.ts", ["--lengths=20000,x"], /Invalid --lengths: x/],
  ["forecast_window_bench.ts", ["--variants=capped,nope"], /Unknown variant: nope \(known: capped/],
  ["forecast_window_bench.ts", ["--horizons=24,0"], /Invalid --horizons: 0/],
  ["series_limit_bench.ts", ["--rounds=abc"], /Invalid --rounds: abc/],
  ["series_limit_bench.ts", ["--baseline-limit=/nonexistent/x.ts"], /\/nonexistent\/x\.ts/],
];

Deno.test("forecast_weighting_bench.ts takes --extra=none (only the defaults), as README runs it", async () => {
  // the flags pass, then the bench stops in one line on the missing data
  const { code, stdout, stderr } = await runBench(
    "forecast_weighting_bench.ts",
    "--extra=none",
    "--digits=3",
  );
  assert.equal(code, 1);
  assert.equal(stdout, "");
  assert.match(stderr, /^perfscope bench: .*\/nonexistent\/perfscope-data\/ett\/ETTh2\.csv'?\n$/);
});

for (const [file, args, message] of BAD) {
  Deno.test(`${file} ${args.join(" ")}: one line, exit non-zero, nothing run`, async () => {
    const { code, stdout, stderr } = await runBench(file, ...args);
    assert.notEqual(code, 0);
    assert.equal(stdout, "");
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.match(stderr, /^perfscope bench: /);
    assert.match(stderr, message);
  });
}
