import assert from "node:assert/strict";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { SpoolWriter, writeSamples } from "../../lake/mod.ts";
import { postRows, T0, testApp } from "./_app.ts";

async function seeded() {
  const t = await testApp({ now: () => T0 + 120_000 });
  const rows = Array.from({ length: 60 }, (_, i) => ({
    ts: T0 + i * 1000,
    host: "h1",
    metric: "cpu_ratio",
    labels: { cpu: "0", mode: "user" },
    value: i,
  }));
  const res = await postRows(t, rows);
  assert.equal(res.status, 200);
  t.ingest.flush();
  return t;
}

const BASE = `/api/series?metric=cpu_ratio&labels=mode%3Duser%2Ccpu%3D0&from=${T0}&to=${
  T0 + 60_000
}`;

Deno.test("GET /api/series returns JSON with the tier and labels in canonical order", async () => {
  await using t = await seeded();
  const body = await (await t.app.request(BASE)).json();
  assert.equal(body.metric, "cpu_ratio");
  assert.equal(body.labels, "cpu=0,mode=user");
  assert.equal(body.tier, "raw");
  assert.equal(body.step, null);
  assert.equal(body.host, null);
  assert.equal(body.ts.length, 60);
  assert.equal(body.values[59], 59); // values are integers: the lake stores them exactly
});

Deno.test("GET /api/series buckets by step and understands relative and ISO times", async () => {
  await using t = await seeded();
  const stepped = await (await t.app.request(BASE + "&step=10s")).json();
  assert.equal(stepped.ts.length, 6);
  assert.equal(stepped.step, 10_000);
  const rel = await (await t.app.request(
    "/api/series?metric=cpu_ratio&labels=cpu%3D0%2Cmode%3Duser&host=h1&from=now-2m&to=now",
  )).json();
  assert.equal(rel.from, T0);
  assert.equal(rel.ts.length, 60);
  const iso = await (await t.app.request(
    "/api/series?metric=cpu_ratio&labels=cpu%3D0%2Cmode%3Duser&from=2024-01-01T00:00:00Z&to=2024-01-01T00:00:30Z",
  )).json();
  assert.equal(iso.ts.length, 30);
  const defaults =
    await (await t.app.request("/api/series?metric=cpu_ratio&labels=cpu%3D0%2Cmode%3Duser")).json();
  assert.equal(defaults.to - defaults.from, 3_600_000);
  const long =
    await (await t.app.request(BASE.replace(`to=${T0 + 60_000}`, `to=${T0 + 3 * 86_400_000}`)))
      .json();
  // three days asked over a minute of data: the tier follows the data, so raw samples
  assert.equal(long.tier, "raw");
  assert.equal(long.ts.length, 60);
  // a step asked for still buckets
  const longStepped = await (await t.app.request(
    BASE.replace(`to=${T0 + 60_000}`, `to=${T0 + 3 * 86_400_000}`) + "&step=1m",
  )).json();
  assert.equal(longStepped.step, 60_000);
  assert.equal(longStepped.ts.length, 1);
});

Deno.test("GET /api/series serves CSV by format or Accept header", async () => {
  await using t = await seeded();
  for (
    const res of [
      await t.app.request(BASE + "&format=csv"),
      await t.app.request(BASE, { headers: { accept: "text/csv" } }),
    ]
  ) {
    assert.equal(res.headers.get("content-type"), "text/csv; charset=utf-8");
    assert.match(
      res.headers.get("content-disposition") ?? "",
      /attachment; filename="cpu_ratio_cpu_0_mode_user_/,
    );
    const lines = (await res.text()).trim().split("\n");
    assert.equal(lines[0], "time,ts,value");
    assert.equal(lines[1], `2024-01-01T00:00:00.000Z,${T0},0`);
    assert.equal(lines.length, 61);
  }
});

Deno.test("GET /api/series serves Parquet that reads back", async () => {
  await using t = await seeded();
  const res = await t.app.request(BASE + "&format=parquet");
  assert.equal(res.headers.get("content-type"), "application/vnd.apache.parquet");
  const file = await res.arrayBuffer();
  assert.equal(parquetMetadata(file).num_rows, 60n);
  const rows = await parquetReadObjects({ file });
  assert.equal(rows.length, 60);
  assert.equal(rows[1]!.value, 1);
});

