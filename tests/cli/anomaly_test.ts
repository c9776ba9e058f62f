import assert from "node:assert/strict";
import { main } from "../../cli/anomaly.ts";
import { UsageError } from "../../cli/_args.ts";

async function capture(
  fn: (write: (t: string) => void, warn: (t: string) => void) => Promise<number>,
): Promise<{ code: number; out: string; err: string }> {
  let out = "", err = "";
  const code = await fn((t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

async function csv(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ suffix: ".csv" });
  await Deno.writeTextFile(path, text);
  return path;
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
  const path = await csv(rows.join("\n") + "\n");
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
  assert.match(out, /Usage: perfscope anomaly \(--input FILE.csv \| --metric NAME\)/);
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
  const path = await csv("timestamp,value\n2024-01-01 00:00:00,1\n");
  await assert.rejects(() => main(["--input", path, "--value-column", "x"]), UsageError);
  const bad = await csv("timestamp,value\nyesterday,1\n");
  await assert.rejects(() => main(["--input", bad]), /Invalid timestamp on line 2/);
});

Deno.test("anomaly main() fails on a missing file with a plain error", async () => {
  await assert.rejects(
    () => main(["--input", "/nonexistent/x.csv"]),
    /Cannot read --input \/nonexistent\/x.csv/,
  );
});

Deno.test("anomaly main() keeps stdout CSV and puts the cut-off, the count and the strongest points on stderr", async () => {
  const rows = ["timestamp,value"];
  for (let i = 0; i < 300; i++) {
    const t = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
    rows.push(`${t},${i === 250 ? 500 : 10 + (i % 7)}`);
  }
  const path = await csv(rows.join("\n") + "\n");
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
