/**
 * `IngestWriter.open()` stopped by its signal during the replay of a leftover spool, at many
 * points (between requests, between the files of a flush): what it wrote plus what it says stays
 * spooled is every sample, and the next open writes the rest, none twice. Real spool segments
 * (the writer's own encoder), real Parquet, read back through a real lake.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IngestReplayStopped, IngestWriter } from "../../lake/mod.ts";
import { listIngestSegments } from "../../lake/ingest_spool.ts";
import { fillIngestSpool } from "../_ingest_spool_fill.ts";
import { countSamples } from "../_count_samples.ts";

const FROM = Date.UTC(2026, 0, 10);
const ROWS = 40_000;
/** A flush after each segment, written one file a turn. */
const WRITER = { sync: false, now: () => FROM + 86_400_000, flushRows: 10_000, flushPartitions: 1 };

/** Aborts after `turns` turns of the event loop (the replay yields one between its steps). */
function abortAfter(turns: number): AbortSignal {
  const controller = new AbortController();
  const tick = () => --turns <= 0 ? controller.abort() : setTimeout(tick, 0);
  setTimeout(tick, 0);
  return controller.signal;
}

Deno.test("IngestWriter.open() stopped at any point of the replay leaves the rest spooled, and the next open writes it once", async () => {
  for (const turns of [1, 2, 5, 9, 17, 30, 60]) {
    const root = await Deno.makeTempDir({ prefix: "perfscope-replay-stop-" });
    try {
      fillIngestSpool(root, ROWS, { from: FROM, segmentRows: 10_000, recordRows: 2_500 });
      let left = 0;
      try {
        const writer = await IngestWriter.open({ root, ...WRITER, signal: abortAfter(turns) });
        writer.close(); // the replay ended first
      } catch (error) {
        if (!(error instanceof IngestReplayStopped)) throw error;
        left = error.rows;
        assert.equal(error.segments, listIngestSegments(root).length);
        assert.match(error.message, new RegExp(`^Ingest spool replay stopped: ${left} samples`));
      }
      assert.equal(await countSamples(root) + left, ROWS, `stopped after ${turns} turns`);
      if (left > 0) assert.ok(listIngestSegments(root).length > 0);
      const again = await IngestWriter.open({ root, ...WRITER });
      again.close();
      assert.equal(await countSamples(root), ROWS, `reopened after ${turns} turns`);
      assert.deepEqual(listIngestSegments(root), []);
    } finally {
      await Deno.remove(root, { recursive: true });
    }
  }
});

Deno.test("IngestWriter.open() with a signal aborted already writes nothing and leaves the spool whole", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-replay-stop-" });
  try {
    const segments = fillIngestSpool(root, 20_000, { from: FROM, segmentRows: 10_000 });
    const before = listIngestSegments(root);
    const signal = AbortSignal.abort();
    const stopped = await IngestWriter.open({ root, ...WRITER, signal }).catch((e) => e);
    assert.ok(stopped instanceof IngestReplayStopped);
    assert.deepEqual([stopped.rows, stopped.segments], [20_000, segments]);
    assert.deepEqual(listIngestSegments(root), before);
    assert.equal(await countSamples(root), 0);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("IngestWriter.open() without a leftover spool opens as the constructor does", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-replay-stop-" });
  try {
    const writer = await IngestWriter.open({ root, ...WRITER, signal: AbortSignal.abort() });
    const body = new TextEncoder().encode(`{"ts":${FROM},"host":"h","metric":"m","value":1}\n`);
    assert.equal(writer.write(body).ts.length, 1);
    writer.close();
    assert.equal(await countSamples(root), 1);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("IngestWriter.open() stopped during the replay of one large request leaves that request spooled whole, and the next open writes it once", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-replay-stop-" });
  try {
    // one request of 250,000 samples whose hosts change sample after sample (the slowest to
    // replay): a stop must not wait for its end
    const rows = 250_000;
    fillIngestSpool(root, rows, {
      from: FROM,
      segmentRows: rows,
      recordRows: rows,
      mixHosts: true,
    });
    let turns = 0;
    const controller = new AbortController();
    const timer = setInterval(() => ++turns === 2 && controller.abort(), 0);
    let stopped: unknown;
    try {
      stopped = await IngestWriter.open({ root, ...WRITER, signal: controller.signal })
        .then((w) => w.close(), (e) => e);
    } finally {
      clearInterval(timer);
    }
    assert.ok(stopped instanceof IngestReplayStopped, String(stopped));
    assert.deepEqual([stopped.rows, stopped.segments], [rows, 1]);
    assert.equal(await countSamples(root), 0);
    const again = await IngestWriter.open({ root, ...WRITER });
    again.close();
    assert.equal(await countSamples(root), rows);
    assert.deepEqual(listIngestSegments(root), []);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