Deno.test("GET /api/series without labels answers every series of the metric from one query", async () => {
  await using t = await seeded();
  const more = [1, 2].map((cpu) =>
    JSON.stringify({
      ts: T0,
      host: "h2",
      metric: "cpu_ratio",
      labels: { cpu: String(cpu) },
      value: cpu,
    })
  );
  await t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: more.join("\n"),
  });
  t.ingest.flush();
  const range = `from=${T0}&to=${T0 + 60_000}`;
  const body = await (await t.app.request(`/api/series?metric=cpu_ratio&${range}`)).json();
  assert.deepEqual([body.tier, body.step, body.from], ["raw", 1000, T0]);
  assert.deepEqual(
    body.series.map((s: { host: string; labels: string }) => `${s.host} ${s.labels}`),
    [
      "h1 cpu=0,mode=user",
      "h2 cpu=1",
      "h2 cpu=2",
    ],
  );
  assert.equal(body.series[0].ts.length, 60);
  const few = await (await t.app.request(
    `/api/series?metric=cpu_ratio&host=h1&labels_like=cpu%3D0%25&max_points=6&${range}`,
  )).json();
  assert.deepEqual([few.step, few.series.length, few.series[0].values[0]], [10_000, 1, 4.5]);
  const csv = await (await t.app.request(
    `/api/series?metrics=cpu_ratio,queue_depth&host=h2&format=csv&${range}`,
  )).text();
  assert.equal(
    csv,
    `time,ts,host,metric,labels,value\n2024-01-01T00:00:00.000Z,${T0},h2,cpu_ratio,cpu=1,1\n2024-01-01T00:00:00.000Z,${T0},h2,cpu_ratio,cpu=2,2\n`,
  );
  const res = await t.app.request(`/api/series?metric=cpu_ratio&host=h2&format=parquet&${range}`);
  assert.match(res.headers.get("content-disposition") ?? "", /cpu_ratio_/);
  const rows = await parquetReadObjects({ file: await res.arrayBuffer() });
  assert.deepEqual(rows.map((r) => [r.labels, r.value]), [["cpu=1", 1], ["cpu=2", 2]]);
});

Deno.test("GET /api/series without labels answers at most 1,000 series by default and says it truncated", async () => {
  await using t = await testApp({ now: () => T0 + 120_000 });
  const lines = Array.from({ length: 1_500 }, (_, i) =>
    JSON.stringify({
      ts: T0,
      host: "h1",
      metric: "queue_depth",
      labels: { q: `q${String(i).padStart(4, "0")}` },
      value: i,
    }));
  const pushed = await t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: lines.join("\n"),
  });
  assert.equal(pushed.status, 200);
  t.ingest.flush();
  const range = `from=${T0}&to=${T0 + 60_000}`;
  const capped = await t.app.request(`/api/series?metric=queue_depth&${range}`);
  assert.equal(capped.headers.get("x-truncated"), "true");
  const body = await capped.json();
  assert.equal(body.truncated, true);
  assert.equal(body.series.length, 1_000);
  // the first in host, metric, labels order
  assert.deepEqual([body.series[0].labels, body.series[999].labels], ["q=q0000", "q=q0999"]);
  const all = await t.app.request(`/api/series?metric=queue_depth&max_series=1500&${range}`);
  assert.equal(all.headers.get("x-truncated"), null);
  const whole = await all.json();
  assert.equal(whole.series.length, 1_500);
  assert.equal("truncated" in whole, false);
  const csv = await t.app.request(
    `/api/series?metric=queue_depth&max_series=10&format=csv&${range}`,
  );
  assert.equal(csv.headers.get("x-truncated"), "true");
  assert.equal((await csv.text()).trim().split("\n").length, 11);
  const tooMany = await t.app.request(`/api/series?metric=queue_depth&max_series=100001&${range}`);
  assert.equal(tooMany.status, 400);
  assert.match((await tooMany.json()).error, /Invalid max_series: at most 100000/);
});

const bad: [string, RegExp][] = [
  ["/api/series", /Invalid query: metric/],
  ["/api/series?metric=CPU", /Invalid query: metric: expected a snake_case metric name/],
  // the prefix once: the parser's message used to carry it too ("Invalid labels: Invalid labels: …")
  ["/api/series?metric=cpu_ratio&labels=cpu", /^Invalid labels: pair without "=" in "cpu"$/],
  ["/api/series?metric=cpu_ratio&host=a%2Fb", /Invalid query: host/],
  ["/api/series?metric=cpu_ratio&from=yesterday", /Invalid from: yesterday/],
  ["/api/series?metric=cpu_ratio&to=soon", /Invalid to: soon/],
  ["/api/series?metric=cpu_ratio&from=now&to=now-1h", /Invalid range: from .* is not before to/],
  ["/api/series?metric=cpu_ratio&from=now-500d", /Invalid range: longer than 400 days/],
  ["/api/series?metric=cpu_ratio&step=fast", /Invalid step: fast/],
  ["/api/series?metric=cpu_ratio&format=xml", /Invalid query: format/],
  ["/api/series?labels=a%3D1", /Invalid query: metric: expected a metric name or metrics/],
  ["/api/series?metrics=cpu_ratio,CPU", /Invalid metrics: CPU/],
  ["/api/series?metric=cpu_ratio&max_points=0", /Invalid query: max_points/],
  ["/api/series?metric=cpu_ratio&max_series=0", /Invalid query: max_series/],
];

