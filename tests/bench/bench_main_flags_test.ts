import assert from "node:assert/strict";
import { runBench } from "./_run_bench.ts";

// The benches `deno task bench` runs (and README tells users to run alone) take their flags
// through bench/_flags.ts: --help prints the usage, an unknown flag or a bad value is one line
// and exit 2 before anything is measured. They used to ignore both and run for minutes.

/** Each bench, and flags its usage must name (README documents them). */
const BENCHES: [string, string[]][] = [
  ["m4_bench.ts", ["--quick", "--fresh"]],
  ["m4_clip_bench.ts", ["--quick"]],
  ["forecast_transform_bench.ts", ["--digits N"]],
  ["buffered_read_bench.ts", ["--rounds N", "--quick"]],
  ["spool_read_bench.ts", ["--rounds N", "--quick"]],
  ["anomaly_bench.ts", ["--quick"]],
  ["capacity_bench.ts", ["--quick"]],
  ["web_bench.ts", ["--quick", "--capacity"]],
  ["receivers_bench.ts", ["--quick"]],
  ["report_bench.ts", ["--quick"]],
  ["fleet_capacity_bench.ts", ["--quick"]],
  ["notify_bench.ts", ["--quick"]],
  ["silences_write_bench.ts", ["--quick"]],
  ["collector_bench.ts", [
    "--quick",
    "--seconds N",
    "--samples N",
    "--serve-only",
    "--statfs-only",
    "--curve-only",
  ]],
  ["lake_bench.ts", ["--quick"]],
  ["serve_stop_replay_bench.ts", ["--rows N,N", "--mix-hosts", "--baseline DIR"]],
  ["alerts_bench.ts", ["--quick", "--baseline DIR", "--serve-rules N,..."]],
  ["alerts_e2e_bench.ts", [
    "--quick",
    "--crossings N",
    "--seconds N",
    "--baseline DIR",
    "--no-latency",
    "--rules N",
  ]],
  ["remote_write_bench.ts", [
    "--seconds N",
    "--quick",
    "--only NAMES",
    "--rounds N",
    "--baseline DIR",
  ]],
  ["fleet_ingest_bench.ts", ["--agents N", "--series N", "--seconds N", "--quick"]],
  ["ingest_soak.ts", ["--quick", "--seconds N", "--no-kill", "--config FILE"]],
  ["forecast_options_bench.ts", ["--only LABEL"]],
  ["ratio_transform_bench.ts", ["--quick"]],
  ["mix_correction_bench.ts", ["ett|m4"]],
  ["intercept_correction_bench.ts", ["ett|m4"]],
  ["stacking_bench.ts", ["ett|m4"]],
  ["nested_stacking_bench.ts", ["ett|m4"]],
  ["origin_spacing_bench.ts", ["ett|m4|test", "--spacing N"]],
  ["added_candidate_bench.ts", ["ett|m4|test", "--add NAME"]],
  ["nonratio_transform_bench.ts", ["--quick"]],
  ["query_buffered_bench.ts", ["--rounds N", "--quick", "--sizes N,N", "--json"]],
  ["scrape_read_bench.ts", ["--rounds N"]],
  ["collector_curve.ts", ["--quick", "--seconds N", "--repeat N", "--only TEXT"]],
  ["collect_rss.ts", ["--rounds N", "--seconds N", "LABEL=SCRIPT"]],
  ["alerts_heap.ts", ["--engine DIR", "--rules N", "--seconds N", "--objects", "--expose-gc"]],
  ["profile_serve_scrape.ts", ["--seconds N", "--warm N", "--save FILE", "--load FILE"]],
  ["serve_scrape_ab.ts", ["--old DIR", "--seconds N", "--warm N"]],
  ["receivers_ab.ts", ["--old DIR"]],
  ["synthetic_host.ts", [
    "DIR",
    "--cpus N",
    "--disks N",
    "--nics N",
    "--processes N",
    "--mounts N",
    "--cgroups N",
  ]],
];

for (const [file, flags] of BENCHES) {
  Deno.test(`${file} --help prints its usage and exits 0`, async () => {
    const { code, stdout, stderr } = await runBench(file, "--help");
    assert.equal(code, 0, stderr);
    assert.match(
      stdout,
      new RegExp(`^Usage: deno run -A (--v8-flags=\\S+ )?bench/${file.replace(".", "\\.")}`),
    );
    for (const flag of [...flags, "--help"]) assert.ok(stdout.includes(flag), `${flag}: ${stdout}`);
    assert.equal(stderr, "");
  });

  Deno.test(`${file} --bogus: one line, exit 2, nothing run`, async () => {
    const { code, stdout, stderr } = await runBench(
      file,
      // beside a flag it takes, where it takes --quick: the mistake is still caught
      ...(flags.includes("--quick") ? ["--quick"] : []),
      "--bogus",
    );
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.match(stderr, /^perfscope bench: .*Unknown option '--bogus'.*\n$/);
  });
}

