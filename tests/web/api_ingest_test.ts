import assert from "node:assert/strict";
import { jsonLines, storedSamples as count, T0, type TestApp, testApp } from "./_app.ts";

const ND = { "content-type": "application/x-ndjson" };
/** The server's clock: a minute after the samples (the accepted window is relative to it). */
const CLOCK = { now: () => T0 + 60_000 };

function line(i: number, extra: Record<string, unknown> = {}) {
  return {
    ts: T0 + i * 1000,
    host: "edge-1",
    metric: "queue_depth",
    labels: { queue: "a" },
    value: i,
    ...extra,
  };
}

Deno.test("POST /api/ingest writes samples that /api/series reads back", async () => {
  await using t = await testApp(CLOCK);
  const body = jsonLines([line(0), line(1), line(2, { labels: "queue=a" })]);
  const res = await t.app.request("/api/ingest", { method: "POST", headers: ND, body });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), { accepted: 3 });
  assert.equal(t.ingest.flush(), 3);
  const series = await t.app.request(
    `/api/series?metric=queue_depth&labels=queue%3Da&host=edge-1&from=${T0}&to=${T0 + 60_000}`,
  );
  assert.equal(series.status, 200);
  const json = await series.json();
  assert.deepEqual(json.ts, [T0, T0 + 1000, T0 + 2000]);
  assert.deepEqual(json.values, [0, 1, 2]);
  assert.equal(json.tier, "raw");
  const listed = await (await t.app.request("/api/metrics")).json();
  const m = listed.metrics.find((x: { name: string }) => x.name === "queue_depth");
  assert.deepEqual(m.series, [{ host: "edge-1", labels: "queue=a" }]);
  assert.deepEqual(listed.hosts, ["edge-1"]);
});

Deno.test("GET /api/metrics gives a pushed metric the unit its name implies", async () => {
  await using t = await testApp(CLOCK);
  const names = ["http_request_duration_seconds_p95", "http_requests_per_second", "queue_depth"];
  const body = jsonLines(names.map((metric) => ({ ts: T0, host: "h", metric, value: 1 })));
  assert.equal(
    (await t.app.request("/api/ingest", { method: "POST", headers: ND, body })).status,
    200,
  );
  t.ingest.flush();
  const listed = await (await t.app.request("/api/metrics")).json();
  const unit = (name: string) => listed.metrics.find((x: { name: string }) => x.name === name).unit;
  // Explore drew a p95 in seconds as bare "0.12" under an empty unit label
  assert.equal(unit("http_request_duration_seconds_p95"), "s");
  assert.equal(unit("http_requests_per_second"), "1/s");
  assert.equal(unit("queue_depth"), "");
});

Deno.test("POST /api/ingest keeps null values as missing and accepts no labels", async () => {
  await using t = await testApp(CLOCK);
  const body = jsonLines([{ ts: T0, host: "h", metric: "m", value: null }, {
    ts: T0 + 1,
    host: "h",
    metric: "m",
    value: 5,
  }]);
  const res = await t.app.request("/api/ingest", { method: "POST", headers: ND, body });
  assert.deepEqual(await res.json(), { accepted: 2 });
  assert.equal(await count(t), 1);
});

const badBodies: [string, string, RegExp][] = [
  ["not JSON", jsonLines([line(0)]) + "{oops\n", /Invalid line 2: .*JSON/],
  [
    "a missing field",
    jsonLines([line(0), { ts: T0, host: "h", metric: "m" }]),
    /Invalid line 2: value/,
  ],
  ["a string value", jsonLines([line(0, { value: "1" })]), /Invalid line 1: value/],
  ["a bad host", jsonLines([line(0, { host: "a/b" })]), /Invalid line 1: host/],
  ["a camelCase metric", jsonLines([line(0, { metric: "queueDepth" })]), /Invalid line 1: metric/],
  ["a bad label name", jsonLines([line(0, { labels: { "a-b": "1" } })]), /Invalid line 1: labels/],
  ["a number label value", jsonLines([line(0, { labels: { a: 1 } })]), /Invalid line 1: labels/],
  ["a broken label string", jsonLines([line(0, { labels: "novalue" })]), /Invalid line 1: labels/],
  ["a seconds timestamp", jsonLines([line(0, { ts: 1_700_000_000 })]), /Invalid line 1: ts/],
  [
    "a far future timestamp",
    jsonLines([line(0, { ts: Date.now() + 10 * 86_400_000 })]),
    /Invalid line 1: ts/,
  ],
  [
    "a huge label value",
    jsonLines([line(0, { labels: { a: "x".repeat(2000) } })]),
    /longer than 1024/,
  ],
  ["an empty body", "\n\n", /no samples/],
];

for (const [what, body, message] of badBodies) {
  Deno.test(`POST /api/ingest rejects ${what} with 400 and writes nothing`, async () => {
    await using t = await testApp(CLOCK);
    const res = await t.app.request("/api/ingest", { method: "POST", headers: ND, body });
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, message);
    assert.equal(await count(t), 0);
  });
}

