/**
 * The series limit of `/api/ingest` against a real `serve`: new series past a host's limit, and
 * past the limit of all hosts together, are refused with a message naming the limit, while the
 * series already flowing keep being stored, the data stored before is intact and the refusals
 * are counted among serve's own samples.
 */
import assert from "node:assert/strict";
import { openLake } from "../../lake/mod.ts";
import { IngestSeriesLimit } from "../../web/mod.ts";
import { startServe } from "../_serve.ts";

const PER_HOST = 5;
const TOTAL = 8;

interface Line {
  ts: number;
  host: string;
  metric: string;
  labels: Record<string, string>;
  value: number;
}

function line(host: string, series: number, ts: number, value = series): Line {
  return { ts, host, metric: "app_queue_depth", labels: { q: `q${series}` }, value };
}

Deno.test({
  name:
    "serve refuses new /api/ingest series past the per-host and total limits, naming them, while existing series keep flowing and stored data stays intact",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-ingest-limit-" });
    const file = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(
      file,
      `data: ${dir}/lake\nreceivers_limits:\n  max_series_per_source: ${PER_HOST}\n` +
        `  max_ingest_series: ${TOTAL}\n`,
    );
    const served = await startServe(["--config", file, "--no-collect"], {
      compact: false,
      ingestRefusalsIntervalMs: 100,
    });
    const post = async (lines: Line[]) => {
      const r = await fetch(new URL("/api/ingest", served.url), {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: lines.map((l) => JSON.stringify(l)).join("\n") + "\n",
      });
      return {
        status: r.status,
        retryAfter: r.headers.get("retry-after"),
        body: await r.json() as { accepted: number; refused?: number; error?: string },
      };
    };
    const t0 = Date.now() - 60_000;
    try {
      // three series of host a: all new, all under the limit
      const first = await post([0, 1, 2].map((s) => line("a", s, t0)));
      assert.deepEqual(first, { status: 200, retryAfter: null, body: { accepted: 3 } });
      // the same three again and four new ones: two new fit the host's limit of 5, two do not
      const mixed = await post([...[0, 1, 2, 3, 4, 5, 6].map((s) => line("a", s, t0 + 1000))]);
      assert.equal(mixed.status, 200);
      assert.equal(mixed.body.accepted, 5);
      assert.equal(mixed.body.refused, 2);
      assert.match(
        mixed.body.error!,
        /2 samples of 2 new series refused: host a is past its limit of 5 new series per hour \(receivers_limits\.max_series_per_source\)/,
      );
      // only new series of host a: nothing stored, 429 with the time until the hour ends
      const onlyNew = await post([7, 8].map((s) => line("a", s, t0 + 2000)));
      assert.equal(onlyNew.status, 429);
      assert.equal(onlyNew.body.accepted, 0);
      assert.ok(Number(onlyNew.retryAfter) > 0 && Number(onlyNew.retryAfter) <= 3600);
      // another host: its own limit, but all hosts together stop at 8 new series
      const other = await post([0, 1, 2, 3].map((s) => line("b", s, t0)));
      assert.equal(other.status, 200);
      assert.equal(other.body.accepted, 3);
      assert.match(
        other.body.error!,
        /limit of 8 new series per hour \(receivers_limits\.max_ingest_series\)/,
      );
      // the series already flowing keep flowing
      const again = await post([0, 1, 2, 3, 4].map((s) => line("a", s, t0 + 3000, 100 + s)));
      assert.deepEqual(again, { status: 200, retryAfter: null, body: { accepted: 5 } });
      // the refusals are counted among serve's own samples
      await new Promise((r) => setTimeout(r, 400));
    } finally {
      served.stop();
      assert.equal(await served.done, 0);
    }
    const lake = await openLake({ root: `${dir}/lake` });
    try {
      const rows = await lake.query(
        `SELECT host, labels, count(*)::INT AS n, max(value) AS top FROM samples
          WHERE metric = 'app_queue_depth' GROUP BY ALL ORDER BY host, labels`,
      );
      assert.deepEqual(rows.map((r) => `${r.host} ${r.labels} ${r.n}`), [
        "a q=q0 3",
        "a q=q1 3",
        "a q=q2 3",
        "a q=q3 2",
        "a q=q4 2",
        "b q=q0 1",
        "b q=q1 1",
        "b q=q2 1",
      ]);
      // the first samples are still there unchanged
      const firsts = await lake.query(
        `SELECT labels, value FROM samples WHERE metric = 'app_queue_depth' AND host = 'a'
          AND epoch_ms(ts) = ${t0} ORDER BY labels`,
      );
      assert.deepEqual(firsts.map((r) => r.value), [0, 1, 2]);
      const refused = await lake.query(
        `SELECT max(value) AS top FROM samples
          WHERE metric = 'perfscope_ingest_refused_samples_per_second'`,
      );
      assert.ok(Number(refused[0]!.top) > 0, "the refusals' rate was stored");
    } finally {
      lake.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("a series that keeps arriving stays admitted across the hourly reset, ahead of new ones", () => {
  let now = 0;
  const limit = new IngestSeriesLimit({ maxPerHost: 2, now: () => now });
  const batch = (metrics: string[]) => ({
    ts: metrics.map(() => now),
    host: metrics.map(() => "h"),
    metric: metrics,
    labels: metrics.map(() => ""),
    value: metrics.map(() => 1),
  });
  assert.deepEqual(limit.filter(batch(["a", "b", "c"])).batch.metric, ["a", "b"]);
  now = 3_600_000;
  // a burst of new series in the next hour cannot push a and b out
  assert.deepEqual(limit.filter(batch(["x", "y", "z", "a", "b"])).batch.metric, [
    "x",
    "y",
    "a",
    "b",
  ]);
  now = 3 * 3_600_000;
  // an hour with nothing forgets them: they are new again
  assert.deepEqual(limit.filter(batch(["a", "b", "c"])).batch.metric, ["a", "b"]);
});

Deno.test("the per-host counts start again with the series' window, also when it ends mid-batch", () => {
  let clock = () => 0;
  const limit = new IngestSeriesLimit({ maxPerHost: 1, now: () => clock() });
  const batch = (metrics: string[]) => ({
    ts: metrics.map(() => 0),
    host: metrics.map(() => "h"),
    metric: metrics,
    labels: metrics.map(() => ""),
    value: metrics.map(() => 1),
  });
  assert.deepEqual(limit.filter(batch(["a", "b"])).batch.metric, ["a"]);
  // the hour ends after the batch began: its first new series is the new hour's first (h has
  // room again), and a, of the hour before, is still admitted
  let reads = 0;
  clock = () => (reads++ === 0 ? 3_599_999 : 3_600_000);
  const verdict = limit.filter(batch(["a", "c", "d"]));
  assert.deepEqual(verdict.batch.metric, ["a", "c"]);
  assert.match(verdict.message, /^1 sample of 1 new series refused: host h is past its limit/);
});
