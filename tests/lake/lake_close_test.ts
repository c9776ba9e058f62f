/**
 * `Lake.close()` while reads run: every read settles (its answer, or a {@linkcode LakeClosed}),
 * close itself ends once DuckDB has let go of the statements, and a read after it is refused.
 * Real DuckDB, a real ingest writer's buffer behind the buffered reads, both hand-overs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { IngestWriter, type Lake, LakeClosed, LakeError, openLake } from "../../lake/mod.ts";

const NOW = Date.UTC(2026, 0, 10);
const HOUR = 3_600_000;
/** Hours of work in DuckDB unless interrupted. */
const ENDLESS = "SELECT count(*) AS n FROM range(1000000000000) t(x) WHERE x % 7 = 3";

/** Fails instead of hanging: the defect was a promise that never settled. */
async function settles<T>(what: string, p: Promise<T> | void): Promise<PromiseSettledResult<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      Promise.allSettled([p as Promise<T>]).then(([r]) => r!),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} never settled`)), 30_000);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** A settled read: its answer, or the lake's refusal because it closed (nothing else). */
function answeredOrClosed(r: PromiseSettledResult<unknown>, what: string): void {
  if (r.status === "fulfilled") return;
  assert.ok(r.reason instanceof LakeClosed, `${what}: ${r.reason}`);
  assert.ok(r.reason instanceof LakeError);
  assert.match(r.reason.message, /^Lake closed/);
}

/** A writer holding `n` rows of one metric over the last hour, 50 series. */
function bufferedWriter(root: string, n: number): IngestWriter {
  const writer = new IngestWriter({
    root,
    sync: false,
    now: () => NOW,
    maxBufferedRows: 1_000_000,
    flushRows: 1_000_000,
    flushEveryMs: HOUR,
  });
  for (let at = 0; at < n; at += 100_000) {
    const m = Math.min(100_000, n - at);
    const idx = Array.from({ length: m }, (_, i) => at + i);
    writer.writeBatch({
      ts: idx.map((i) => NOW - HOUR + (i % HOUR)),
      host: idx.map(() => "h"),
      metric: idx.map(() => "m"),
      labels: idx.map((i) => `k=${i % 50}`),
      value: idx.map((i) => i % 97),
    }, { now: NOW });
  }
  return writer;
}

Deno.test("Lake.close() during a query or table ends it with LakeClosed, and close resolves", async () => {
  const root = await Deno.makeTempDir();
  try {
    for (const read of ["query", "table"] as const) {
      const lake = await openLake({ root });
      const running = settles<unknown>(
        read,
        read === "query" ? lake.query(ENDLESS) : lake.table(ENDLESS),
      );
      await new Promise((r) => setTimeout(r, 100)); // in DuckDB by now, usually
      await settles("close()", lake.close());
      const r = await running;
      assert.equal(r.status, "rejected");
      answeredOrClosed(r, read);
      // a read after close is refused at once, not sent to a closed connection
      const after = await settles("a read after close", lake.query("SELECT 1 AS one"));
      answeredOrClosed(after, "after");
      assert.equal(after.status, "rejected");
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("Lake.close() with nothing running closes at once and twice is harmless", async () => {
  const root = await Deno.makeTempDir();
  try {
    const lake = await openLake({ root });
    assert.deepEqual(await lake.query("SELECT 1 AS one"), [{ one: 1 }]);
    await lake.close();
    await lake.close();
    await assert.rejects(lake.series({ metric: "m", from: 0, to: 1000 }), LakeClosed);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

for (const handover of ["scan", "tables"] as const) {
  Deno.test(`Lake.close() during buffered reads (handover ${handover}): each read settles, close resolves`, async () => {
    const root = await Deno.makeTempDir();
    const writer = bufferedWriter(root, 200_000);
    try {
      const from = NOW - HOUR, to = NOW;
      const reads: [string, (lake: Lake) => Promise<unknown>][] = [
        ["series", (l) => l.series({ metric: "m", labels: "k=1", from, to, tier: "raw" })],
        ["series (tier picked)", (l) => l.series({ metric: "m", labels: "k=1", from, to })],
        ["seriesMany", (l) => l.seriesMany({ metric: "m", from, to })],
        [
          "query",
          (l) => l.query("SELECT count(*) AS n FROM samples", [], { buffered: { from, to } }),
        ],
        ["metrics", (l) => l.metrics()],
      ];
      // from before the read reaches DuckDB to well into its scan of the buffered copy
      for (const delay of [0, 1, 10, 50, 200]) {
        for (const [name, read] of reads) {
          const lake = await openLake({ root, handover });
          lake.includeBuffered(writer);
          const running = settles(`${name} closed after ${delay} ms`, read(lake));
          if (delay > 0) await new Promise((r) => setTimeout(r, delay));
          await settles(`close() ${delay} ms into ${name}`, lake.close());
          answeredOrClosed(await running, name);
        }
      }
      // several at once on one lake
      const lake = await openLake({ root, handover });
      lake.includeBuffered(writer);
      const running = reads.map(([name, read]) => settles(name, read(lake)));
      await new Promise((r) => setTimeout(r, 20));
      await settles("close() during five reads", lake.close());
      for (const [i, p] of running.entries()) answeredOrClosed(await p, reads[i]![0]);
    } finally {
      writer.close();
      await Deno.remove(root, { recursive: true });
    }
  });
}
