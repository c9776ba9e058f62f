import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/capacity.ts";
import { UsageError } from "../../cli/_args.ts";
import { sickLake } from "../analytics/_capacity_lakes.ts";
import { compactLake, simulateHost } from "../../lake/mod.ts";

const DAY = 86_400_000;

async function run(args: string[]): Promise<{ code: number; out: string }> {
  let out = "";
  const code = await main(args, (t) => void (out += t));
  return { code, out };
}

function csv(rows: number, f: (day: number) => number, header = "timestamp,value"): string {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "series.csv");
  const start = Date.UTC(2024, 0, 1);
  const lines = [header];
  for (let i = 0; i < rows; i++) {
    const t = start + i * 3_600_000;
    lines.push(`${new Date(t).toISOString()},${f((t - start) / DAY)}`);
  }
  Deno.writeTextFileSync(path, lines.join("\n") + "\n");
  return path;
}

Deno.test("capacity --input prints the ETA, interval, model and growth as JSON", async () => {
  const path = csv(24 * 5, (d) => 100 + 10 * d);
  const { code, out } = await run(["--input", path, "--threshold", "200"]);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.eta, "2024-01-11T00:00:00.000Z");
  assert.equal(r.eta_low, r.eta);
  assert.equal(r.eta_high, r.eta);
  assert.equal(r.model, "linear");
  assert.equal(r.status, "crossing");
  assert.ok(Math.abs(r.growth_per_day - 10) < 1e-9);
  assert.ok(Math.abs(r.headroom - (200 - r.current)) < 1e-9);
  assert.equal(r.horizon_days, 90);
});

Deno.test("capacity prints null ETAs for a flat series and honours --direction and columns", async () => {
  const flat = await run(["--input", csv(48, () => 5), "--threshold", "9"]);
  assert.equal(JSON.parse(flat.out).eta, null);
  assert.equal(JSON.parse(flat.out).status, "flat");
  const path = csv(48, (d) => 100 - 10 * d, "when,free");
  const down = await run([
    "--input",
    path,
    "--threshold",
    "50",
    "--direction",
    "down",
    "--time-column",
    "when",
    "--value-column",
    "free",
    "--horizon",
    "30d",
  ]);
  const r = JSON.parse(down.out);
  assert.equal(r.eta, "2024-01-06T00:00:00.000Z");
  assert.equal(r.source, `${path}:free`);
});

Deno.test("capacity --help prints usage and exits 0", async () => {
  const { code, out } = await run(["--help"]);
  assert.equal(code, 0);
  assert.match(out, /^Usage: deno task capacity/);
});

Deno.test("capacity rejects bad flags with a usage error", async () => {
  const path = csv(10, (d) => d);
  const cases: [string[], RegExp][] = [
    [["--input", path], /Missing --threshold/],
    [["--threshold", "x", "--input", path], /Invalid --threshold: x/],
    [
      ["--threshold", "NaN", "--input", path],
      /^Invalid --threshold: NaN \(expected a finite number, e\.g\. 80, 0\.9 or 50e9\)$/,
    ],
    [["--threshold", "1"], /Missing input/],
    [["--threshold", "1", "--input", path, "--metric", "m"], /Missing input/],
    [["--threshold", "1", "--input", path, "--direction", "left"], /Invalid --direction: left/],
    [["--threshold", "1", "--input", path, "--horizon", "0d"], /Invalid --horizon/],
    [["--threshold", "1", "--metric", "m", "--labels", "oops"], /Invalid --labels: oops/],
    [
      ["--threshold", "1", "--input", path, "--value-column", "nope"],
      /Invalid --value-column: nope/,
    ],
    [["--bogus"], /Invalid arguments/],
  ];
  for (const [args, message] of cases) {
    await assert.rejects(
      run(args),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
    );
  }
});

Deno.test("capacity fails with exit-1 errors on unreadable or empty input", async () => {
  await assert.rejects(
    run(["--input", "/nonexistent.csv", "--threshold", "1"]),
    /Cannot read --input/,
  );
  const empty = csv(3, () => NaN);
  await assert.rejects(run(["--input", empty, "--threshold", "1"]), /No numeric values/);
  const bad = join(Deno.makeTempDirSync(), "bad.csv");
  Deno.writeTextFileSync(bad, "timestamp,value\nyesterday,1\n");
  await assert.rejects(
    run(["--input", bad, "--threshold", "1"]),
    (e: unknown) => !(e instanceof UsageError),
  );
});