for (const [path, message] of bad) {
  Deno.test(`GET ${path} answers 400`, async () => {
    await using t = await seeded();
    const res = await t.app.request(path);
    assert.equal(res.status, 400);
    assert.match((await res.json()).error, message);
  });
}

/** A sample of h1's `memory_bytes{state=used}`, for the spool tests. */
function row(ts: number, value: number) {
  return { ts, host: "h1", metric: "memory_bytes", labels: "state=used", value };
}

Deno.test("GET /api/series includes the last minute from the collector's spool, once", async () => {
  await using t = await testApp({ now: () => T0 + 120_000 });
  // Flushed: the first minute is in Parquet.
  writeSamples(Array.from({ length: 60 }, (_, i) => row(T0 + i * 1000, i)), {
    root: t.root,
    id: T0,
  });
  // Flushed but not yet deleted: the first minute's segment (its id is the Parquet file's).
  const flushed = new SpoolWriter(t.root, T0);
  flushed.append(Array.from({ length: 60 }, (_, i) => row(T0 + i * 1000, i)));
  // Unflushed: the collector's open segment holds 30 newer samples, and one of another host.
  const writer = new SpoolWriter(t.root, T0 + 60_000);
  try {
    writer.append(Array.from({ length: 30 }, (_, i) => row(T0 + 60_000 + i * 1000, 60 + i)));
    writer.append([{ ...row(T0 + 60_000, 1e9), host: "h2" }]);
    const url = `/api/series?metric=memory_bytes&labels=state%3Dused&host=h1&from=${T0}&to=${
      T0 + 120_000
    }`;
    let body = await (await t.app.request(url)).json();
    assert.equal(body.tier, "raw");
    assert.equal(body.ts.length, 90);
    assert.equal(new Set(body.ts).size, 90);
    // One hourly bucket: the mean of 0…89, the flushed minute counted once.
    const hour = await (await t.app.request(`${url}&step=1h`)).json();
    assert.deepEqual(hour.values, [44.5]);
    assert.equal(body.ts.at(-1), T0 + 89_000);
    assert.equal(body.values.at(-1), 89);
    // A sample appended since the last request shows up in the next one.
    writer.append([row(T0 + 90_000, 90)]);
    body = await (await t.app.request(url)).json();
    assert.equal(body.ts.at(-1), T0 + 90_000);
    // Without a host, instants are averaged over hosts as in Parquet.
    const all = await (await t.app.request(url.replace("&host=h1", ""))).json();
    assert.equal(all.values[all.ts.indexOf(T0 + 60_000)], (60 + 1e9) / 2);
    // Several series at once (no labels): each gets its spooled samples, raw or bucketed.
    const many = await (await t.app.request(url.replace("&labels=state%3Dused", ""))).json();
    const h1 = many.series.find((x: { host: string }) => x.host === "h1");
    assert.equal(h1.ts.length, 91);
    assert.equal(h1.ts.at(-1), T0 + 90_000);
    const coarse =
      await (await t.app.request(url.replace("&labels=state%3Dused", "") + "&max_points=10"))
        .json();
    const b = coarse.series.find((x: { host: string }) => x.host === "h1");
    assert.ok(coarse.step > 1000);
    assert.ok(b.ts.at(-1) > T0 + 60_000 && b.ts.at(-1) <= T0 + 90_000);
    assert.ok(b.ts.every((x: number, i: number) => i === 0 || x - b.ts[i - 1] === coarse.step));
    // A range that ends before the spool begins is answered from Parquet alone.
    const past = await (await t.app.request(url.replace(`to=${T0 + 120_000}`, `to=${T0 + 30_000}`)))
      .json();
    assert.equal(past.ts.length, 30);
  } finally {
    writer.close();
    flushed.close();
  }
});

Deno.test("GET /api/series?host=H1 answers h1 with its spooled samples, as the lake stores h1", async () => {
  await using t = await testApp({ now: () => T0 + 120_000 });
  writeSamples(Array.from({ length: 60 }, (_, i) => row(T0 + i * 1000, i)), {
    root: t.root,
    id: T0,
  });
  const writer = new SpoolWriter(t.root, T0 + 60_000);
  try {
    writer.append(Array.from({ length: 30 }, (_, i) => row(T0 + 60_000 + i * 1000, 60 + i)));
    const url = `/api/series?metric=memory_bytes&labels=state%3Dused&from=${T0}&to=${T0 + 120_000}`;
    const lower = await (await t.app.request(`${url}&host=h1`)).json();
    assert.equal(lower.ts.length, 90);
    assert.deepEqual(await (await t.app.request(`${url}&host=H1`)).json(), lower);
  } finally {
    writer.close();
  }
});