/** Bad values and arguments: one line, exit 2, before anything is measured. */
const BAD: [string, string[], RegExp][] = [
  ["collector_bench.ts", ["--seconds", "abc"], /Invalid --seconds: abc/],
  ["collector_bench.ts", ["--samples=0"], /Invalid --samples: 0/],
  ["collector_bench.ts", ["--samples"], /--samples/],
  ["lake_bench.ts", ["extra"], /Unexpected argument: extra/],
  ["m4_bench.ts", ["--fresh=yes"], /--fresh/],
  ["alerts_bench.ts", ["--serve-rules", "250,x"], /Invalid --serve-rules: x/],
  ["alerts_e2e_bench.ts", ["--seconds=0"], /Invalid --seconds: 0/],
  ["alerts_e2e_bench.ts", ["--crossings=many"], /Invalid --crossings: many/],
  ["alerts_e2e_bench.ts", ["--no-latency=1"], /--no-latency/],
  ["remote_write_bench.ts", ["--only", "rw5,rw9"], /Unknown configuration: rw9 \(known: /],
  ["remote_write_bench.ts", ["--rounds", "two"], /Invalid --rounds: two/],
  ["fleet_ingest_bench.ts", ["--agents", "1.5"], /Invalid --agents: 1\.5/],
  ["fleet_ingest_bench.ts", ["--seconds"], /--seconds/],
  ["ingest_soak.ts", ["--seconds", "soon"], /Invalid --seconds: soon/],
  ["forecast_options_bench.ts", ["--only", "defaults", "--only", "nope"], /Unknown variant: nope/],
  ["scrape_read_bench.ts", ["--rounds", "0"], /Invalid --rounds: 0/],
  ["collector_curve.ts", ["--repeat", "x"], /Invalid --repeat: x/],
  ["collector_curve.ts", ["--only"], /--only/],
  ["collect_rss.ts", ["--rounds=-1"], /Invalid --rounds: -1/],
  ["alerts_heap.ts", ["--seconds", "1.5"], /Invalid --seconds: 1\.5/],
  // flags right but run without the V8 flag it needs: one line, before anything is measured
  ["alerts_heap.ts", ["--rules", "5"], /run with --v8-flags=--expose-gc/],
  ["profile_serve_scrape.ts", ["--warm=-1"], /Invalid --warm: -1/],
  ["serve_scrape_ab.ts", [], /--old DIR is required/],
  ["serve_scrape_ab.ts", ["--old", "/tmp", "--seconds", "x"], /Invalid --seconds: x/],
  ["receivers_ab.ts", [], /--old DIR is required/],
  ["forecast_transform_bench.ts", ["m5"], /Unknown data set: m5 \(ett, m4 or nab\)/],
  ["forecast_transform_bench.ts", ["--digits=x"], /Invalid --digits: x/],
  ["buffered_read_bench.ts", ["--rounds", "0"], /Invalid --rounds: 0/],
  ["spool_read_bench.ts", ["--rounds=two"], /Invalid --rounds: two/],
  ["query_buffered_bench.ts", ["--rounds", "1.5"], /Invalid --rounds: 1\.5/],
  ["query_buffered_bench.ts", ["--sizes", "1000,0"], /Invalid --sizes: 0/],
  ["query_buffered_bench.ts", ["--sizes"], /Missing value of --sizes/],
  ["ratio_transform_bench.ts", ["--quick=yes"], /--quick/],
  ["mix_correction_bench.ts", ["m5"], /Unknown data set: m5 \(ett or m4\)/],
  ["intercept_correction_bench.ts", ["ett", "m4"], /Unknown data set: ett m4/],
  ["stacking_bench.ts", ["m3"], /Unknown data set: m3 \(ett or m4\)/],
  ["nested_stacking_bench.ts", ["ett", "m4"], /Unknown data set: ett m4/],
  ["nonratio_transform_bench.ts", ["--slow"], /--slow/],
  ["origin_spacing_bench.ts", ["m5"], /Unknown data set: m5 \(ett, m4 or test\)/],
  ["origin_spacing_bench.ts", ["--spacing", "0"], /Invalid --spacing: 0/],
  ["added_candidate_bench.ts", ["m5"], /Unknown data set: m5 \(ett, m4 or test\)/],
  ["added_candidate_bench.ts", ["--add", "arima"], /Invalid --add: Invalid model: arima/],
  ["synthetic_host.ts", [], /DIR is required/],
  ["synthetic_host.ts", ["/tmp/x", "--cpus", "many"], /Invalid --cpus: many/],
  ["synthetic_host.ts", ["/tmp/x", "/tmp/y"], /Unexpected argument: \/tmp\/y/],
];

Deno.test("profile_serve_scrape.ts --load of a missing file: one line, exit 1", async () => {
  const { code, stdout, stderr } = await runBench(
    "profile_serve_scrape.ts",
    "--load",
    "/nonexistent/x.cpuprofile",
  );
  assert.equal(code, 1, stderr);
  assert.equal(stdout, "");
  assert.match(stderr, /^perfscope bench: .*\/nonexistent\/x\.cpuprofile.*\n$/);
});

for (const [file, args, message] of BAD) {
  Deno.test(`${file} ${args.join(" ")}: one line, exit 2, nothing run`, async () => {
    const { code, stdout, stderr } = await runBench(file, ...args);
    assert.equal(code, 2, stderr);
    assert.equal(stdout, "");
    assert.equal(stderr.trim().split("\n").length, 1, stderr);
    assert.match(stderr, /^perfscope bench: /);
    assert.match(stderr, message);
  });
}
