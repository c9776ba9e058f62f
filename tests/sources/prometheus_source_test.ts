import assert from "node:assert/strict";
import { lakeSource, type SeriesSource } from "../../analytics/mod.ts";
import { openLake } from "../../lake/mod.ts";
import { prometheusSource, queryBase } from "../../sources/mod.ts";
import { buildReport, renderReport } from "../../reports/mod.ts";
import { missing } from "../_skip.ts";
import { main as reportMain } from "../../cli/report.ts";
import { type Engine, startVictoriaMetrics } from "../export/_engines.ts";
import { DAY, END, fleetLake, hostName, importLake, START, STEP } from "./_fleet.ts";

const ignore = missing("victoria-metrics", "the query-API source tests");
const HOSTS = 20;

let shared: Promise<{ vm: Engine; root: string }> | undefined;
/** One VictoriaMetrics holding the simulated fleet, for all tests of this file. */
function fleet(): Promise<{ vm: Engine; root: string }> {
  return shared ??= (async () => {
    const root = fleetLake(HOSTS);
    const vm = await startVictoriaMetrics();
    await importLake(root, vm);
    return { vm, root };
  })();
}

/**
 * Runs `body` with the query-API source over the shared VictoriaMetrics and the lake holding
 * the same samples, closing the lake after.
 */
async function withFleet(
  body: (source: SeriesSource, lake: Awaited<ReturnType<typeof openLake>>) => Promise<void>,
): Promise<void> {
  const { vm, root } = await fleet();
  const source = prometheusSource(vm.base, { now: () => END });
  const lake = await openLake({ root });
  try {
    await body(source, lake);
  } finally {
    lake.close();
  }
}

const opts = { sanitizeResources: false, sanitizeOps: false, ignore };

Deno.test("queryBase() accepts each engine's URL form and refuses other schemes", () => {
  assert.equal(queryBase("http://prom:9090/"), "http://prom:9090");
  assert.equal(queryBase("http://vm:8428/api/v1"), "http://vm:8428");
  assert.equal(
    queryBase("http://vmselect:8481/select/42/prometheus/"),
    "http://vmselect:8481/select/42/prometheus",
  );
  assert.equal(queryBase("https://mimir:8080/prometheus"), "https://mimir:8080/prometheus");
  assert.throws(() => queryBase("file:///x"), /http or https only/);
  assert.throws(() => queryBase("nope"), /Invalid source URL/);
});

Deno.test({
  ...opts,
  name:
    "the query-API source discovers the same series and host extents as the lake holding the same samples",
  async fn() {
    await withFleet(async (source, lake) => {
      const key = (k: { host: string; metric: string; labels: string }) =>
        `${k.host} ${k.metric} ${k.labels}`;
      const want = (await lake.metrics()).map(key).sort();
      const got = (await source.metrics()).map(key).sort();
      assert.deepEqual(got, want);
      const extent = await source.extent();
      assert.deepEqual(extent, await lake.extent());
    });
  },
});

Deno.test({
  ...opts,
  name: "series() gives the lake's buckets for a step, and raw samples for a short range",
  async fn() {
    await withFleet(async (source, lake) => {
      const key = { host: hostName(3), metric: "filesystem_used_bytes", labels: "" };
      key.labels = (await lake.metrics()).find((k) =>
        k.host === key.host && k.metric === key.metric && k.labels.includes("mountpoint=/var")
      )!.labels;
      const range = { ...key, from: START, to: END, step: 3_600_000 };
      const a = await lakeSource(lake).series(range);
      const b = await source.series(range);
      assert.deepEqual([...b.ts], [...a.ts]);
      b.values.forEach((v, i) =>
        assert.ok(Math.abs(v - a.values[i]!) <= Math.abs(v) * 1e-9)
      );
      // 3 hours: raw samples, every one of them
      const short = { ...key, from: END - 3 * 3_600_000, to: END };
      const raw = await source.series(short);
      assert.equal(raw.tier, "raw");
      assert.deepEqual([...raw.ts], [...(await lakeSource(lake).series(short)).ts]);
      assert.equal(raw.ts.length, (3 * 3_600_000) / STEP);
    });
  },
});

Deno.test({
  ...opts,
  name: "windowStats() matches the lake's window summaries (cpu_ratio kept to total and idle)",
  async fn() {
    await withFleet(async (source, lake) => {
      const metrics = ["filesystem_used_bytes", "memory_bytes", "cpu_ratio"];
      const from = END - DAY, to = END;
      const a = (await lakeSource(lake).windowStats(metrics, from, to)).rows;
      const b = (await source.windowStats(metrics, from, to)).rows;
      const id = (r: { host: string; metric: string; labels: string }) =>
        `${r.host} ${r.metric} ${r.labels}`;
      assert.deepEqual(b.map(id).sort(), a.map(id).sort());
      const byId = new Map(a.map((r) => [id(r), r]));
      for (const r of b) {
        const w = byId.get(id(r))!;
        assert.equal(r.n, w.n);
        for (const f of ["avg", "max", "lastValue", "median"] as const) {
          assert.ok(Math.abs(r[f] - w[f]) <= Math.abs(w[f]) * 1e-9 + 1e-12, `${id(r)} ${f}`);
        }
      }
    });
  },
});

