import assert from "node:assert/strict";
import { main } from "../../cli/anomaly.ts";
import { UsageError } from "../../cli/_args.ts";

async function capture(fn: () => Promise<number>): Promise<{ code: number; out: string }> {
  const chunks: Uint8Array[] = [];
  const write = Deno.stdout.write;
  const log = console.log;
  Deno.stdout.write = (p: Uint8Array) => (chunks.push(p.slice()), Promise.resolve(p.length));
  console.log = (...a: unknown[]) => chunks.push(new TextEncoder().encode(a.join(" ") + "\n"));
  try {
    const code = await fn();
    return { code, out: new TextDecoder().decode(new Uint8Array(chunks.flatMap((c) => [...c]))) };
  } finally {
    Deno.stdout.write = write;
    console.log = log;
  }
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
  const { code, out } = await capture(() =>
    main(["--input", path, "--time-column=time", "--value-column", "cpu"])
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
  const { code, out } = await capture(() => main(["--help"]));
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
