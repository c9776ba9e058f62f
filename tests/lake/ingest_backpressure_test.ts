import assert from "node:assert/strict";
import {
  IngestBusy,
  IngestWriter,
  type IngestWriterOptions,
  openLake,
  parseIngestLines,
  type Quarantined,
  visibleFiles,
} from "../../lake/mod.ts";
import { IngestSpoolSegment, listIngestSegments } from "../../lake/ingest_spool.ts";
import { IngestSpoolEncoder } from "../../lake/ingest_spool_format.ts";
import { quarantineDir } from "../../lake/quarantine.ts";

const T0 = Date.UTC(2024, 0, 1);
const enc = new TextEncoder();
const NOW = () => T0 + 3_600_000;

function body(host: string, from: number, n: number): Uint8Array {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    lines.push(JSON.stringify({
      ts: T0 + from + i,
      host,
      metric: `m${i % 7}`,
      labels: { k: String(i % 3) },
      value: (from + i) / 4,
    }));
  }
  return enc.encode(lines.join("\n"));
}

async function count(root: string): Promise<{ n: number; distinct: number }> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: bigint; d: bigint }>(
      "SELECT count(*) AS n, count(DISTINCT (host, metric, labels, ts)) AS d FROM samples",
    );
    return { n: Number(row!.n), distinct: Number(row!.d) };
  } finally {
    lake.close();
  }
}

function spoolBytes(root: string): number {
  return listIngestSegments(root).reduce((n, s) => n + s.bytes, 0);
}

function busy(error: unknown): error is IngestBusy {
  return error instanceof Error && error.name === "IngestBusy";
}

/** A writer on `root` without fsync, at the test's fixed clock, with more `options`. */
function writerOn(root: string, options: Omit<IngestWriterOptions, "root"> = {}): IngestWriter {
  return new IngestWriter({ root, sync: false, now: NOW, ...options });
}

Deno.test("IngestWriter refuses a request past its row budget with IngestBusy, writing nothing, and takes requests again after a flush", async () => {
  const root = await Deno.makeTempDir();
  const w = writerOn(root, {
    flushEveryMs: 3_600_000,
    flushRows: 1_000_000,
    maxBufferedRows: 1_000,
  });
  w.write(body("a", 0, 600));
  const before = spoolBytes(root);
  let refusal: unknown;
  try {
    w.write(body("a", 600, 600)); // 1,200 would pass 1,000
  } catch (error) {
    refusal = error;
  }
  assert.ok(busy(refusal), `expected IngestBusy, got ${refusal}`);
  assert.ok(refusal instanceof IngestBusy);
  assert.equal(refusal.reason, "buffer");
  assert.ok(refusal.retryAfterSeconds >= 1 && Number.isInteger(refusal.retryAfterSeconds));
  assert.match(refusal.message, /Ingest is behind: 600 samples wait for Parquet and 600 more/);
  assert.equal(w.buffered, 600);
  assert.equal(spoolBytes(root), before); // nothing of the refused request was spooled
  // the receivers' path refuses the same way
  const columns = { ts: [T0], host: ["a"], metric: ["m"], labels: [""], value: [1] };
  w.write(body("a", 10_000, 400)); // exactly the budget
  assert.throws(() => w.writeBatch(columns), (e: unknown) => busy(e) && e.reason === "buffer");
  assert.throws(() => w.check(), (e: unknown) => busy(e));
  assert.equal(w.stats.refused, 3);
  assert.equal(w.stats.bufferedPeak, 1_000);
  assert.equal(w.flush(), 1_000);
  w.write(body("a", 600, 600));
  assert.equal(w.writeBatch(columns).ts.length, 1);
  w.close();
  assert.deepEqual(await count(root), { n: 1_601, distinct: 1_601 });
});