Deno.test({
  ...opts,
  name:
    "a fleet capacity report from VictoriaMetrics ranks the hosts' resources, charts the top ones, in one file under 3 MB",
  async fn() {
    const { vm } = await fleet();
    const source = prometheusSource(vm.base, { now: () => END });
    const data = await buildReport(source, { now: END, charts: 20 });
    assert.equal(new Set(data.hosts.map((h) => h.host)).size, HOSTS);
    // the first five hosts' /var fill up, fastest first; every host is in the table
    assert.deepEqual(
      data.resources.filter((r) => r.resource === "filesystem").slice(0, 5).map((r) => r.host),
      [0, 1, 2, 3, 4].map(hostName),
    );
    assert.equal(new Set(data.resources.map((r) => r.host)).size, HOSTS);
    assert.ok(data.resources.length > 20);
    const html = await renderReport(data);
    const bytes = new TextEncoder().encode(html).length;
    assert.ok(bytes < 3 * 1024 * 1024, `${bytes} bytes`);
    assert.match(html, new RegExp(hostName(19)));
    const groups = await source.hostGroups();
    assert.deepEqual(groups.get(hostName(11)), { env: "staging", dc: "fra" });
    // the hosts grouped by those labels: the analysis carries them, the report has a table each
    assert.deepEqual(data.hostGroups?.[hostName(11)], { env: "staging", dc: "fra" });
    assert.match(html, /<h3 id="group-env">By env<\/h3>[^]*<h3 id="group-dc">By dc<\/h3>/);
    assert.match(html, /<tr data-group="dc=ams"><td>ams<\/td><td class="num">10<\/td>/);
  },
});

Deno.test({
  ...opts,
  name: "deno task report --source URL writes the report from the query API",
  async fn() {
    const { vm } = await fleet();
    const out = `${Deno.makeTempDirSync()}/r.html`;
    const code = await reportMain([
      "--source",
      vm.base,
      "--hosts",
      `${hostName(0)},${hostName(7)}`,
      "--now",
      new Date(END).toISOString(),
      "--out",
      out,
    ]);
    assert.equal(code, 0);
    const html = Deno.readTextFileSync(out);
    assert.match(html, new RegExp(hostName(7)));
    assert.doesNotMatch(html, new RegExp(hostName(8)));
    await assert.rejects(() => reportMain(["--source", "ftp://x"]), {
      name: "UsageError",
      message: /^Invalid --source: ftp:\/\/x/,
    });
  },
});

Deno.test({
  ...opts,
  name: "a query API error is one clear line naming the server and its answer",
  async fn() {
    const { vm } = await fleet();
    const source = prometheusSource(`${vm.base}/nope`, { now: () => END });
    await assert.rejects(() => source.metrics(), {
      name: "PrometheusQueryError",
      message: new RegExp(`^Query API ${vm.base}/nope/api/v1/series answered 4\\d\\d`),
    });
    const down = prometheusSource("http://127.0.0.1:9", { now: () => END });
    await assert.rejects(() => down.metrics(), { message: /^Cannot reach http:\/\/127.0.0.1:9/ });
  },
});

Deno.test({
  ...opts,
  name: "zz: the shared VictoriaMetrics stops",
  async fn() {
    if (shared) await (await shared).vm.stop();
  },
});

Deno.test({
  ...opts,
  name:
    "on VictoriaMetrics' defaults (response cache on) a host younger than a step of the extent's look-back is found to its last sample, and buckets keep their times",
  async fn() {
    const vm = await startVictoriaMetrics({ cache: true });
    try {
      // the extent steps over the 30-day look-back in 500 steps; now is a whole minute about 50
      // min past a multiple of that step, and the host's samples span the 20 minutes before it
      const step = (30 * DAY) / 500;
      const now = Math.floor((Math.ceil(END / step) * step + 50 * 60_000) / 60_000) * 60_000;
      const ts = Array.from({ length: 120 }, (_, i) => now - 20 * 60_000 + i * 10_000);
      const line = {
        metric: { __name__: "memory_bytes", host: "fresh-1", state: "used" },
        values: ts.map((t) => t / 1000),
        timestamps: ts,
      };
      const imported = await fetch(`${vm.base}/api/v1/import`, {
        method: "POST",
        body: JSON.stringify(line) + "\n",
      });
      assert.ok(imported.ok, await imported.text());
      await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
      const source = prometheusSource(vm.base, { now: () => now });
      assert.deepEqual(await source.extent(), [{ host: "fresh-1", first: ts[0], last: ts.at(-1) }]);
      const s = await source.series({
        host: "fresh-1",
        metric: "memory_bytes",
        labels: "state=used",
        from: now - 20 * 60_000,
        to: now,
        step: 60_000,
      });
      assert.equal(s.ts.length, 20);
      // each minute's six samples are the bucket's start (in s) plus 0, 10, … 50: mean +25
      s.ts.forEach((t, i) => assert.equal(s.values[i], t / 1000 + 25, `bucket ${i}`));
    } finally {
      await vm.stop();
    }
  },
});
