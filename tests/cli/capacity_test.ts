import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/capacity.ts";
import { UsageError } from "../../cli/_args.ts";
import { sickLake } from "../analytics/_capacity_lakes.ts";

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
  assert.match(out, /^Usage: perfscope capacity/);
});

Deno.test("capacity rejects bad flags with a usage error", async () => {
  const path = csv(10, (d) => d);
  const cases: [string[], RegExp][] = [
    [["--input", path], /Missing --threshold/],
    [["--threshold", "x", "--input", path], /Invalid --threshold: x/],
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
    /^filesystem_used_bytes\{device=nvme1n1p1,fstype=xfs,mountpoint=\/var\} \(1h\)$/,
  );
  assert.ok(Math.abs(r.growth_per_day / 2 ** 30 - 25) < 0.5);
  assert.equal(r.eta.slice(0, 10), "2024-01-09");
  await assert.rejects(
    run(["--metric", "nothing_here", "--data", root, "--threshold", "1", "--since", "10000d"]),
    /No data for nothing_here\{\}/,
  );
});
