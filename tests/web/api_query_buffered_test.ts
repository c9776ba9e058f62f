/**
 * `POST /api/query` reads the rows still waiting for Parquet (the ingest writer's buffer, the
 * collector's spool) with the files, each once across a flush, and the SQL guard still refuses
 * what it refused: a real app over a real lake and the real SQL sandbox, no mocks.
 */
import assert from "node:assert/strict";
import { compactLake, replaySpool, SpoolWriter } from "../../lake/mod.ts";
import { postRows, queueSample, T0, type TestApp, testApp } from "./_app.ts";

interface Answer {
  status: number;
  body: { rows: unknown[][]; error: string };
}

async function query(t: TestApp, sql: string): Promise<Answer> {
  const res = await t.app.request("/api/query", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ sql }),
  });
  return { status: res.status, body: await res.json() };
}

async function rows(t: TestApp, sql: string): Promise<unknown[][]> {
  const { status, body } = await query(t, sql);
  assert.equal(status, 200, JSON.stringify(body));
  return body.rows;
}

async function push(t: TestApp, samples: readonly unknown[]): Promise<void> {
  const res = await postRows(t, samples);
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
}

const POINTS = "SELECT epoch_ms(ts) AS t, host, metric, labels, value FROM samples ORDER BY t";

Deno.test("a pushed sample is in /api/query before its flush, and once after it", async () => {
  await using t = await testApp();
  await push(t, [
    queueSample(0),
    queueSample(1),
    queueSample(2, { value: null }),
    queueSample(3, { host: "EDGE-1" }),
  ]);
  assert.equal(t.ingest.buffered, 4);
  const before = await rows(t, POINTS);
  // the null is no row, as in Parquet; the host is stored in lower case
  assert.deepEqual(before, [
    [String(T0), "edge-1", "queue_depth", "queue=a", 0.25],
    [String(T0 + 1000), "edge-1", "queue_depth", "queue=a", 1.25],
    [String(T0 + 3000), "edge-1", "queue_depth", "queue=a", 3.25],
  ]);
  const counts = "SELECT count(*) AS n, count(DISTINCT ts) AS d, sum(value) AS s FROM samples";
  const described = await rows(t, "DESCRIBE samples");
  const counted = await rows(t, counts);
  assert.deepEqual(counted, [["3", "3", 4.75]]);
  assert.equal(t.ingest.flush(), 3);
  assert.equal(t.ingest.buffered, 0);
  assert.deepEqual(await rows(t, POINTS), before);
  assert.deepEqual(await rows(t, counts), counted);
  // the columns and their types are those of the files
  assert.deepEqual(await rows(t, "DESCRIBE samples"), described);
  assert.deepEqual(described.map((r) => [r[0], r[1]]), [
    ["ts", "TIMESTAMP"],
    ["host", "VARCHAR"],
    ["metric", "VARCHAR"],
    ["labels", "VARCHAR"],
    ["value", "DOUBLE"],
  ]);
  // half buffered, half stored: still each once
  await push(t, [queueSample(4), queueSample(5)]);
  assert.deepEqual(await rows(t, counts), [["5", "5", 14.25]]);
  // a second statement on the same query process does not see the first one's copy twice
  assert.deepEqual(await rows(t, counts), [["5", "5", 14.25]]);
  t.ingest.flush();
  assert.deepEqual(await rows(t, counts), [["5", "5", 14.25]]);
});

Deno.test("the collector's spooled rows are in /api/query, then once after their flush", async () => {
  await using t = await testApp();
  const writer = new SpoolWriter(t.root, T0 + 5000);
  writer.append([0, 1, 2].map((i) => ({
    ts: T0 + i * 1000,
    host: "Coll-1",
    metric: "m",
    labels: "disk=a",
    value: i,
  })));
  await push(t, [queueSample(0)]);
  const sql = "SELECT host, metric, count(*) AS n, sum(value) AS s FROM samples GROUP BY ALL " +
    "ORDER BY ALL";
  const expected = [["coll-1", "m", "3", 3], ["edge-1", "queue_depth", "1", 0.25]];
  assert.deepEqual(await rows(t, sql), expected);
  writer.close();
  replaySpool(t.root); // the collector's flush: Parquet written, then the segment deleted
  t.ingest.flush();
  assert.deepEqual(await rows(t, sql), expected);
});

Deno.test("with buffered rows the guard refuses what it refused, the buffer tables too", async () => {
  await using t = await testApp();
  await push(t, [queueSample(0), queueSample(1)]);
  for (
    const sql of [
      "SELECT * FROM _buffered.rows",
      "SELECT * FROM memory._buffered.series",
      'SELECT * FROM "_buffered"."rows"',
      "SELECT * FROM samples UNION ALL SELECT epoch_ms(ts), 'x', 'x', 'x', value FROM _buffered.rows",
      "SELECT * FROM duckdb_tables()",
      "SELECT * FROM read_parquet('/etc/passwd')",
      "SELECT current_setting('allowed_paths')",
    ]
  ) {
    const { status, body } = await query(t, sql);
    assert.equal(status, 403, `${sql}: ${JSON.stringify(body)}`);
    assert.match(body.error, /Refused/, sql);
  }
  // and still answers after the refusals, each row once
  assert.deepEqual(await rows(t, "SELECT count(*) FROM samples"), [["2"]]);
  // the rollup views hold compacted buckets only, as before: no buffered row there
  assert.deepEqual(await rows(t, "SELECT count(*) FROM rollup_1m"), [["0"]]);
});

Deno.test("/api/query racing flushes and compactions never counts a sample twice or misses one", async () => {
  // every accepted body starts a flush on the flush thread while the statements run; a
  // compaction now and then merges the files under them
  await using t = await testApp({ ingest: { flushInWorker: true, flushRows: 1 } });
  const sql = "SELECT count(*) AS n, count(DISTINCT ts) AS d, sum(value) AS s, " +
    "max(epoch_ms(ts)) AS last FROM samples";
  /** Samples 0…k, each once, for some k in `[lo, hi]`. */
  const check = (got: unknown[][], lo: number, hi: number, what: string) => {
    const [n, d, s] = got[0] as [string, string, number | null];
    const k = Number(n) - 1;
    assert.ok(k >= lo && k <= hi, `${what}: ${JSON.stringify(got)}, expected 0…${lo} or 0…${hi}`);
    assert.equal(d, n, `${what}: a sample twice`);
    const sum = (k + 1) * k / 2 + (k + 1) * 0.25;
    assert.ok(Math.abs((s ?? 0) - sum) < 1e-6, `${what}: sum ${s}, expected ${sum}`);
  };
  // 50 rounds, not /api/series's 200: each flush changes the listing, so each statement here
  // also builds its query process's DuckDB instance anew (~0.7 s a round on the shared machine)
  const N = 50;
  for (let i = 0; i < N; i++) {
    const compaction = i % 10 === 5
      ? compactLake({ root: t.root, now: () => T0 + 60_000, warn() {} })
      : undefined;
    const [, a, b] = await Promise.all([push(t, [queueSample(i)]), rows(t, sql), rows(t, sql)]);
    check(a, i - 1, i, `racing, round ${i}`);
    check(b, i - 1, i, `racing too, round ${i}`);
    await compaction;
    // the body is accepted: sample i is there, whatever the flush thread is doing
    check(await rows(t, sql), i, i, `after, round ${i}`);
    if (i % 50 === 49) t.ingest.flush();
  }
  t.ingest.flush();
  assert.equal(t.ingest.buffered, 0);
  check(await rows(t, sql), N - 1, N - 1, "flushed");
});
