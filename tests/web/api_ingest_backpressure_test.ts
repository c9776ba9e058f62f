import assert from "node:assert/strict";
import { jsonLines, T0, testApp } from "./_app.ts";

const ND = { "content-type": "application/x-ndjson" };

function rows(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + from + i,
    host: "edge-1",
    metric: "queue_depth",
    labels: { queue: "a" },
    value: i,
  }));
}

Deno.test("POST /api/ingest answers 503 with Retry-After when the writer is over its row budget, stores nothing of it, and accepts again once flushed", async () => {
  await using t = await testApp({
    now: () => T0 + 60_000,
    ingest: { maxBufferedRows: 1_000, flushRows: 1_000_000, flushEveryMs: 3_600_000 },
  });
  const post = (from: number, n: number) =>
    t.app.request("/api/ingest", { method: "POST", headers: ND, body: jsonLines(rows(from, n)) });
  assert.equal((await post(0, 800)).status, 200);
  const refused = await post(800, 400);
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("Retry-After"), "1");
  const json = await refused.json();
  assert.match(json.error, /^Ingest is behind: 800 samples wait for Parquet and 400 more/);
  assert.equal(json.retryAfterSeconds, 1);
  assert.equal(t.ingest.buffered, 800);
  assert.equal(t.ingest.stats.refused, 1);
  t.ingest.flush();
  const again = await post(800, 400);
  assert.equal(again.status, 200);
  assert.deepEqual(await again.json(), { accepted: 400 });
});

Deno.test("POST /api/ingest refuses with 503 before reading the body when the writer is already full", async () => {
  await using t = await testApp({
    now: () => T0 + 60_000,
    ingest: { maxBufferedRows: 1_000, flushRows: 1_000_000, flushEveryMs: 3_600_000 },
  });
  const full = await t.app.request("/api/ingest", {
    method: "POST",
    headers: ND,
    body: jsonLines(rows(0, 1_000)),
  });
  assert.equal(full.status, 200);
  // a body that is never read: a stream that would fail if pulled
  let pulled = false;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      pulled = true;
      controller.error(new Error("the body was read"));
    },
  }, { highWaterMark: 0 });
  const res = await t.app.request("/api/ingest", {
    method: "POST",
    headers: { ...ND, "content-length": "10000000" },
    body,
    duplex: "half",
  } as RequestInit);
  assert.equal(res.status, 503);
  assert.ok(Number(res.headers.get("Retry-After")) >= 1);
  assert.equal(pulled, false);
  assert.match((await res.json()).error, /^Ingest is behind: 1000 samples wait for Parquet/);
});

Deno.test("POST /api/ingest answers 503 naming the spool's disk budget when the spool is full", async () => {
  await using t = await testApp({
    now: () => T0 + 60_000,
    ingest: { maxSpoolBytes: 2_048, flushEveryMs: 3_600_000 },
  });
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let k = 0; k < 40; k++) {
    last = await t.app.request("/api/ingest", {
      method: "POST",
      headers: ND,
      body: jsonLines(rows(k * 100, 100)),
    });
    statuses.push(last.status);
    if (last.status !== 200) break;
  }
  assert.equal(statuses.at(-1), 503, `statuses ${statuses}`);
  assert.ok(Number(last!.headers.get("Retry-After")) >= 1);
  assert.match(
    (await last!.json()).error,
    /^Ingest spool is full: \d+ bytes on disk .*budget of 2048$/,
  );
});

Deno.test("POST /api/ingest answers 503 with Retry-After while the server's resident memory is past its mark, and takes the same body once it is back under", async () => {
  let rss = 400 * 1024 * 1024;
  await using t = await testApp({
    now: () => T0 + 60_000,
    ingest: { maxRssBytes: 256 * 1024 * 1024, memoryGateRows: 0, rss: () => rss },
  });
  const post = () =>
    t.app.request("/api/ingest", { method: "POST", headers: ND, body: jsonLines(rows(0, 100)) });
  const refused = await post();
  assert.equal(refused.status, 503);
  assert.equal(refused.headers.get("Retry-After"), "1");
  assert.match(
    (await refused.json()).error,
    /^Ingest is behind: the server holds 400 MiB of memory \(limit 256 MiB\)$/,
  );
  assert.equal(t.ingest.stats.accepted, 0);
  rss = 100 * 1024 * 1024;
  const taken = await post();
  assert.equal(taken.status, 200);
  assert.deepEqual(await taken.json(), { accepted: 100 });
});
