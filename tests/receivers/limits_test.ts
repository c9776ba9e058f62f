import assert from "node:assert/strict";
import { IngestWriter, openLake } from "../../lake/mod.ts";
import {
  appMetricInfo,
  appMetrics,
  CumulativeState,
  deliver,
  type IngestBatch,
  OtlpReceiver,
  recordAppMetric,
  ScrapeManager,
  scrapeTarget,
  SeriesLimit,
  startReceivers,
} from "../../receivers/mod.ts";
import { LogLimiter } from "../../receivers/_log_limiter.ts";
import { perSecond, unitOf } from "../../receivers/app_metrics.ts";
import { serveText } from "../_serve_text.ts";

Deno.test("SeriesLimit starts counting again after its window", () => {
  let t = 0;
  const limit = new SeriesLimit({ maxSeries: 1, windowMs: 1000, now: () => t });
  assert.equal(limit.admit("a"), true);
  assert.equal(limit.admit("b"), false);
  assert.equal(limit.droppedInWindow, 1);
  t = 1000;
  // a's place is kept for it for one window…
  assert.equal(limit.admit("b"), false);
  t = 2000;
  // …and freed when a did not come back
  assert.equal(limit.admit("b"), true);
  assert.deepEqual([limit.size, limit.dropped, limit.droppedInWindow], [1, 2, 0]);
  assert.throws(() => new SeriesLimit({ maxSeries: 0 }), /Invalid maxSeries: 0/);
});

Deno.test("SeriesLimit keeps the series flowing across its reset, ahead of a burst of new ones", () => {
  let t = 0;
  const limit = new SeriesLimit({ maxSeries: 2, windowMs: 1000, now: () => t });
  assert.deepEqual(["a", "b", "c"].map((k) => limit.admit(k)), [true, true, false]);
  t = 1000;
  // new series arriving first at the reset find a's and b's places kept for them
  assert.deepEqual(["x", "y", "z", "a", "b"].map((k) => limit.admit(k)), [
    false,
    false,
    false,
    true,
    true,
  ]);
  assert.deepEqual([limit.size, limit.dropped, limit.droppedInWindow], [2, 4, 3]);
  // a window with nothing in it forgets them: they are new again (a caller taking batches
  // rolls the window at each batch, as the receivers' BatchBuilder does)
  t = 3000;
  limit.roll();
  assert.deepEqual(["c", "a", "b"].map((k) => limit.admit(k)), [true, true, false]);
});

Deno.test("SeriesLimit caps the series a source has: a steady source past the limit keeps one stable set", () => {
  let t = 0;
  const limit = new SeriesLimit({ maxSeries: 3, windowMs: 1000, now: () => t });
  const keys = ["s0", "s1", "s2", "s3", "s4"];
  const admittedIn = () => keys.filter((k) => limit.admit(k));
  for (let hour = 0; hour < 5; hour++, t += 1000) {
    // the same three every hour, never growing by the limit at each reset
    assert.deepEqual(admittedIn(), ["s0", "s1", "s2"], `hour ${hour}`);
  }
  // a series gone for a whole window frees its place at the next reset
  t += 1000;
  assert.deepEqual(["s0", "s1"].filter((k) => limit.admit(k)), ["s0", "s1"]);
  t += 1000;
  assert.deepEqual(["s3", "s0", "s1", "s4"].filter((k) => limit.admit(k)), ["s3", "s0", "s1"]);
});

Deno.test('SeriesLimit with counts: "new" limits only the series new in a window', () => {
  let t = 0;
  const limit = new SeriesLimit({ maxSeries: 2, windowMs: 1000, now: () => t, counts: "new" });
  assert.deepEqual(["a", "b", "c"].map((k) => limit.admit(k)), [true, true, false]);
  t = 1000;
  // a and b are not new: two new series have room beside them
  assert.deepEqual(["x", "y", "z", "a", "b"].map((k) => limit.admit(k)), [
    true,
    true,
    false,
    true,
    true,
  ]);
  assert.deepEqual([limit.size, limit.dropped, limit.droppedInWindow], [4, 2, 1]);
});

