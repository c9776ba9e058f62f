import assert from "node:assert/strict";
import { main as forecastMain } from "../../cli/forecast.ts";
import { main as anomalyMain } from "../../cli/anomaly.ts";
import { main as capacityMain } from "../../cli/capacity.ts";
import { readSeriesSource, seriesSource } from "../../cli/_series_input.ts";
import { disposableRecentHostLake } from "../_recent_host_lake.ts";
import { failure } from "./_failure.ts";
import { tempCsv } from "./_temp_csv.ts";

const HOUR = 3_600_000;

/** A lake holding two days of one simulated host, ending about now, at a 10-minute step. */
function recentLake(): Promise<{ root: string } & AsyncDisposable> {
  return disposableRecentHostLake(48, "perfscope-series-input-");
}

Deno.test("readSeriesSource() reads a lake series with its labels and infers the step", async () => {
  await using lake = await recentLake();
  const root = lake.root;
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
});

Deno.test("readSeriesSource() says which series is missing from the lake", async () => {
  await using lake = await recentLake();
  const root = lake.root;
  // a metric the lake never held is a typo, not "no data over the last 14 days" (exit 2)
  const [code, line] = await failure(() =>
    readSeriesSource(seriesSource({ metric: "memory_byte", data: root }))
  );
  assert.equal(code, 2);
  assert.equal(
    line,
    `Unknown --metric memory_byte: no samples of it in ${root}; did you mean memory_bytes?`,
  );
  const [, far] = await failure(() =>
    readSeriesSource(seriesSource({ metric: "no_such_metric", data: root }))
  );
  assert.equal(
    far,
    `Unknown --metric no_such_metric: no samples of it in ${root}; the metrics it holds: ` +
      `deno task query --data ${root} "SELECT DISTINCT metric FROM samples"`,
  );
  // a metric without labels is named alone, not as "tcp_connections_established{}"
  const plain = await readSeriesSource(
    seriesSource({ metric: "tcp_connections_established", data: root, since: "3d" }),
  );
  assert.match(plain.from, /^tcp_connections_established \(/);
});

Deno.test("forecast and anomaly read lake series with --metric and --labels", async () => {
  const chunks: string[] = [];
  await using lake = await recentLake();
  const root = lake.root;
  let out = "";
  const flags = ["--metric", "cpu_ratio", "--labels", "cpu=total,mode=idle", "--data", root];
  assert.equal(await forecastMain([...flags, "--horizon", "6"], (t) => (out += t), () => {}), 0);
  const rows = out.trim().split("\n");
  assert.equal(rows[0], "timestamp,mean,lo80,hi80,lo95,hi95");
  assert.equal(rows.length, 7);
  const [ts, mean, lo80, hi80, lo95, hi95] = rows[1]!.split(",");
  assert.ok(Date.parse(ts!) > Date.now() - HOUR);
  assert.ok(Number(lo95) <= Number(lo80) && Number(lo80) <= Number(mean));
  assert.ok(Number(mean) <= Number(hi80) && Number(hi80) <= Number(hi95));
  // a lake metric's backtest error is said in its unit (memory_bytes' MAE was "262800000")
  let said = "";
  const memory = ["--metric", "memory_bytes", "--labels", "state=used", "--data", root];
  assert.equal(
    await forecastMain([...memory, "--horizon", "6"], () => {}, (t) => (said += t)),
    0,
  );
  assert.match(said, /\nbacktest: .*: MAE [\d.]+ (B|KiB|MiB|GiB), MSE /);

  assert.equal(await anomalyMain(flags, (t) => chunks.push(t), () => {}), 0);
  const scored = chunks.join("").trim().split("\n");
  assert.equal(scored[0], "timestamp,value,anomaly_score");
  assert.ok(scored.length > 40, `${scored.length} rows`); // 14 days → the hourly tier
  for (const line of scored.slice(1)) {
    const score = Number(line.split(",")[2]);
    assert.ok(score >= 0 && score <= 1, line);
  }
});

Deno.test("Every --input command refuses devices, FIFOs, directories and oversized files with one line and exit 1", async () => {
  const dir = await Deno.makeTempDir();
  const fifo = `${dir}/pipe.csv`;
  const mk = await new Deno.Command("mkfifo", { args: [fifo] }).output();
  assert.ok(mk.success);
  const big = `${dir}/big.csv`;
  Deno.writeTextFileSync(big, "timestamp,value\n");
  Deno.truncateSync(big, 64 * 1024 * 1024 + 1); // sparse: no disk used
  const mains = {
    forecast: (a: string[]) => forecastMain([...a, "--horizon", "2"], () => {}),
    anomaly: anomalyMain,
    capacity: (a: string[]) => capacityMain([...a, "--threshold", "1"], () => {}),
  };
  for (const [name, main] of Object.entries(mains)) {
    for (
      const [input, message] of [
        ["/dev/zero", /Cannot read --input \/dev\/zero: a device; give a regular file/],
        [fifo, /: a FIFO; give a regular file/],
        [dir, /: it is a directory/],
        [big, /: larger than the 64 MiB limit \(64 MiB; --max-input-mb raises it\)/],
      ] as const
    ) {
      const [code, line] = await failure(() => main(["--input", input]));
      assert.equal(code, 1, `${name} ${input}`);
      assert.match(line, message, `${name} ${input}`);
    }
    const [code] = await failure(() => main(["--input", big, "--max-input-mb", "0"]));
    assert.equal(code, 2, name);
  }
});

Deno.test("anomaly exits 1, not 2, on data errors: bad timestamps, unsorted rows, no numeric value", async () => {
  const cases: [string, RegExp][] = [
    ["timestamp,value\nyesterday,1\n", /Invalid timestamp on line 2/],
    [
      "timestamp,value\n2024-01-01 02:00:00,1\n2024-01-01 01:00:00,2\n",
      /time goes backwards on line 3 .*sort the rows by time/,
    ],
    ["timestamp,value\n2024-01-01 00:00:00,a\n2024-01-01 01:00:00,b\n", /No numeric values in /],
  ];
  for (const [text, message] of cases) {
    const path = await tempCsv(text);
    for (const main of [anomalyMain, (a: string[]) => forecastMain([...a, "--horizon", "1"])]) {
      const [code, line] = await failure(() => main(["--input", path]));
      assert.deepEqual([code, message.test(line)], [1, true], line);
    }
  }
});

Deno.test("forecast on values near ±1e308 scales them, and exits 1 when the result would overflow", async () => {
  const hours = (values: number[]) =>
    "timestamp,value\n" +
    values.map((v, i) => `${new Date(Date.UTC(2024, 0, 1, i)).toISOString()},${v}`).join("\n");
  const steady = await tempCsv(
    hours(Array.from({ length: 48 }, (_, i) => 1e308 * (0.9 + (i % 3) / 100))),
  );
  let out = "";
  assert.equal(await forecastMain(["--input", steady, "--horizon", "2"], (t) => (out += t)), 0);
  const cells = out.trim().split("\n").slice(1).flatMap((l) => l.split(",").slice(1).map(Number));
  assert.equal(cells.length, 10);
  assert.ok(cells.every((x) => Number.isFinite(x) && x > 8e307 && x < 1e308), out);
  const wild = await tempCsv(hours([1e308, -1e308, 1e308, -1e308]));
  const [code, line] = await failure(() =>
    forecastMain(["--input", wild, "--horizon", "2"], () => {})
  );
  assert.equal(code, 1);
  assert.match(
    line,
    /Cannot forecast .*: the forecast is not finite at step 1 \(the values reach ±1e\+308\)/,
  );
});
