import assert from "node:assert/strict";
import { memorySource } from "../../analytics/mod.ts";
import { prometheusSource } from "../../sources/mod.ts";
import { missing } from "../_skip.ts";
import { startVictoriaMetrics } from "../export/_engines.ts";
import { testApp } from "../web/_app.ts";
import { readSeriesSource, seriesSource } from "../../cli/_series_input.ts";

// The lake stores host names in lower case; a remote TSDB or a CSV file keeps its own case. A
// host asked for in any case finds the host; the source is read back under the name it holds.

const T = Date.UTC(2024, 0, 1);
const ts = Float64Array.from([0, 1, 2], (i) => T + i * 60_000);

type Source = ReturnType<typeof memorySource> | ReturnType<typeof prometheusSource>;

/** Web1's load 1, 2, 3 is found by Web1, web1 and WEB1 alike. */
async function foundInEveryCase(source: Source, to: number): Promise<void> {
  for (const host of ["Web1", "web1", "WEB1"]) {
    const s = await source.series({ host, metric: "load_average", labels: "", from: T, to });
    assert.deepEqual([...s.values], [1, 2, 3], host);
  }
}

Deno.test("a memory (CSV) source holding host Web1 answers for web1 and WEB1", async () => {
  const source = memorySource([
    { host: "Web1", metric: "load_average", labels: "", ts, values: Float64Array.of(1, 2, 3) },
  ]);
  await foundInEveryCase(source, T + 1e6);
});

Deno.test("GET /api/series?host=web1 over a source holding Web1 answers its series", async () => {
  const source = memorySource([
    { host: "Web1", metric: "load_average", labels: "", ts, values: Float64Array.of(1, 2, 3) },
    { host: "db2", metric: "load_average", labels: "", ts, values: Float64Array.of(7, 8, 9) },
  ]);
  await using t = await testApp({ source: { name: "csv", open: () => source } });
  const range = `from=${T}&to=${T + 600_000}`;
  const one = await (await t.app.request(
    `/api/series?metric=load_average&labels=&host=web1&${range}`,
  )).json();
  assert.deepEqual(one.values, [1, 2, 3]);
  const many = await (await t.app.request(
    `/api/series?metric=load_average&host=WEB1&${range}`,
  )).json();
  assert.deepEqual(many.series.map((s: { host: string }) => s.host), ["Web1"]);
});

Deno.test({
  name: "a Prometheus-API source holding host Web1 is read back for web1, under its own Web1",
  ignore: missing("victoria-metrics", "the query-API host case test"),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const vm = await startVictoriaMetrics();
    try {
      const body = ["Web1", "db2"].map((host, i) =>
        JSON.stringify({
          metric: { __name__: "load_average", host },
          values: [1 + i, 2 + i, 3 + i],
          timestamps: [...ts],
        })
      ).join("\n");
      await (await fetch(`${vm.base}/api/v1/import`, { method: "POST", body })).body?.cancel();
      await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
      const source = prometheusSource(vm.base, { now: () => T + 600_000 });
      assert.deepEqual((await source.metrics()).map((k) => k.host), ["Web1", "db2"]);
      await foundInEveryCase(source, T + 600_000);
      // forecast/anomaly --source URL --host web1 (discovery looks back from now: recent samples)
      const now = Math.floor(Date.now() / 60_000) * 60_000;
      const recent = JSON.stringify({
        metric: { __name__: "queue_depth", host: "Web1" },
        values: [4, 5, 6],
        timestamps: [now - 180_000, now - 120_000, now - 60_000],
      });
      await (await fetch(`${vm.base}/api/v1/import`, { method: "POST", body: recent })).body
        ?.cancel();
      await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
      const read = await readSeriesSource(
        seriesSource({ source: vm.base, metric: "queue_depth", host: "web1", since: "1h" }),
        () => now,
      );
      assert.deepEqual([...read.values], [4, 5, 6]);
    } finally {
      await vm.stop();
    }
  },
});
