/**
 * `query` reads the rows still in the spools on disk (the collector's, serve's ingest spool)
 * with the Parquet files, each once across a flush, also at the moments between a flush's file
 * and its segment's deletion; `--no-buffered` reads Parquet only.
 */
import assert from "node:assert/strict";
import { main } from "../../cli/query.ts";
import {
  diskBufferedSnapshot,
  EVERY_ROW,
  IngestWriter,
  listIngestSegments,
  listSegments,
  openLake,
  replaySpool,
  SpoolWriter,
  tableWithBuffered,
} from "../../lake/mod.ts";
import { readIngestSpool, stale } from "../../lake/ingest_spool_rows.ts";

const T0 = Date.UTC(2024, 0, 15, 12);
const COUNTS = "SELECT count(*) AS n, count(DISTINCT (ts, labels)) AS d, sum(value) AS s " +
  "FROM samples";

async function csv(root: string, sql: string, ...flags: string[]): Promise<string> {
  let out = "";
  assert.equal(
    await main(["--data", root, "--format", "csv", ...flags, sql], (t) => (out += t)),
    0,
  );
  return out;
}

/** A copy of every file under `dir` (a segment as it was before its flush deleted it). */
function keep(paths: string[]): Map<string, Uint8Array> {
  return new Map(paths.map((p) => [p, Deno.readFileSync(p)]));
}

function restore(copies: Map<string, Uint8Array>): void {
  for (const [path, bytes] of copies) Deno.writeFileSync(path, bytes);
}

Deno.test("query reads the collector's spool, then each row once across its flush", async () => {
  const root = Deno.makeTempDirSync();
  const spool = new SpoolWriter(root, T0 + 60_000);
  spool.append([0, 1, 2].map((i) => ({
    ts: T0 + i * 1000,
    host: "Coll-1",
    metric: "m",
    labels: `i=${i}`,
    value: i + 0.5,
  })));
  const want = "n,d,s\n3,3,4.5\n";
  assert.equal(await csv(root, COUNTS), want);
  assert.equal(await csv(root, COUNTS, "--no-buffered"), "n,d,s\n0,0,\n");
  // host folded as Parquet stores it; rollups are untouched, as in /api/query
  assert.equal(await csv(root, "SELECT DISTINCT host FROM samples"), "host\ncoll-1\n");
  assert.equal(await csv(root, "SELECT count(*) AS n FROM rollup_1m"), "n\n0\n");
  spool.close();
  const segments = keep(listSegments(root).map((s) => s.path));
  replaySpool(root); // the collector's flush: part-<segment id> files, then the segment deleted
  assert.equal(await csv(root, COUNTS), want);
  // the moment between the two: the file is in place and the segment is still there
  restore(segments);
  assert.equal(await csv(root, COUNTS), want);
  assert.equal(await csv(root, COUNTS, "--no-buffered"), want);
  // any statement, not only a SELECT: the views are the listing's
  assert.match(await csv(root, "DESCRIBE samples"), /^column_name,column_type/);
});

