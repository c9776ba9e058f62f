import assert from "node:assert/strict";
import { main } from "../../cli/anomaly.ts";
import { UsageError } from "../../cli/_args.ts";
import { seededUniform } from "../_seeded_uniform.ts";
import { tempCsv } from "./_temp_csv.ts";

async function capture(
  fn: (write: (t: string) => void, warn: (t: string) => void) => Promise<number>,
): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await fn((t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

Deno.test("anomaly main() prints one scored row per input row in order", async () => {
  const rows = ["time,cpu,host"];
  for (let i = 0; i < 200; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 300_000).toISOString().replace("T", " ").slice(
      0,
      19,
    );
    rows.push(`${t},${i === 150 ? 99 : i === 20 ? "" : 10 + (i % 5)},a`);
  }
  const path = await tempCsv(rows.join("\n") + "\n");
  const { code, out } = await capture((write, warn) =>
    main(["--input", path, "--time-column=time", "--value-column", "cpu"], write, warn)
  );
  assert.equal(code, 0);
  const lines = out.trim().split("\n");
  assert.equal(lines[0], "timestamp,value,anomaly_score");
  assert.equal(lines.length, 201);
  assert.equal(lines[1], "2024-01-01T00:00:00.000Z,10,0.000000");
  assert.equal(lines[21], "2024-01-01T01:40:00.000Z,,0.000000");
  assert.ok(Number(lines[151]!.split(",")[2]) > 0.9);
});

Deno.test("anomaly main() prints help", async () => {
  const { code, out } = await capture((write) => main(["--help"], write));
  assert.equal(code, 0);
  assert.match(out, /Usage: deno task anomaly \(--input FILE.csv \| --metric NAME\)/);
});

Deno.test("anomaly main() rejects bad flags as usage errors and names the bad line of a CSV", async () => {
  await assert.rejects(() => main([]), UsageError);
  await assert.rejects(() => main([]), /Missing input: give either --input FILE.csv or --metric/);
  await assert.rejects(() => main(["--input"]), /--input/);
  await assert.rejects(() => main(["--nope"]), /Unknown option '--nope'/);
  await assert.rejects(
    () => main(["--metric", "cpu_ratio", "--labels", "oops"]),
    /Invalid --labels/,
  );
  const path = await tempCsv("timestamp,value\n2024-01-01 00:00:00,1\n");
  await assert.rejects(() => main(["--input", path, "--value-column", "x"]), UsageError);
  const bad = await tempCsv("timestamp,value\nyesterday,1\n");
  await assert.rejects(() => main(["--input", bad]), /Invalid timestamp on line 2/);
});

Deno.test("anomaly main() fails on a missing file with a plain error", async () => {
  await assert.rejects(
    () => main(["--input", "/nonexistent/x.csv"]),
    // no "(os error 2): stat '/nonexistent/x.csv'" after it
    { message: "Cannot read --input /nonexistent/x.csv: no such file" },
  );
});

Deno.test("anomaly main() keeps stdout CSV and puts the cut-off, the count and the strongest points on stderr", async () => {
  const rows = ["timestamp,value"];
  for (let i = 0; i < 300; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
    rows.push(`${t},${i === 250 ? 500 : 10 + (i % 7)}`);
  }
  const path = await tempCsv(rows.join("\n") + "\n");
  const { code, out, err } = await capture((write, warn) => main(["--input", path], write, warn));
  assert.equal(code, 0);
  const lines = out.trimEnd().split("\n");
  assert.equal(lines.length, 301);
  assert.ok(lines.every((l) => l.split(",").length === 3), "every line has three cells");
  const scores = lines.slice(1).map((l) => Number(l.split(",")[2]));
  const above = scores.filter((s) => s >= 0.9).length;
  assert.ok(above >= 1);
  assert.equal(err.trimEnd().split("\n").length, 1, err);
  assert.match(err, new RegExp(`cut-off 0\\.9: ${above} at or above; strongest: `));
  assert.match(err, /strongest: 2024-01-01T04:10:00\.000Z \(\d\.\d{3}\)/);

  const strict = await capture((write, warn) =>
    main(["--input", path, "--cutoff", "1"], write, warn)
  );
  const ones = scores.filter((s) => s === 1).length;
  assert.match(strict.err, new RegExp(`cut-off 1: ${ones} at or above`));
  await assert.rejects(() => main(["--input", path, "--cutoff", "2"]), /Invalid --cutoff: 2/);
  await Deno.remove(path);
});

/** A CSV of `n` samples every `stepMs` from `value(i)`. */
function series(n: number, stepMs: number, value: (i: number) => number): string {
  const rows = ["timestamp,value"];
  const t0 = Date.UTC(2026, 11, 6, 9);
  for (let i = 0; i < n; i++) rows.push(`${new Date(t0 + i * stepMs).toISOString()},${value(i)}`);
  return rows.join("\n") + "\n";
}

Deno.test("anomaly on a new user's first 5 minutes (300 samples a second apart) raises no alarm", async () => {
  // Noise of a few shapes (uniform, normal, log-normal, small counts, a random walk): scored
  // after 100 points, most of these cried wolf (a record over a history of a few minutes).
  for (let seed = 1; seed <= 5; seed++) {
    const rand = seededUniform(seed);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    let walk = 50;
    const shapes = [
      () => 20 + 10 * rand(),
      () => 20 + 3 * normal(),
      () => Math.exp(2 + 0.5 * normal()),
      () => Math.round(50 * rand() * rand()),
      () => (walk += normal()),
    ];
    for (const shape of shapes) {
      const path = await tempCsv(series(300, 1000, shape));
      const { code, out, err } = await capture((w, e) => main(["--input", path], w, e));
      assert.equal(code, 0);
      const scores = out.trimEnd().split("\n").slice(1).map((l) => Number(l.split(",")[2]));
      assert.equal(scores.length, 300);
      assert.ok(scores.every((s) => s < 0.9), `seed ${seed}: ${Math.max(...scores)}`);
      assert.match(
        err,
        /cut-off 0\.9: 0 at or above; the series is shorter than the detector's learning \(100 values and an hour\): every score is 0/,
      );
      await Deno.remove(path);
    }
  }
});

Deno.test("anomaly on a flat series raises no alarm, short or long", async () => {
  for (const [n, step] of [[300, 1000], [5000, 300_000]] as const) {
    const path = await tempCsv(series(n, step, () => 42));
    const { code, out, err } = await capture((w, e) => main(["--input", path], w, e));
    assert.equal(code, 0);
    const scores = out.trimEnd().split("\n").slice(1).map((l) => Number(l.split(",")[2]));
    assert.equal(scores.length, n);
    assert.ok(scores.every((s) => s < 0.9), `${n} points: ${Math.max(...scores)}`);
    assert.match(err, /cut-off 0\.9: 0 at or above/);
    await Deno.remove(path);
  }
});

Deno.test("anomaly still flags a spike once the learning is over, also at 1-second samples", async () => {
  // two hours a second apart: the learning (an hour) is long over when the value jumps
  const rand = seededUniform(9);
  const path = await tempCsv(series(7200, 1000, (i) => (i === 6000 ? 100 : 20 + rand())));
  const { out, err } = await capture((w, e) => main(["--input", path], w, e));
  const scores = out.trimEnd().split("\n").slice(1).map((l) => Number(l.split(",")[2]));
  assert.ok(scores[6000]! > 0.9, `spike ${scores[6000]}`);
  assert.ok(scores.slice(0, 3600).every((s) => s === 0), "the first hour learns");
  assert.doesNotMatch(err, /shorter than the detector's learning/);
  await Deno.remove(path);
});
