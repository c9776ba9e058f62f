import assert from "node:assert/strict";
import { writeSamples } from "../../lake/mod.ts";

const repo = new URL("../../", import.meta.url).pathname;

async function alerts(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/alerts.ts", ...args],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const d = new TextDecoder();
  return { code: r.code, out: d.decode(r.stdout), err: d.decode(r.stderr) };
}

function setup(rules: string, values: number[] = []): string {
  const dir = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${dir}/p.yaml`, `rules:\n${rules}`);
  Deno.writeTextFileSync(
    `${dir}/s.csv`,
    "time,latency\n" +
      values.map((v, i) => `${new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString()},${v}`)
        .join("\n") +
      "\n",
  );
  return dir;
}

Deno.test("alerts backtest prints one CSV row per firing interval, end empty while firing", async () => {
  const dir = setup(
    "  - {alert: Slow, metric: latency, above: 250, clear: 200, for: 2s, severity: critical}\n",
    [100, 300, 300, 300, 220, 150, 150, 300, 300, 300, 300],
  );
  const r = await alerts(["backtest", "--config", `${dir}/p.yaml`, "--input", `${dir}/s.csv`]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    "alert,labels,start,end,peak\n" +
      "Slow,severity=critical,2026-01-01T00:00:03.000Z,2026-01-01T00:00:05.000Z,300\n" +
      "Slow,severity=critical,2026-01-01T00:00:09.000Z,,300\n",
  );
  // 3–5 s and 9–10 s (still firing at the end) of a 10 s history
  assert.equal(r.err, "Slow: fired 2 times, 3 s in all (30 % of 10 s), longest 2 s\n");
});

Deno.test("alerts backtest takes the CSV as --metric-name and gives it --labels", async () => {
  const dir = setup(
    "  - {alert: A, metric: a, labels: {service: api}, below: 5}\n" +
      "  - {alert: B, metric: b, above: 0}\n",
    [9, 1, 1, 9],
  );
  const base = ["backtest", "--config", `${dir}/p.yaml`, "--input", `${dir}/s.csv`];
  const ambiguous = await alerts(base);
  assert.equal(ambiguous.code, 2);
  assert.match(ambiguous.err, /several metrics \(a, b\): pass --metric-name/);
  const r = await alerts([...base, "--metric-name", "a", "--labels", "service=api"]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    "alert,labels,start,end,peak\n" +
      'A,"service=api,severity=warning",2026-01-01T00:00:01.000Z,2026-01-01T00:00:03.000Z,1\n',
  );
});

Deno.test("alerts backtest replays the lake with --data and --since", async () => {
  const dir = setup("  - {alert: Hot, metric: cpu_busy, labels: {cpu: total}, above: 0.9}\n");
  const start = Math.floor(Date.now() / 60_000) * 60_000 - 3_600_000;
  const rows = Array.from({ length: 30 }, (_, i) => ({
    ts: start + i * 1000,
    host: "db1",
    metric: "cpu_busy",
    labels: "cpu=total",
    value: i >= 10 && i < 20 ? 0.95 : 0.2,
  }));
  writeSamples(rows, { root: `${dir}/lake`, id: start, sync: false });
  const r = await alerts([
    "backtest",
    "--config",
    `${dir}/p.yaml`,
    "--data",
    `${dir}/lake`,
    "--since",
    "2h",
  ]);
  assert.equal(r.code, 0, r.err);
  const iso = (i: number) => new Date(start + i * 1000).toISOString();
  assert.equal(
    r.out,
    `alert,labels,start,end,peak\nHot,"cpu=total,host=db1,severity=warning",${iso(10)},${
      iso(20)
    },0.95\n`,
  );
});

Deno.test("alerts backtest refuses a config without rules and bad flags with a one-line error", async () => {
  const dir = setup("", [1]);
  Deno.writeTextFileSync(`${dir}/p.yaml`, "rules: []\n");
  const none = await alerts(["backtest", "--config", `${dir}/p.yaml`, "--input", `${dir}/s.csv`]);
  assert.equal(none.code, 2);
  assert.match(none.err, /No rules to replay in .*p\.yaml/);
  const both = await alerts(["backtest", "--config", `${dir}/p.yaml`]);
  assert.equal(both.code, 2);
  assert.match(both.err, /give either --input FILE.csv or --data DIR/);
  const badConfig = `${dir}/bad.yaml`;
  Deno.writeTextFileSync(badConfig, "rules:\n  - {alert: A, metric: m, above: 1, for: soon}\n");
  const bad = await alerts(["backtest", "--config", badConfig, "--input", `${dir}/s.csv`]);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /bad\.yaml:2:42: rules\[0\]\.for: invalid duration "soon"/);
  assert.equal(bad.err.trim().split("\n").length, 1);
});

Deno.test("alerts backtest --input takes --max-input-mb, which its size error advises", async () => {
  const dir = setup("  - {alert: Slow, metric: latency, above: 250}\n");
  const big = `${dir}/big.csv`;
  Deno.writeTextFileSync(
    big,
    "time,latency\n" +
      Array.from({ length: 90_000 }, (_, i) => `${1767225600 + i},${i % 400}`).join("\n") + "\n",
  );
  const args = ["backtest", "--config", `${dir}/p.yaml`, "--input", big, "--max-input-mb"];
  const refused = await alerts([...args, "1"]);
  assert.equal(refused.code, 1, refused.err);
  assert.match(refused.err, /larger than the 1 MiB limit \(1\.\d MiB; --max-input-mb raises it\)/);
  const read = await alerts([...args, "2"]);
  assert.equal(read.code, 0, read.err);
  assert.match(read.err, /Slow: fired 225 times/);
});

Deno.test("alerts backtest --step too fine for the history's span says which step would do (exit 2)", async () => {
  // a new user's walkthrough: --step 1s over 56 years said only "Too many evaluations: 1764979200"
  const dir = setup("  - {alert: Slow, metric: latency, above: 250}\n");
  Deno.writeTextFileSync(`${dir}/s.csv`, "time,latency\n0,1\n1764979200,300\n");
  const r = await alerts([
    "backtest",
    "--config",
    `${dir}/p.yaml`,
    "--input",
    `${dir}/s.csv`,
    "--step",
    "1s",
  ]);
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /^perfscope alerts: Invalid --step: 1 s over .* of history is 1764979200 evaluations \(at most 50000000\); use --step 36 s or more, or leave it out\n$/,
  );
});

Deno.test("alerts backtest --data finds a firing in a lake of minutes with the default --since 7d", async () => {
  // A new user's lake: 5 minutes of raw samples, never compacted (no rollups). --since 7d used to
  // read the 1-minute tier, empty, and print "Hot: never fired".
  const dir = setup(
    "  - {alert: Hot, metric: load_average, labels: {window: 1m}, above: 10}\n" +
      // a metric perfscope does not collect, and a label value the lake does not hold: said,
      // where "never fired" read as if the rule had been checked against data
      "  - {alert: DiskFull, metric: filesystem_used_ratio, above: 0.95}\n" +
      "  - {alert: Slow, metric: load_average, labels: {window: 1min}, above: 10}\n",
  );
  const start = Math.floor(Date.now() / 1000) * 1000 - 300_000;
  const rows = Array.from({ length: 300 }, (_, i) => ({
    ts: start + i * 1000,
    host: "vm",
    metric: "load_average",
    labels: "window=1m",
    value: i >= 250 ? 13.5 : 3,
  }));
  writeSamples(rows, { root: `${dir}/lake`, id: start, sync: false });
  const r = await alerts(["backtest", "--config", `${dir}/p.yaml`, "--data", `${dir}/lake`]);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out,
    "alert,labels,start,end,peak\n" +
      `Hot,"host=vm,severity=warning,window=1m",${new Date(start + 250_000).toISOString()},,13.5\n`,
  );
  const lines = r.err.trimEnd().split("\n");
  assert.match(lines[0]!, /^Hot: fired 1 time, 49 s in all/);
  assert.deepEqual(lines.slice(1), [
    "DiskFull: never fired: no series of filesystem_used_ratio in the history",
    "Slow: never fired: no series of load_average{window=1min} in the history",
  ]);
});
