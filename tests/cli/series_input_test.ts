import assert from "node:assert/strict";
import { main as forecastMain } from "../../cli/forecast.ts";
import { main as anomalyMain } from "../../cli/anomaly.ts";
import { readSeriesSource, seriesSource } from "../../cli/_series_input.ts";
import { simulateHost } from "../../lake/mod.ts";

const HOUR = 3_600_000;

/** A lake holding two days of one simulated host, ending about now, at a 10-minute step. */
async function recentLake(): Promise<string> {
  const root = await Deno.makeTempDir({ prefix: "perfscope-series-input-" });
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  simulateHost({
    root,
    host: "h1",
    start: end - 48 * HOUR,
    durationMs: 48 * HOUR,
    stepMs: 600_000,
    cpus: 1,
    topN: 1,
  });
  return root;
}

Deno.test("readSeriesSource() reads a lake series with its labels and infers the step", async () => {
  const root = await recentLake();
  try {
    const source = seriesSource({
      metric: "memory_bytes",
      labels: "state=used",
      data: root,
      since: "3d",
    });
    const s = await readSeriesSource(source);
    assert.ok(s.values.length >= 200, `${s.values.length} points`);
    assert.ok(s.values.every((v) => v > 0));
    assert.equal(s.stepMs, 600_000);
    assert.match(s.from, /^memory_bytes\{state=used\} \(/);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("readSeriesSource() says which series is missing from the lake", async () => {
  const root = await recentLake();
  try {
    const source = seriesSource({ metric: "no_such_metric", data: root });
    await assert.rejects(
      readSeriesSource(source),
      /No data for no_such_metric\{\} in .* over the last 14 days/,
    );
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("forecast and anomaly read lake series with --metric and --labels", async () => {
  const root = await recentLake();
  const chunks: string[] = [];
  const write = Deno.stdout.write;
  Deno.stdout.write = (
    p: Uint8Array,
  ) => (chunks.push(new TextDecoder().decode(p)), Promise.resolve(p.length));
  try {
    let out = "";
    const flags = ["--metric", "cpu_ratio", "--labels", "cpu=total,mode=idle", "--data", root];
    assert.equal(await forecastMain([...flags, "--horizon", "6"], (t) => (out += t)), 0);
    const rows = out.trim().split("\n");
    assert.equal(rows[0], "timestamp,mean,lo80,hi80,lo95,hi95");
    assert.equal(rows.length, 7);
    const [ts, mean, lo80, hi80, lo95, hi95] = rows[1]!.split(",");
    assert.ok(Date.parse(ts!) > Date.now() - HOUR);
    assert.ok(Number(lo95) <= Number(lo80) && Number(lo80) <= Number(mean));
    assert.ok(Number(mean) <= Number(hi80) && Number(hi80) <= Number(hi95));

    assert.equal(await anomalyMain(flags), 0);
    const scored = chunks.join("").trim().split("\n");
    assert.equal(scored[0], "timestamp,value,anomaly_score");
    assert.ok(scored.length > 40, `${scored.length} rows`); // 14 days → the hourly tier
    for (const line of scored.slice(1)) {
      const score = Number(line.split(",")[2]);
      assert.ok(score >= 0 && score <= 1, line);
    }
  } finally {
    Deno.stdout.write = write;
    await Deno.remove(root, { recursive: true });
  }
});
