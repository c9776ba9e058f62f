/**
 * The saved app-metric registry (`DATA/receivers/app_metrics.json`): written whole and read back;
 * a damaged, oversized or hostile file is ignored with one log line; entries a receiver could not
 * have made are skipped; the registry stays within its limit whatever the file holds.
 */
import assert from "node:assert/strict";
import {
  appMetricsPath,
  keepAppMetricsSaved,
  loadAppMetrics,
  saveAppMetrics,
} from "../../cli/_app_metrics_file.ts";
import {
  appMetricInfo,
  appMetrics,
  MAX_APP_METRICS,
  recordAppMetric,
} from "../../receivers/mod.ts";

function dataDir(text?: string): string {
  const root = Deno.makeTempDirSync();
  if (text !== undefined) {
    Deno.mkdirSync(`${root}/receivers`);
    Deno.writeTextFileSync(appMetricsPath(root), text);
  }
  return root;
}

Deno.test("The registry saved by one process is what the next one reads back", () => {
  recordAppMetric({
    name: "file_test_wait",
    unit: "ms",
    kind: "gauge",
    help: "Wait",
    source: "otlp",
  });
  const root = dataDir();
  assert.equal(saveAppMetrics(root), true);
  const saved = JSON.parse(Deno.readTextFileSync(appMetricsPath(root)));
  assert.deepEqual(
    saved.metrics.find((m: { name: string }) => m.name === "file_test_wait"),
    { name: "file_test_wait", unit: "ms", kind: "gauge", help: "Wait", source: "otlp" },
  );
  // no temporary file is left beside it
  assert.deepEqual([...Deno.readDirSync(`${root}/receivers`)].map((e) => e.name), [
    "app_metrics.json",
  ]);
});

Deno.test("Damaged, foreign and oversized registry files are ignored with one line each", () => {
  const cases: [string, RegExp][] = [
    ["{not json", /ignoring .*: /],
    ["null", /not a version 1 file/],
    ['{"version":2,"metrics":[]}', /not a version 1 file/],
    ['{"version":1,"metrics":{"length":1e9}}', /not a version 1 file/],
  ];
  for (const [text, why] of cases) {
    const lines: string[] = [];
    assert.equal(loadAppMetrics(dataDir(text), (l) => lines.push(l)), 0, text);
    assert.equal(lines.length, 1, text);
    assert.match(lines[0]!, why);
  }
  // larger than any registry could be: refused before a byte is read (a sparse file)
  const big = dataDir("");
  const f = Deno.openSync(appMetricsPath(big), { write: true });
  f.truncateSync(65 * 1024 * 1024);
  f.close();
  const lines: string[] = [];
  assert.equal(loadAppMetrics(big, (l) => lines.push(l)), 0);
  assert.match(lines[0]!, /bytes, more than/);
  // a directory where the file should be
  const odd = dataDir();
  Deno.mkdirSync(appMetricsPath(odd), { recursive: true });
  lines.length = 0;
  assert.equal(loadAppMetrics(odd, (l) => lines.push(l)), 0);
  assert.match(lines[0]!, /not a regular file/);
});

Deno.test("Entries no receiver could have made are skipped and the rest restored", () => {
  const good = {
    name: "file_test_heat",
    unit: "celsius",
    kind: "gauge",
    help: "",
    source: "scrape",
  };
  const metrics = [
    good,
    { ...good, name: "Bad-Name" },
    { ...good, name: "x".repeat(201) },
    { ...good, name: "file_test_a", kind: "histogram" },
    { ...good, name: "file_test_b", source: "elsewhere" },
    { ...good, name: "file_test_c", unit: 5 },
    { ...good, name: "file_test_d", help: "h".repeat(2000) },
    { ...good, name: "file_test_e", unit: "u".repeat(65) },
    "file_test_f",
    null,
    { ...good, name: "__proto__" },
  ];
  const lines: string[] = [];
  const root = dataDir(JSON.stringify({ version: 1, metrics }));
  assert.equal(loadAppMetrics(root, (l) => lines.push(l)), 1);
  assert.deepEqual(lines.length, 1);
  assert.match(lines[0]!, /skipped 10 invalid entries/);
  assert.equal(appMetricInfo("file_test_heat")?.unit, "celsius");
  for (const n of ["file_test_a", "file_test_b", "file_test_c", "file_test_d", "file_test_e"]) {
    assert.equal(appMetricInfo(n), undefined, n);
  }
  assert.equal(appMetricInfo("__proto__"), undefined);
});

Deno.test("What a receiver recorded in this process wins over the file", () => {
  recordAppMetric({ name: "file_test_live", unit: "s", kind: "gauge", help: "", source: "scrape" });
  const root = dataDir(JSON.stringify({
    version: 1,
    metrics: [{ name: "file_test_live", unit: "ms", kind: "gauge", help: "", source: "scrape" }],
  }));
  assert.equal(loadAppMetrics(root), 0);
  assert.equal(appMetricInfo("file_test_live")?.unit, "s");
});

Deno.test("A long help text is cut when recorded, so the file stays bounded", () => {
  recordAppMetric({
    name: "file_test_long",
    unit: "",
    kind: "gauge",
    help: "y".repeat(100_000),
    source: "scrape",
  });
  assert.equal(appMetricInfo("file_test_long")!.help.length, 1024);
});

Deno.test("A file of more names than the limit fills the registry up to the limit only", () => {
  const metrics = Array.from({ length: MAX_APP_METRICS + 500 }, (_, i) => ({
    name: `file_test_many_${i}`,
    unit: "",
    kind: "rate",
    help: "",
    source: "statsd",
  }));
  const lines: string[] = [];
  loadAppMetrics(dataDir(JSON.stringify({ version: 1, metrics })), (l) => lines.push(l));
  assert.equal(appMetrics().length, MAX_APP_METRICS);
  assert.match(lines[0]!, /skipped \d+ invalid entries/);
});

Deno.test("The saver writes only when the registry changed, and once more when stopped", () => {
  const root = dataDir();
  const saver = keepAppMetricsSaved(root, { everyMs: 3_600_000 });
  saver.stop();
  // nothing new since it started: no file
  assert.throws(() => Deno.statSync(appMetricsPath(root)), Deno.errors.NotFound);
  const again = keepAppMetricsSaved(root, { everyMs: 3_600_000 });
  recordAppMetric({ name: "file_test_new", unit: "ms", kind: "gauge", help: "", source: "otlp" });
  again.stop();
  assert.match(Deno.readTextFileSync(appMetricsPath(root)), /"file_test_new"/);
});