Deno.test("The OTLP receiver stores the series it was storing after the hourly reset, whatever arrives first", () => {
  let now = 1_700_000_000_000;
  const log: string[] = [];
  const r = new OtlpReceiver({ host: "h", maxSeries: 3, now: () => now, log: (l) => log.push(l) });
  const exportOf = (service: string, queues: string[]) =>
    new TextEncoder().encode(JSON.stringify({
      resourceMetrics: [{
        resource: { attributes: [{ key: "service.name", value: { stringValue: service } }] },
        scopeMetrics: [{
          metrics: [{
            name: "queue.depth",
            gauge: {
              dataPoints: queues.map((q) => ({
                asInt: "1",
                attributes: [{ key: "q", value: { stringValue: q } }],
              })),
            },
          }],
        }],
      }],
    }));
  const stored = (service: string, queues: string[]) =>
    r.receive(exportOf(service, queues), "json").batch.labels;
  // api's three queues fill the limit; a new service's series are dropped
  assert.equal(stored("api", ["a", "b", "c"]).length, 3);
  assert.equal(stored("batch", ["x", "y"]).length, 0);
  // serve's log says so too, not only the partial success the sender may never show
  assert.deepEqual(log, [
    "OTLP: 2 samples of new series dropped: over the OTLP limit of 3 series " +
    "(receivers_limits.max_series_per_source)",
  ]);
  now += 3_600_000;
  // in the next hour the new service exports first: api's queues, flowing all along, keep their
  // places and are still stored
  assert.equal(stored("batch", ["x", "y"]).length, 0);
  assert.deepEqual(stored("api", ["a", "b", "c"]), [
    "q=a,service=api",
    "q=b,service=api",
    "q=c,service=api",
  ]);
});

Deno.test("LogLimiter lets one line a key through per interval and tells how many it held back", () => {
  let t = 0;
  const lines: string[] = [];
  const logs = new LogLimiter((l) => lines.push(l), 1000, () => t);
  logs.line("k", "down");
  logs.line("k", "down");
  logs.line("k", "down");
  logs.line("other", "x");
  t = 1000;
  logs.line("k", "down");
  assert.deepEqual(lines, ["down", "x", "down (and 2 more like it since the last line)"]);
});

Deno.test("deliver() counts samples the lake refuses and logs why", () => {
  const stats = { stored: 0, busy: 0, refused: 0 };
  const lines: string[] = [];
  const batch: IngestBatch = {
    ts: [1, 2],
    host: ["h", "h"],
    metric: ["m", "m"],
    labels: ["", ""],
    value: [1, 2],
  };
  const refuse = () => {
    throw new RangeError("Invalid line 1: too old");
  };
  assert.equal(
    deliver(refuse, batch, stats, new LogLimiter((l) => lines.push(l)), "scrape x"),
    false,
  );
  assert.deepEqual(stats, { stored: 0, busy: 0, refused: 2 });
  assert.deepEqual(lines, ["scrape x: 2 samples refused: Invalid line 1: too old"]);
  assert.equal(deliver(() => {}, batch, stats, new LogLimiter(() => {}), "s"), true);
  assert.equal(stats.stored, 2);
});

Deno.test("unitOf() and perSecond() read units from names and declared units", () => {
  assert.deepEqual(
    [
      unitOf("a_bytes"),
      unitOf("a_ms"),
      unitOf("a_ratio"),
      unitOf("x", "By"),
      unitOf("x", "1"),
      unitOf("x", "{request}"),
    ],
    ["bytes", "ms", "ratio", "bytes", "", "request"],
  );
  assert.deepEqual([unitOf("x", "seconds"), unitOf("x", "milliseconds"), unitOf("plain")], [
    "s",
    "ms",
    "",
  ]);
  assert.deepEqual([perSecond(""), perSecond("s"), perSecond("bytes")], [
    "1/s",
    "ratio",
    "bytes/s",
  ]);
  recordAppMetric({
    name: "limits_test_gauge",
    unit: "ms",
    kind: "gauge",
    help: "h",
    source: "statsd",
  });
  assert.equal(appMetrics().find((m) => m.name === "limits_test_gauge")?.unit, "ms");
});

/** A target that answers 503 once, then 20 series `g` and one the lake refuses (`bad`). */
function downOnceTarget(): Deno.HttpServer<Deno.NetAddr> {
  let fail = true;
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
    if (fail) {
      fail = false;
      return new Response("", { status: 503 });
    }
    return new Response(
      Array.from({ length: 20 }, (_, i) => `g{i="${i}"} 1`).join("\n") + `\nbad{v="\u0001"} 1\n`,
    );
  });
}

Deno.test({
  name: "ScrapeManager logs a target over its series limit and a target that comes back",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = downOnceTarget();
    const log: string[] = [];
    const batches: IngestBatch[] = [];
    const manager = new ScrapeManager({
      targets: [{
        url: `http://127.0.0.1:${server.addr.port}/metrics`,
        name: "app",
        intervalMs: 100,
        // the test is about the 503 and the limit: a loaded machine must not turn the first
        // scrape into a timeout (by default the interval, 100 ms) instead of the 503
        timeoutMs: 10_000,
      }],
      host: "h",
      sink: (b) => void batches.push(b),
      log: (l) => void log.push(l),
      maxSeriesPerTarget: 5,
    });
    for (let i = 0; i < 2400 && (manager.status()[0]?.scrapes ?? 0) < 3; i++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await manager.stop();
    await server.shutdown();
    const s = manager.status()[0]!;
    assert.ok(s.limited >= 15, `${s.limited}`);
    assert.ok(log.some((l) => /scrape app \(.*\): down: HTTP 503/.test(l)));
    assert.ok(log.some((l) => /scrape app \(.*\): up again/.test(l)));
    // not "new series": a steady target past its limit drops the same series every scrape
    assert.ok(
      log.some((l) =>
        /^scrape app: \d+ samples dropped: the target is over its limit of 5 series \(receivers_limits\.max_series_per_source\); the series stored keep their places$/
          .test(l)
      ),
      log.join("\n"),
    );
    assert.ok(
      log.some((l) => /samples dropped: bad\{v\}: label value with a control character/.test(l)),
    );
    assert.ok(batches.length >= 3);
  },
});