Deno.test("IngestWriter refuses a request that would pass the spool's disk budget, naming it", async () => {
  const root = await Deno.makeTempDir();
  const w = writerOn(root, {
    flushEveryMs: 3_600_000,
    maxSpoolBytes: 4_096,
  });
  let accepted = 0;
  let refusal: unknown;
  for (let k = 0; k < 50 && refusal === undefined; k++) {
    try {
      accepted += w.write(body("a", k * 100, 100)).ts.length;
    } catch (error) {
      refusal = error;
    }
  }
  assert.ok(busy(refusal) && refusal.reason === "spool", `got ${refusal}`);
  assert.match(
    (refusal as Error).message,
    /^Ingest spool is full: \d+ bytes on disk and \d+ more would pass its budget of 4096$/,
  );
  assert.ok(spoolBytes(root) <= 4_096, `${spoolBytes(root)} bytes on disk`);
  assert.equal(w.stats.spoolBytes, spoolBytes(root));
  // once flushed, the segments go and the budget is free again
  w.flush();
  assert.ok(spoolBytes(root) < 100);
  accepted += w.write(body("a", 100_000, 100)).ts.length;
  w.close();
  assert.equal((await count(root)).n, accepted);
});

for (const flushInWorker of [false, true]) {
  Deno.test(`IngestWriter under a stream of requests never holds more rows than its budget and stores every acknowledged one (${flushInWorker ? "files written on the flush thread" : "files written in turns of the event loop"})`, async () => {
    const root = await Deno.makeTempDir();
    const budget = 3_000;
    const w = writerOn(root, {
      flushRows: 1_000,
      maxBufferedRows: budget,
      flushPartitions: 1,
      flushBudgetMs: 0,
      flushInWorker,
      onError: (e) => {
        throw e;
      },
    });
    let acked = 0, refused = 0, peak = 0;
    for (let k = 0; k < 400; k++) {
      try {
        acked += w.write(body(k % 2 ? "a" : "b", k * 1_000, 250)).ts.length;
      } catch (error) {
        if (!busy(error)) throw error;
        refused++;
        await new Promise((r) => setTimeout(r, 5)); // a client waiting out Retry-After, in short
      }
      peak = Math.max(peak, w.buffered);
      // a request every turn, and the writer's flushes in the turns between some of them
      if (k % 20 === 0) await new Promise((r) => setTimeout(r, 0));
    }
    assert.ok(peak <= budget, `peak ${peak}`);
    assert.ok(w.stats.bufferedPeak <= budget);
    assert.ok(refused > 0, "the stream never met the budget: the test proves nothing");
    assert.equal(w.stats.refused, refused);
    assert.equal(w.stats.accepted, acked);
    // the writer's own flushes, not close(): on a loaded machine the flush thread may still be
    // loading when the stream ends, so its first file is waited for (bounded), not assumed
    for (let i = 0; i < 600 && w.stats.written === 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(w.stats.written > 0, "the writer's own flushes wrote nothing in 30 s");
    w.close();
    assert.deepEqual(await count(root), { n: acked, distinct: acked });
  });
}

Deno.test("IngestWriter replays a binary spool segment after a crash and quarantines a damaged one whole", async () => {
  const root = await Deno.makeTempDir();
  const w = writerOn(root, { flushEveryMs: 3_600_000 });
  w.write(body("a", 0, 10));
  w.write(body("a", 10, 10));
  w.write(body("a", 20, 10));
  const [seg] = listIngestSegments(root);
  assert.equal(seg!.format, "binary");
  // another process finds the spool as a kill -9 left it, with a byte of the last record flipped
  const bytes = Deno.readFileSync(seg!.path);
  const damaged = bytes.slice();
  damaged[bytes.length - 5] = damaged[bytes.length - 5]! ^ 0xff;
  const other = await Deno.makeTempDir();
  Deno.mkdirSync(`${other}/spool_ingest`);
  const name = seg!.path.slice(seg!.path.lastIndexOf("/") + 1);
  Deno.writeFileSync(`${other}/spool_ingest/${name}`, bytes);
  const copy = await Deno.makeTempDir();
  Deno.mkdirSync(`${copy}/spool_ingest`);
  Deno.writeFileSync(`${copy}/spool_ingest/${name}`, damaged);
  w.close();

  const quarantined: Quarantined[] = [];
  const sound = writerOn(other, {
    onQuarantine: (q) => quarantined.push(q),
  });
  sound.close();
  assert.equal((await count(other)).n, 30);
  assert.equal(quarantined.length, 0);
  assert.deepEqual(listIngestSegments(other), []);

  const hurt = writerOn(copy, {
    onQuarantine: (q) => quarantined.push(q),
  });
  // the damaged segment left the spool: the disk budget counts only what is still there
  assert.equal(hurt.stats.spoolBytes, spoolBytes(copy));
  hurt.close();
  const stored = (await count(copy)).n;
  assert.equal(stored, 20); // the two records before the damage
  assert.equal(quarantined.length, 1);
  assert.match(quarantined[0]!.reason, /^damaged ingest spool segment: its last \d+ bytes/);
  assert.deepEqual(Deno.readFileSync(`${quarantineDir(copy)}/ingest-${name}`), damaged);
  assert.deepEqual(listIngestSegments(copy), []);
});

Deno.test("IngestWriter writes a long leftover spool as it replays it, a segment at a time", async () => {
  const root = await Deno.makeTempDir();
  // four segments of 500 rows, as a crash under load leaves them
  for (let k = 0; k < 4; k++) {
    const seg = new IngestSpoolSegment(root, T0 + k);
    const encoder = new IngestSpoolEncoder();
    for (let r = 0; r < 5; r++) {
      seg.append(
        encoder.encode(parseIngestLines(body("a", (k * 5 + r) * 100, 100), { now: NOW() })),
      );
      encoder.commit();
    }
    seg.close();
  }
  const w = writerOn(root, { flushRows: 500 });
  // one file per segment: each was written before the next was read
  assert.equal(visibleFiles(root, "metrics").length, 4);
  assert.equal(w.buffered, 0);
  w.close();
  assert.deepEqual(listIngestSegments(root), []);
  assert.deepEqual(await count(root), { n: 2_000, distinct: 2_000 });
});

for (const flushInWorker of [false, true]) {
  Deno.test(`IngestWriter retires each generation's segments without listing the spool: its spool bytes stay those on disk, readers or not, after a replay too (${flushInWorker ? "flush thread" : "event loop"})`, async () => {
    const root = await Deno.makeTempDir();
    const { ingestReadersDir, listIngestOutbox } = await import("../../lake/ingest_spool.ts");
    let w = writerOn(root, { flushEveryMs: 3_600_000, flushInWorker });
    let accepted = 0;
    for (let g = 0; g < 6; g++) {
      // from the third generation on a reader is registered: segments go to the outbox
      if (g === 2) {
        Deno.mkdirSync(ingestReadersDir(root), { recursive: true });
        Deno.writeTextFileSync(`${ingestReadersDir(root)}/rw.json`, "{}");
      }
      for (let k = 0; k < 3; k++) accepted += w.write(body("a", (g * 3 + k) * 100, 100)).ts.length;
      assert.equal(w.stats.spoolBytes, spoolBytes(root));
      w.flush();
      assert.equal(w.stats.spoolBytes, spoolBytes(root), `generation ${g}`);
      assert.equal(listIngestSegments(root).length, 1); // only the open segment is left
    }
    assert.equal(listIngestOutbox(root).length, 4);
    // a crash image: the open segment and one more left behind, replayed by the next writer
    accepted += w.write(body("a", 90_000, 100)).ts.length;
    const copy = await Deno.makeTempDir();
    await new Deno.Command("cp", { args: ["-a", `${root}/.`, copy] }).output();
    w.close();
    w = writerOn(copy, { flushEveryMs: 3_600_000, flushInWorker });
    assert.equal(w.stats.spoolBytes, spoolBytes(copy));
    w.flush(); // the replay's flush is under way on the thread: waited for
    assert.equal(w.stats.spoolBytes, spoolBytes(copy));
    assert.equal(listIngestSegments(copy).length, 1);
    w.close();
    assert.equal((await count(copy)).n, accepted);
    assert.equal((await count(root)).n, accepted);
  });
}
