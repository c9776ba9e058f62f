import assert from "node:assert/strict";
import {
  appMetricInfo,
  BatchBuilder,
  convertExposition,
  CumulativeState,
  type IngestBatch,
  parseExposition,
  scrapeTarget,
  SeriesLimit,
} from "../../receivers/mod.ts";

/** Scrapes the pages in turn, once through the series cache a target keeps and once parsing
 * every page afresh, and returns both. */
function both(
  pages: string[],
  openMetrics = false,
): { cached: IngestBatch[]; fresh: IngestBatch[] } {
  const cachedState = new CumulativeState();
  const cachedLimit = new SeriesLimit({ maxSeries: 1000 });
  const freshState = new CumulativeState();
  const freshLimit = new SeriesLimit({ maxSeries: 1000 });
  const cached: IngestBatch[] = [], fresh: IngestBatch[] = [];
  pages.forEach((page, i) => {
    const ts = 1_000_000 + i * 1000;
    const a = new BatchBuilder({ host: "h", ts, source: "scrape", limit: cachedLimit });
    const families = parseExposition(page, { openMetrics, seriesCache: cachedState.seriesCache });
    convertExposition(families, cachedState, a, { targetLabels: { target: "t" }, ts });
    cached.push(structuredClone(a.batch()));
    const b = new BatchBuilder({ host: "h", ts, source: "scrape", limit: freshLimit });
    // new label arrays every time: the labels are prepared as before the series cache
    convertExposition(parseExposition(page, { openMetrics }), freshState, b, {
      targetLabels: { target: "t" },
      ts,
    });
    fresh.push(structuredClone(b.batch()));
  });
  return { cached, fresh };
}

Deno.test("A page's series cache gives the same families as parsing every line afresh", () => {
  const pages = [
    '# TYPE a_total counter\na_total{x="1"} 5\na_total{x="2"} 7\nb{v="} }",w="q\\"r"} 3\nc 1 1000\n',
    // labels change, a value changes, a line changes only in its timestamp
    '# TYPE a_total counter\na_total{x="1",y="new"} 6\na_total{x="2"} 9\nb{v="} }",w="q\\"r"} 4\nc 1 2000\n',
    // the first series back as it was, the second gone
    '# TYPE a_total counter\na_total{x="1"} 8\nb{v="} }",w="q\\"r"} 4\nc 2 2000\n',
  ];
  const cache = new Map();
  for (const page of pages) {
    assert.deepEqual(parseExposition(page, { seriesCache: cache }), parseExposition(page));
  }
  // every series part seen is kept, the timestamped one by its name alone
  assert.ok(cache.has('a_total{x="1",y="new"}') && cache.has("c"));
});

Deno.test("Through the caches, scrapes store the same samples as without when labels change, counters reset and series go and come back", () => {
  const page = (lines: string[]) => `# TYPE req_total counter\n${lines.join("\n")}\n`;
  const pages = [
    page(['req_total{code="200"} 10', 'req_total{code="500"} 1', "temp 20"]),
    page(['req_total{code="200"} 30', 'req_total{code="500"} 2', "temp 21"]),
    // a counter reset, a new label on a series, a gauge gone
    page(['req_total{code="200"} 4', 'req_total{code="500",path="/"} 3']),
    // the old label set back (its cumulative value was forgotten after a scrape away)
    page(['req_total{code="200"} 14', 'req_total{code="500"} 5', "temp 22"]),
    page(['req_total{code="200"} 24', 'req_total{code="500"} 9', "temp 22"]),
  ];
  const { cached, fresh } = both(pages);
  assert.deepEqual(cached, fresh);
  // and the figures themselves: 20/s, then the reset restarting from 4, then 10/s and 4/s
  const perSecond = (b: IngestBatch, labels: string) =>
    b.value[b.labels.findIndex((l, i) => l === labels && b.metric[i] === "req_per_second")];
  assert.equal(perSecond(cached[1]!, "code=200,target=t"), 20);
  assert.equal(perSecond(cached[2]!, "code=200,target=t"), 4);
  assert.equal(perSecond(cached[2]!, "code=500,path=/,target=t"), undefined);
  assert.equal(perSecond(cached[3]!, "code=500,target=t"), undefined);
  assert.equal(perSecond(cached[4]!, "code=500,target=t"), 4);
});

Deno.test("Through the caches, histograms and summaries store the same samples as without", () => {
  const hist = (n: number, extra = "") =>
    [
      "# TYPE lat_seconds histogram",
      `lat_seconds_bucket{r="/a"${extra},le="0.1"} ${n}`,
      `lat_seconds_bucket{r="/a"${extra},le="1"} ${2 * n}`,
      `lat_seconds_bucket{r="/a"${extra},le="+Inf"} ${3 * n}`,
      `lat_seconds_sum{r="/a"${extra}} ${n / 2}`,
      `lat_seconds_count{r="/a"${extra}} ${3 * n}`,
      "# TYPE rpc_seconds summary",
      `rpc_seconds{quantile="0.5"} ${n / 100}`,
      `rpc_seconds_sum ${n}`,
      `rpc_seconds_count ${n * 4}`,
    ].join("\n") + "\n";
  const { cached, fresh } = both([hist(1), hist(5), hist(2), hist(9, ',z="1"'), hist(12)]);
  assert.deepEqual(cached, fresh);
  assert.ok(cached[1]!.metric.includes("lat_seconds_p99"));
});