Deno.test({
  name: "A real target over its series limit: the lake holds its scraped and dropped sample counts",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // down once, then 20 series of which the limit of 5 lets 5 by, and one the lake refuses
    const server = downOnceTarget();
    const root = await Deno.makeTempDir();
    const writer = new IngestWriter({ root, sync: false });
    const manager = new ScrapeManager({
      targets: [{
        url: `http://127.0.0.1:${server.addr.port}/metrics`,
        name: "app",
        intervalMs: 50,
        // every scrape after the 503 must be up: a loaded machine must not time one out (by
        // default the interval, 50 ms)
        timeoutMs: 10_000,
        labels: { env: "test" },
      }],
      host: "h",
      sink: (b) => writer.writeBatch(b),
      log: () => {},
      maxSeriesPerTarget: 5,
    });
    try {
      for (let i = 0; i < 2400 && (manager.status()[0]?.scrapes ?? 0) < 3; i++) {
        await new Promise((r) => setTimeout(r, 25));
      }
    } finally {
      await manager.stop();
      await server.shutdown();
      writer.flush();
      writer.close();
    }
    const lake = await openLake({ root });
    try {
      const rows = await lake.query(
        `SELECT epoch_ms(ts) AS ts, metric, labels, value FROM samples ORDER BY ts, metric, labels`,
      );
      const health = (metric: string, labels = "env=test,target=app") =>
        rows.filter((r) => r.metric === metric && r.labels === labels)
          .map((r) => Number(r.value));
      const up = health("up");
      assert.ok(up.length >= 3, `${up.length} scrapes`);
      assert.deepEqual(up, [0, ...up.slice(1).map(() => 1)]);
      // 21 scraped: 15 past the limit, the control character's one the lake would refuse
      assert.deepEqual(health("scrape_samples_scraped"), [0, ...up.slice(1).map(() => 21)]);
      assert.deepEqual(
        health("scrape_samples_dropped", "env=test,reason=series_limit,target=app"),
        [0, ...up.slice(1).map(() => 15)],
      );
      assert.deepEqual(
        health("scrape_samples_dropped", "env=test,reason=invalid,target=app"),
        [0, ...up.slice(1).map(() => 1)],
      );
      assert.equal(
        rows.filter((r) => r.metric === "scrape_samples_dropped").length,
        2 * up.length,
        "both reasons stored at every scrape, the failed one included",
      );
      // scraped - dropped (both reasons) is what was stored, each scrape
      const perScrape = new Map<number, number>();
      for (const r of rows) {
        if (r.metric === "g") perScrape.set(Number(r.ts), (perScrape.get(Number(r.ts)) ?? 0) + 1);
      }
      assert.deepEqual([...perScrape.values()], up.slice(1).map(() => 5));
      assert.equal(appMetricInfo("scrape_samples_dropped")?.kind, "gauge");
    } finally {
      lake.close();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name: "startReceivers() starts what the config asks for and stops it all",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const r = await startReceivers({
      scrape: [{ url: "http://127.0.0.1:9/metrics", interval: 60_000, timeout: 100 }],
      statsd: { listen: "127.0.0.1:0", flush: 60_000, max_packet_bytes: 1024 },
      probes: [{ name: "p", tcp: "127.0.0.1:9", interval: 60_000, timeout: 100 }],
      receivers_limits: { max_series_per_source: 10, max_scrape_bytes: 2048 },
      otlp: { enabled: false },
    }, { host: "h", sink: () => {}, log: () => {} });
    assert.ok(r.scrape && r.statsd && r.probes);
    assert.equal(r.otlp, undefined);
    await r.stop();
  },
});