Deno.test("capacity --metric reads a lake series and finds the filling /var", async () => {
  const root = sickLake();
  const size = 500 * 2 ** 30;
  const { code, out } = await run([
    "--metric",
    "filesystem_used_bytes",
    "--labels",
    "mountpoint=/var,fstype=xfs,device=nvme1n1p1",
    "--host",
    "db1",
    "--data",
    root,
    "--threshold",
    String(0.95 * size),
    "--since",
    "10000d",
  ]);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.status, "crossing");
  assert.match(
    r.source,
    /^filesystem_used_bytes\{device=nvme1n1p1,fstype=xfs,mountpoint=\/var\} \(1m\)$/,
  );
  assert.ok(Math.abs(r.growth_per_day / 2 ** 30 - 25) < 0.5);
  // the 7 days of data are read from the 1-minute tier whenever the test runs (the tier once
  // followed the time since 2024, so 1-hour rows and 2024-01-09): 50 GiB of headroom left at
  // 25 GiB a day after the last sample (2024-01-07 23:55) is two days
  assert.equal(r.eta.slice(0, 10), "2024-01-10");
  await assert.rejects(
    run(["--metric", "nothing_here", "--data", root, "--threshold", "1", "--since", "10000d"]),
    /Unknown --metric nothing_here: no samples of it in /,
  );
});

Deno.test("capacity on 10 minutes of a fast-growing series says insufficient, with no ETA (regression)", async () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "short.csv");
  const start = Date.UTC(2024, 0, 1);
  const lines = ["timestamp,value"];
  for (let i = 0; i <= 60; i++) {
    lines.push(`${new Date(start + i * 10_000).toISOString()},${1e9 + i * 5e6}`);
  }
  Deno.writeTextFileSync(path, lines.join("\n") + "\n");
  const { code, out } = await run(["--input", path, "--threshold", "2e9"]);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.status, "insufficient");
  assert.equal(r.reason, "10 min of history; ETAs need 1 day");
  assert.equal(r.eta, null);
  assert.equal(r.eta_days, null);
  assert.equal(r.growth_per_day, null);
  assert.equal(r.points, 61);
});

Deno.test("capacity on 10 minutes already past the threshold says so in the reason, still with no ETA or over status", async () => {
  const dir = Deno.makeTempDirSync();
  const path = join(dir, "full.csv");
  const start = Date.UTC(2024, 0, 1);
  const lines = ["timestamp,value"];
  for (let i = 0; i <= 60; i++) {
    lines.push(`${new Date(start + i * 10_000).toISOString()},${53.6e9 + i * 1e6}`);
  }
  Deno.writeTextFileSync(path, lines.join("\n") + "\n");
  const { code, out } = await run(["--input", path, "--threshold", "50e9"]);
  assert.equal(code, 0);
  const r = JSON.parse(out);
  assert.equal(r.status, "insufficient");
  assert.equal(r.reason, "at or past the threshold now; 10 min of history; ETAs need 1 day");
  assert.ok(r.headroom < 0, `headroom ${r.headroom}`);
  assert.equal(r.eta, null);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("capacity cuts the horizon to 4x the history and says so", async () => {
  const path = csv(24 * 5, (d) => 100 + 10 * d); // +10 a day for 5 days (the last point: 149.6)
  const { out } = await run(["--input", path, "--threshold", "400", "--horizon", "90d"]);
  const r = JSON.parse(out);
  // 400 is 25 days out; 5 days of history support 19.8 days ahead: not within.
  assert.equal(r.status, "beyond_horizon");
  assert.ok(Math.abs(r.supported_horizon_days - 4 * r.history_days) < 1e-9);
  assert.match(r.note, /^ETAs look 20 days ahead \(4× the 5 days of history\), not 90 days$/);
});

Deno.test("capacity's lake analysis gives a lake begun mid-hour its real span after a compaction", async () => {
  // 19 minutes from 03:41:18, compacted as serve does every hour: the hosts' span read the 03:00
  // bucket of the hourly rollup as the first sample and said "60 min of history"
  const root = Deno.makeTempDirSync();
  const start = Date.UTC(2026, 11, 7, 3, 41, 18);
  const span = 19 * 60_000;
  simulateHost({ root, host: "vm", start, durationMs: span, stepMs: 1000, cpus: 1, topN: 1 });
  await compactLake({ root, now: () => start + span });
  const { code, out } = await run(["--data", root]);
  assert.equal(code, 0);
  const [host] = JSON.parse(out).hosts;
  assert.equal(host.first, new Date(start).toISOString());
  assert.equal(host.reason, "19 min of history; ETAs need 1 day");
});