Deno.test("Through the caches, OpenMetrics lines with exemplars and timestamps store the same samples", () => {
  const om = (n: number, ts: number) =>
    [
      "# TYPE jobs counter",
      `jobs_total{q="a"} ${n} ${ts} # {trace_id="x}"} 1 ${ts}`,
      `jobs_total{q="b"} ${n * 2} ${ts}`,
      "# EOF",
    ].join("\n") + "\n";
  const { cached, fresh } = both([om(1, 1), om(3, 2), om(4, 2.5)], true);
  assert.deepEqual(cached, fresh);
  assert.equal(cached[1]!.value.length, 2);
});

Deno.test("HELP and TYPE lines read the same with tabs, Unicode spaces and carriage returns inside", () => {
  const text = [
    "# HELP\ta_total\tTabs all the way",
    "#  TYPE  a_total  counter",
    "a_total 1",
    "# HELP b Non\u00a0breaking and \u2028 a line separator",
    "b 2",
    "# HELP\u00a0c\u00a0Unicode space before the name",
    "c 3",
    "# HELP d carriage\rreturn inside: a comment",
    "d 4",
    "#HELP e no space after #: a comment",
    "# HELP",
    "# HELPED f a comment",
    "e 5",
  ].join("\n");
  const fams = parseExposition(text);
  assert.deepEqual(
    fams.map((f) => [f.name, f.type, f.help]),
    [
      ["a_total", "counter", "Tabs all the way"],
      ["b", "untyped", ""],
      ["c", "untyped", "Unicode space before the name"],
      ["d", "untyped", ""],
      ["e", "untyped", ""],
    ],
  );
});

Deno.test("A body of exactly the byte limit is read whole and one byte more is refused, chunked, gzipped or with a Content-Length", async () => {
  const page = (n: number) => {
    // `n` bytes: lines of "x_<i> 1\n" padded by a comment
    let text = "";
    for (let i = 0; text.length + 20 < n; i++) text += `x_${i} 1\n`;
    return text + "#".padEnd(n - text.length - 1, "c") + "\n";
  };
  const max = 100_000;
  for (const size of [max, max + 1]) {
    const bytes = new TextEncoder().encode(page(size));
    assert.equal(bytes.length, size);
    for (const how of ["length", "chunked", "gzip"] as const) {
      const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => {
        if (how === "length") return new Response(bytes);
        if (how === "gzip") {
          return new Response(
            new Blob([bytes]).stream().pipeThrough(new CompressionStream("gzip")),
            { headers: { "content-encoding": "gzip" } },
          );
        }
        return new Response(
          new ReadableStream({
            start(c) {
              for (let i = 0; i < bytes.length; i += 7000) c.enqueue(bytes.subarray(i, i + 7000));
              c.close();
            },
          }),
        );
      });
      try {
        const r = await scrapeTarget(
          { url: `http://127.0.0.1:${server.addr.port}/metrics`, name: "t" },
          new CumulativeState(),
          { host: "h", maxBodyBytes: max },
        );
        if (size === max) {
          assert.equal(r.error, undefined, `${how}: ${r.error}`);
          assert.ok(r.batch.metric.includes("x_0") && r.batch.metric.length > 5000, how);
        } else assert.match(r.error!, /over the 100000-byte limit/, how);
      } finally {
        await server.shutdown();
      }
    }
  }
});

Deno.test("Through the caches, a family whose HELP, UNIT or TYPE changes between scrapes is stored as the page now says", () => {
  const page = (help: string, type: string, n: number) =>
    `# HELP cache_q_bytes ${help}\n# TYPE cache_q_bytes ${type}\ncache_q_bytes{k="a"} ${n}\n`;
  const pages = [
    page("Queue", "gauge", 1),
    page("Queue", "gauge", 2),
    page("Queue length", "gauge", 3),
    page("Queue length", "counter", 4),
    page("Queue length", "counter", 6),
  ];
  const { cached, fresh } = both(pages);
  assert.deepEqual(cached, fresh);
  assert.deepEqual(cached.map((b) => b.metric), [
    ["cache_q_bytes"],
    ["cache_q_bytes"],
    ["cache_q_bytes"],
    [],
    ["cache_q_bytes_per_second"],
  ]);
  assert.equal(appMetricInfo("cache_q_bytes")?.help, "Queue length");
  assert.equal(appMetricInfo("cache_q_bytes_per_second")?.unit, "bytes/s");
  // OpenMetrics UNIT changes too
  const om = (unit: string) => `# TYPE cache_u gauge\n# UNIT cache_u ${unit}\ncache_u 1\n# EOF\n`;
  const state = new CumulativeState();
  for (const unit of ["seconds", "bytes"]) {
    const out = new BatchBuilder({ host: "h", ts: 1, source: "scrape" });
    const families = parseExposition(om(unit), {
      openMetrics: true,
      seriesCache: state.seriesCache,
    });
    convertExposition(families, state, out, { targetLabels: { target: "t" }, ts: 1 });
  }
  assert.equal(appMetricInfo("cache_u")?.unit, "bytes");
});