Deno.test({
  name:
    "A target over its series limit still stores up, its duration and its sample counts every scrape",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // its up series used to be the first past the limit: up 1 was never stored, only up 0
    const server = serveText(
      Array.from({ length: 20 }, (_, i) => `g{i="${i}"} 1`).join("\n") + "\n",
    );
    const limit = new SeriesLimit({ maxSeries: 5 });
    const url = `http://127.0.0.1:${server.addr.port}/metrics`;
    try {
      for (let i = 0; i < 3; i++) {
        const r = await scrapeTarget({ url, name: "app" }, new CumulativeState(), {
          host: "h",
          limit,
        });
        const metrics = r.batch.metric;
        assert.equal(metrics.filter((m) => m === "g").length, 5);
        assert.deepEqual(metrics.slice(-5), [
          "up",
          "scrape_duration_seconds",
          "scrape_samples_scraped",
          "scrape_samples_dropped",
          "scrape_samples_dropped",
        ]);
        assert.equal(r.batch.value[metrics.indexOf("up")], 1);
        assert.equal(r.batch.value[metrics.indexOf("scrape_samples_scraped")], 20);
        assert.deepEqual(r.batch.labels.slice(-2), [
          "reason=series_limit,target=app",
          "reason=invalid,target=app",
        ]);
        assert.deepEqual(r.batch.value.slice(-2), [15, 0]);
        assert.equal(r.limited, 15);
      }
    } finally {
      await server.shutdown();
    }
  },
});

Deno.test({
  name:
    "A scraped +Inf gauge is dropped alone and counted as invalid: the lake stores the rest of the scrape",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // the lake refuses an infinite value, and used to refuse the whole scrape with it, health too
    const server = serveText("g +Inf\nlow -Inf\nk 1\n");
    const root = await Deno.makeTempDir();
    const writer = new IngestWriter({ root, sync: false });
    try {
      const url = `http://127.0.0.1:${server.addr.port}/metrics`;
      const r = await scrapeTarget({ url, name: "app" }, new CumulativeState(), { host: "h" });
      assert.equal(r.invalid, 2);
      assert.match(
        r.problems.join("; "),
        /g\{target=app\}: value \+Inf; low\{target=app\}: value -Inf/,
      );
      writer.writeBatch(r.batch); // throws if the lake refuses it
      const at = (metric: string, labels = "target=app") =>
        r.batch.value.filter((_, i) =>
          r.batch.metric[i] === metric && r.batch.labels[i] === labels
        );
      assert.deepEqual(at("k"), [1]);
      assert.deepEqual(at("up"), [1]);
      assert.deepEqual(at("scrape_samples_scraped"), [3]);
      assert.deepEqual(at("scrape_samples_dropped", "reason=invalid,target=app"), [2]);
      assert.deepEqual(at("scrape_samples_dropped", "reason=series_limit,target=app"), [0]);
    } finally {
      writer.close();
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    }
  },
});

Deno.test({
  name:
    "A scrape the lake refuses whole still stores the target's health, every sample counted as dropped invalid",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    // a check of the lake's the builder does not make: simulated by a sink that refuses any
    // batch holding more than the five health samples
    const server = serveText(
      Array.from({ length: 8 }, (_, i) => `g{i="${i}"} 1`).join("\n") + "\n",
    );
    const stored: IngestBatch[] = [];
    const log: string[] = [];
    const manager = new ScrapeManager({
      targets: [{
        url: `http://127.0.0.1:${server.addr.port}/metrics`,
        name: "app",
        intervalMs: 20,
        // every scrape must answer (up 1): not a timeout of a loaded machine (default 20 ms)
        timeoutMs: 10_000,
      }],
      host: "h",
      sink: (b) => {
        if (b.ts.length > 5) throw new RangeError("Invalid sample 1: a check the builder lacks");
        stored.push(b);
      },
      log: (l) => log.push(l),
      maxSeriesPerTarget: 5,
    });
    try {
      for (let i = 0; i < 6000 && (manager.status()[0]?.scrapes ?? 0) < 2; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    } finally {
      await manager.stop();
      await server.shutdown();
    }
    const s = manager.status()[0]!;
    assert.ok(
      stored.length >= 2 && stored.length === s.scrapes,
      `${stored.length} of ${s.scrapes}`,
    );
    for (const b of stored) {
      const at = (metric: string, labels = "target=app") =>
        b.value.filter((_, i) => b.metric[i] === metric && b.labels[i] === labels);
      assert.deepEqual(at("up"), [1]);
      assert.deepEqual(at("scrape_samples_scraped"), [8]);
      assert.deepEqual(at("scrape_samples_dropped", "reason=series_limit,target=app"), [3]);
      assert.deepEqual(at("scrape_samples_dropped", "reason=invalid,target=app"), [5]);
    }
    // the 5 samples the limit let by are refused each scrape; the health samples are stored
    assert.equal(s.refused, 5 * s.scrapes);
    assert.equal(s.stored, 5 * s.scrapes);
    assert.ok(
      log.some((l) => /scrape app: 10 samples refused: Invalid sample 1/.test(l)),
      log.join("\n"),
    );
  },
});