Deno.test("POST /api/ingest refuses other content types with 415", async () => {
  await using t = await testApp(CLOCK);
  const res = await t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/xml" },
    body: "<x/>",
  });
  assert.equal(res.status, 415);
  assert.match((await res.json()).error, /Unsupported content type: application\/xml/);
});

Deno.test("POST /api/ingest and /api/query refuse a gzip body with 415 naming the encoding, and store nothing", async () => {
  await using t = await testApp(CLOCK);
  const stream = new Blob([jsonLines([line(0)])]).stream().pipeThrough(
    new CompressionStream("gzip"),
  );
  const gz = new Uint8Array(await new Response(stream).arrayBuffer());
  const res = await t.app.request("/api/ingest", {
    method: "POST",
    headers: { ...ND, "content-encoding": "gzip" },
    body: gz,
  });
  assert.equal(res.status, 415);
  // it used to be a 400 quoting the compressed bytes as if they were a JSON line
  assert.equal(
    (await res.json()).error,
    "Unsupported content encoding: gzip (send the body uncompressed)",
  );
  const query = await t.app.request("/api/query", {
    method: "POST",
    headers: { "content-type": "application/json", "content-encoding": "br" },
    body: "{}",
  });
  assert.equal(query.status, 415);
  assert.match((await query.json()).error, /^Unsupported content encoding: br/);
  const plain = await t.app.request("/api/ingest", {
    method: "POST",
    headers: { ...ND, "content-encoding": "identity" },
    body: jsonLines([line(1)]),
  });
  assert.equal(plain.status, 200);
  assert.equal(await count(t), 1);
});

Deno.test("POST /api/ingest refuses a body over the limit with 413 and writes nothing", async () => {
  await using t = await testApp({ ...CLOCK, maxIngestBytes: 1024 });
  const body = jsonLines(Array.from({ length: 50 }, (_, i) => line(i)));
  const res = await t.app.request("/api/ingest", { method: "POST", headers: ND, body });
  assert.equal(res.status, 413);
  assert.match((await res.json()).error, /Payload too large: the limit is 1024 bytes/);
  const streamed = await t.app.request("/api/ingest", {
    method: "POST",
    headers: ND,
    body: ReadableStream.from([new TextEncoder().encode(body)]),
  });
  assert.equal(streamed.status, 413);
  assert.equal(await count(t), 0);
});

Deno.test("parseIngest() turns a bad line into a 400 and passes other errors through", async () => {
  const { asBadRequest, BadRequestError, parseIngest } = await import("../../web/mod.ts");
  assert.throws(() => parseIngest('{"ts":1}'), BadRequestError);
  assert.equal(parseIngest(jsonLines([line(0)]), { now: T0 }).ts.length, 1);
  assert.throws(() =>
    asBadRequest(() => {
      throw new Error("Disk full");
    }), (e: Error) => !(e instanceof BadRequestError) && /Disk full/.test(e.message));
});

async function post(t: TestApp, rows: unknown[]) {
  const res = await t.app.request("/api/ingest", {
    method: "POST",
    headers: ND,
    body: jsonLines(rows),
  });
  return { status: res.status, body: await res.json() };
}

Deno.test("POST /api/ingest refuses hosts that cannot be a partition directory with 400, and takes 250 bytes", async () => {
  await using t = await testApp(CLOCK);
  for (const n of [251, 252, 253]) {
    const res = await post(t, [line(0), line(1, { host: "h".repeat(n) })]);
    assert.equal(res.status, 400);
    assert.match(
      res.body.error,
      new RegExp(`^Invalid line 2: host: .*\\(${n} bytes, at most 250\\)`),
    );
  }
  assert.equal((await post(t, [line(0, { host: "h".repeat(250) })])).status, 200);
  assert.equal((await post(t, [line(1)])).status, 200);
  assert.equal(await count(t), 2);
  assert.deepEqual(t.ingest.quarantined, 0);
});

Deno.test("POST /api/ingest refuses 10 hosts × 30 days (300 partitions) with 400 naming the first line beyond 64", async () => {
  await using t = await testApp(CLOCK);
  const rows = [];
  for (let h = 0; h < 10; h++) {
    for (let d = 0; d < 30; d++) rows.push(line(0, { host: `h${h}`, ts: T0 - d * 86_400_000 }));
  }
  const res = await post(t, rows);
  assert.equal(res.status, 400);
  assert.match(res.body.error, /^Too many partitions: line 65 \(host "h2", 2023-12-28\)/);
  assert.equal(await count(t), 0);
});

Deno.test("POST /api/ingest refuses the whole body when one sample is older than 30 days or over 5 minutes ahead", async () => {
  await using t = await testApp(CLOCK);
  const now = T0 + 60_000;
  for (const ts of [now - 30 * 86_400_000 - 1, now + 300_001]) {
    const res = await post(t, [line(0), line(1, { ts })]);
    assert.equal(res.status, 400);
    assert.match(res.body.error, /^Invalid line 2: ts: \d+ \(.*\) is outside the accepted window/);
  }
  assert.equal(
    (await post(t, [line(0, { ts: now - 30 * 86_400_000 }), line(1, { ts: now + 300_000 })]))
      .status,
    200,
  );
  assert.equal(await count(t), 2);
});
