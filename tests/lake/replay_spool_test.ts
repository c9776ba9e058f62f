import assert from "node:assert/strict";
import {
  listSegments,
  openLake,
  replaySpool,
  replaySpoolAsync,
  ReplayStopped,
  SpoolWriter,
} from "../../lake/mod.ts";
import { fillCollectorSpool } from "../_collect_spool_fill.ts";

const FROM = Date.UTC(2024, 0, 1, 23, 50); // segments that cross midnight: two dates a segment

async function count(root: string): Promise<{ n: number; distinct: number }> {
  if (files(root) === 0) return { n: 0, distinct: 0 };
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: number; distinct: number }>(
      "SELECT count(*) AS n, count(DISTINCT (ts, metric, labels)) AS distinct FROM samples",
    );
    return { n: Number(row!.n), distinct: Number(row!.distinct) };
  } finally {
    await lake.close();
  }
}

/** Parquet files in the lake's raw tree. */
function files(root: string): number {
  let n = 0;
  try {
    for (const h of Deno.readDirSync(`${root}/metrics`)) {
      for (const d of Deno.readDirSync(`${root}/metrics/${h.name}`)) {
        n += Deno.readDirSync(`${root}/metrics/${h.name}/${d.name}`).toArray()
          .filter((f) => f.name.endsWith(".parquet")).length;
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return n;
}

/** A signal that reads as aborted from its `after`-th look on (the replay looks once a step). */
function abortsAfter(after: number): AbortSignal {
  let looks = 0;
  return {
    get aborted() {
      return ++looks > after;
    },
  } as AbortSignal;
}

Deno.test("replaySpoolAsync() stopped at any step leaves the rest spooled, and the next replay writes every row once", async () => {
  for (const after of [0, 1, 3, 7, 12]) {
    const root = await Deno.makeTempDir();
    const { rows } = fillCollectorSpool(root, { from: FROM, segments: 4, snapshots: 300 });
    const stopped = await replaySpoolAsync(root, { signal: abortsAfter(after), turnMs: 0 })
      .then(() => undefined, (e) => e);
    assert.ok(stopped instanceof ReplayStopped, `after ${after}: ${stopped}`);
    assert.equal(stopped.segments, listSegments(root).length);
    const first = (await count(root)).n;
    // (a stop after the last file leaves its segment, with nothing in it left to write)
    assert.ok(stopped.bytes > 0, `after ${after}: ${stopped.bytes}`);
    const again = replaySpool(root);
    assert.deepEqual(listSegments(root), []);
    assert.deepEqual(await count(root), { n: rows, distinct: rows }, `after ${after}`);
    assert.equal(first + again, rows, `after ${after}`);
  }
});

Deno.test("replaySpoolAsync() stopped after one file of a segment says what stays: the segment, and the next replay skips that file", async () => {
  const root = await Deno.makeTempDir();
  // one segment, one host, two dates: two files; stopped after the first
  const { rows } = fillCollectorSpool(root, { from: FROM, segments: 1, snapshots: 1200 });
  const [segment] = listSegments(root);
  const signal = {
    get aborted() {
      return files(root) > 0;
    },
  } as AbortSignal;
  const stopped = await replaySpoolAsync(root, { signal, turnMs: 0 })
    .catch((e) => e) as ReplayStopped;
  assert.ok(stopped instanceof ReplayStopped);
  assert.equal(files(root), 1);
  assert.deepEqual(listSegments(root), [segment]);
  assert.deepEqual([stopped.segments, stopped.bytes], [1, Deno.statSync(segment!.path).size]);
  assert.match(stopped.message, /^Spool replay stopped: 1 segments \(\d+\.\d MiB\) stay spooled$/);
  // 600 snapshots of 300 values went before midnight, one in ten of series 0 without a value
  const before = (await count(root)).n;
  assert.equal(before, 600 * 300 - 60);
  assert.equal(replaySpool(root), rows - before);
  assert.deepEqual(await count(root), { n: rows, distinct: rows });
});

Deno.test("replaySpoolAsync() turns the event loop during a long replay, and without a stop replays it all", async () => {
  const root = await Deno.makeTempDir();
  const { rows } = fillCollectorSpool(root, { from: FROM, segments: 3, snapshots: 600 });
  let ticks = 0;
  const timer = setInterval(() => ticks++, 0);
  try {
    assert.equal(await replaySpoolAsync(root, { turnMs: 0 }), rows);
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 3, `timers ran ${ticks} times`);
  assert.deepEqual(await count(root), { n: rows, distinct: rows });
});

Deno.test("replaySpoolAsync() with a signal aborted before it and no spool replays nothing and does not throw", async () => {
  const root = await Deno.makeTempDir();
  assert.equal(await replaySpoolAsync(root, { signal: AbortSignal.abort() }), 0);
  new SpoolWriter(root, 1000).close();
  await assert.rejects(
    () => replaySpoolAsync(root, { signal: AbortSignal.abort() }),
    ReplayStopped,
  );
  assert.equal(listSegments(root).length, 1);
});