Deno.test("query reads serve's ingest spool, then each row once across its flush", async () => {
  const root = Deno.makeTempDirSync();
  const writer = new IngestWriter({ root, sync: false, now: () => T0, flushEveryMs: 3_600_000 });
  try {
    writer.writeBatch({
      ts: [T0, T0 + 1000, T0 + 2000, T0 + 3000],
      host: ["edge-1", "edge-1", "edge-1", "edge-1"],
      metric: ["q", "q", "q", "q"],
      labels: ["a=1", "a=2", "a=3", "a=4"],
      value: [1, 2, NaN, 4],
    });
    // a second process sees what this writer acknowledged: the NaN is no row, as in Parquet
    const want = "n,d,s\n3,3,7\n";
    assert.equal(await csv(root, COUNTS), want);
    assert.equal(await csv(root, COUNTS, "--no-buffered"), "n,d,s\n0,0,\n");
    const segments = keep(listIngestSegments(root).map((s) => s.path));
    const plan = `${root}/spool_ingest/plan.json`;
    assert.equal(writer.flush(), 3);
    assert.equal(await csv(root, COUNTS), want);
    // a flush cut between the file's rename and the segment's deletion (as after a kill):
    // the plan names the file, the listing holds it, so the segment's rows are left out
    const [part] = [...Deno.readDirSync(`${root}/metrics/host=edge-1/date=2024-01-15`)];
    const id = Number(/^part-(\d+)/.exec(part!.name)![1]);
    restore(segments);
    const segment = listIngestSegments(root).find((s) => s.format === "binary")!.id;
    Deno.writeTextFileSync(
      plan,
      JSON.stringify([{ host: "edge-1", date: "2024-01-15", id, segments: [segment], done: true }]),
    );
    assert.equal(await csv(root, COUNTS), want);
    // and without that plan entry the file is of another segment: both would count
    Deno.removeSync(plan);
    assert.equal(await csv(root, COUNTS), "n,d,s\n6,3,14\n");
  } finally {
    writer.close();
  }
});

Deno.test("an ingest segment retired while read makes the snapshot stale, then it settles", async () => {
  const root = Deno.makeTempDirSync();
  const writer = new IngestWriter({ root, sync: false, now: () => T0, flushEveryMs: 3_600_000 });
  writer.writeBatch({ ts: [T0], host: ["h"], metric: ["q"], labels: [""], value: [1] });
  const read = readIngestSpool(root);
  assert.equal(read.segments.length, 1);
  assert.equal(stale(read), false);
  writer.flush(); // the generation is in Parquet: its segment is deleted
  assert.equal(stale(read), true);
  assert.notEqual(diskBufferedSnapshot(root, EVERY_ROW, { ingest: true }), undefined);
  writer.close();
  // the statement runs on a snapshot that settled, after those that did not
  const lake = await openLake({ root });
  try {
    let calls = 0;
    const take = () =>
      ++calls < 3 ? undefined : diskBufferedSnapshot(root, EVERY_ROW, { ingest: true });
    const got = await tableWithBuffered(lake, "SELECT count(*) AS n FROM samples", take);
    assert.deepEqual([got.rows, calls], [[[1]], 3]);
    await assert.rejects(tableWithBuffered(lake, "SELECT 1", () => undefined), {
      name: "LakeError",
      message: /spool kept changing/,
    });
    // the lake's own views are as they were (the statement's views were temporary)
    assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: 1 }]);
  } finally {
    lake.close();
  }
});

Deno.test("query races the writers of another process: never a row twice, every row at the end", async () => {
  const root = Deno.makeTempDirSync();
  const stop = `${Deno.makeTempDirSync()}/stop`;
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      new URL("./_spool_writers_child.ts", import.meta.url).pathname,
      root,
      stop,
      String(T0),
    ],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const output = child.output();
  try {
    const sql = "SELECT metric, count(*) AS n, count(DISTINCT ts) AS d FROM samples " +
      "GROUP BY ALL ORDER BY ALL";
    let seen = 0;
    for (let i = 0; i < 25; i++) {
      const rows = (await csv(root, sql)).trim().split("\n").slice(1).map((l) => l.split(","));
      for (const [metric, n, d] of rows) assert.equal(n, d, `read ${i}: ${metric} counted twice`);
      seen = Math.max(seen, rows.length);
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(seen, 2, "both writers' rows were read");
  } finally {
    Deno.writeTextFileSync(stop, "");
  }
  const { code, stdout, stderr } = await output;
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const wrote = JSON.parse(new TextDecoder().decode(stdout)) as Record<string, number>;
  assert.equal(
    await csv(root, "SELECT metric, count(*) AS n FROM samples GROUP BY ALL ORDER BY ALL"),
    `metric,n\ncollected,${wrote.collected}\npushed,${wrote.ingest}\n`,
  );
});
