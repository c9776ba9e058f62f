import assert from "node:assert/strict";
import {
  IngestSpoolCursor,
  type IngestSpoolRead,
  pruneOutbox,
  readPosition,
  savePosition,
} from "../../export/mod.ts";
import {
  INGEST_SPOOL_MAGIC,
  type IngestBatch,
  ingestSpoolDir,
  IngestWriter,
  listIngestOutbox,
  listIngestSegments,
  retireIngestSegment,
} from "../../lake/mod.ts";

const T0 = Date.UTC(2024, 0, 1);

function batch(...values: number[]): IngestBatch {
  return {
    ts: values.map((v) => T0 + v * 1000),
    host: values.map(() => "app"),
    metric: values.map(() => "orders_per_second"),
    labels: values.map(() => "service=shop"),
    value: values,
  };
}

function writer(root: string, clock: { now: number }): IngestWriter {
  return new IngestWriter({ root, sync: false, now: () => clock.now, flushEveryMs: 3_600_000 });
}

const values = (batches: IngestBatch[]) => batches.flatMap((b) => b.value);

Deno.test("an ingest cursor reads on from a saved position across flushed generations kept in the outbox", () => {
  const root = Deno.makeTempDirSync();
  savePosition(root, "a", { segment: 0, offset: 0 }, {}, "ingest");
  const clock = { now: T0 + 60_000 };
  const w = writer(root, clock);
  w.writeBatch(batch(1, 2));
  w.writeBatch(batch(3));
  const first = new IngestSpoolCursor(root).read(1 << 20);
  assert.deepEqual(values(first.batches), [1, 2, 3]);
  w.writeBatch(batch(4));
  clock.now += 1000;
  w.flush(); // the generation is in Parquet: its segment waits in the outbox for reader "a"
  w.writeBatch(batch(5));
  assert.equal(listIngestOutbox(root).length, 1);
  // a restart: a new cursor from the saved position reads only the rest, in order
  const cursor = new IngestSpoolCursor(root, first.end);
  const rest = cursor.read(1 << 20);
  assert.deepEqual(values(rest.batches), [4, 5]);
  assert.equal(rest.full, false);
  savePosition(root, "a", cursor.position, {}, "ingest");
  assert.deepEqual(readPosition(root, "a", "ingest"), cursor.position);
  assert.equal(pruneOutbox(root, "ingest"), 1);
  assert.deepEqual(listIngestOutbox(root), []);
  cursor.close();
  w.close();
});

Deno.test("an ingest cursor learns a segment's series from the records before its position", () => {
  const root = Deno.makeTempDirSync();
  const w = writer(root, { now: T0 + 60_000 });
  w.writeBatch(batch(1));
  const first = new IngestSpoolCursor(root).read(1 << 20);
  // the second record uses the series the first one defined, without defining it again
  w.writeBatch(batch(2));
  const again = new IngestSpoolCursor(root, first.end).read(1 << 20);
  assert.deepEqual(again.batches, [batch(2)]);
  w.close();
});

Deno.test("an ingest cursor stops at its byte budget and says more is waiting", () => {
  const root = Deno.makeTempDirSync();
  const w = writer(root, { now: T0 + 60_000 });
  for (let i = 1; i <= 10; i++) w.writeBatch(batch(i));
  const cursor = new IngestSpoolCursor(root);
  const part = cursor.read(1);
  assert.deepEqual(values(part.batches), [1]);
  assert.equal(part.full, true);
  assert.deepEqual(values(cursor.read(1 << 20).batches), [2, 3, 4, 5, 6, 7, 8, 9, 10]);
  cursor.close();
  w.close();
});

Deno.test("a torn last record (kill -9 while appending) is passed over once a newer segment exists", () => {
  const root = Deno.makeTempDirSync();
  const clock = { now: T0 + 60_000 };
  const w1 = writer(root, clock);
  w1.writeBatch(batch(1));
  const [seg] = listIngestSegments(root);
  // the segment a killed writer left: a whole record, then half of one (its write(2) cut short)
  const torn = `${ingestSpoolDir(root)}/000000000000001.ispool`;
  Deno.writeFileSync(torn, Deno.readFileSync(seg!.path));
  w1.close();
  const file = Deno.openSync(torn, { append: true });
  file.writeSync(new Uint8Array([0x49, 0x53, 0x52, 0x31, 200, 0, 0, 0, 1, 2]));
  file.close();
  const cursor = new IngestSpoolCursor(root);
  assert.deepEqual(values(cursor.read(1 << 20).batches), [1]);
  assert.deepEqual(cursor.read(1 << 20).batches, []);
  // the next start replays that segment and opens a newer one
  clock.now += 5000;
  const w2 = writer(root, clock);
  w2.writeBatch(batch(2));
  assert.deepEqual(values(cursor.read(1 << 20).batches), [2]);
  assert.equal(cursor.droppedSegments, 0);
  cursor.close();
  w2.close();
});

Deno.test("a damaged record ends its segment for the cursor and is counted as a dropped segment", () => {
  const root = Deno.makeTempDirSync();
  const clock = { now: T0 + 60_000 };
  const w = writer(root, clock);
  w.writeBatch(batch(1));
  w.writeBatch(batch(2));
  const [seg] = listIngestSegments(root);
  const bytes = Deno.readFileSync(seg!.path);
  bytes[bytes.length - 1]! ^= 0xff; // the second record's checksum no longer matches
  Deno.writeFileSync(`${ingestSpoolDir(root)}/000000000000001.ispool`, bytes);
  const cursor = new IngestSpoolCursor(root, { segment: 1, offset: 0 });
  assert.deepEqual(values(cursor.read(1 << 20).batches), [1, 1, 2]);
  assert.equal(cursor.droppedSegments, 1);
  cursor.close();
  w.close();
});

Deno.test("the ingest outbox cap deletes the oldest segments, and a reader whose segment went counts it", () => {
  const root = Deno.makeTempDirSync();
  savePosition(root, "a", { segment: 0, offset: 0 }, {}, "ingest");
  const clock = { now: T0 + 60_000 };
  const w = writer(root, clock);
  w.writeBatch(batch(1));
  const cursor = new IngestSpoolCursor(root);
  const read = cursor.read(1 << 20);
  cursor.close();
  w.writeBatch(batch(2));
  w.close(); // all in Parquet: the segment moves to the outbox
  const [kept] = listIngestOutbox(root);
  assert.ok(kept);
  const clock2 = { now: clock.now + 5000 };
  const w2 = writer(root, clock2);
  w2.writeBatch(batch(3));
  // a cap of 1 byte deletes every segment kept so far (the reader had sent none whole)
  const unsent = listIngestOutbox(root);
  const lines: string[] = [];
  Deno.writeFileSync(`${root}/x.ispool`, new Uint8Array(1));
  retireIngestSegment(root, `${root}/x.ispool`, {
    outboxMaxBytes: 1,
    onDrop: (l) => lines.push(l),
  });
  assert.deepEqual(listIngestOutbox(root).filter((s) => s.id === kept.id), []);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, new RegExp(`deleted its ${unsent.length} oldest segments`));
  const again = new IngestSpoolCursor(root, read.end);
  assert.deepEqual(values(again.read(1 << 20).batches), [3]);
  assert.equal(again.droppedSegments, unsent.length);
  // the bytes after the position in its own segment, and the whole of the later ones
  const sizes = unsent.reduce((a, s) => a + s.bytes, 0);
  assert.equal(again.droppedBytes, sizes - read.end.offset);
  again.close();
  w2.close();
});

Deno.test("without a registered ingest reader a segment in Parquet is deleted, as before", () => {
  const root = Deno.makeTempDirSync();
  const w = writer(root, { now: T0 + 60_000 });
  w.writeBatch(batch(1));
  w.close();
  assert.deepEqual(listIngestOutbox(root), []);
  assert.deepEqual(listIngestSegments(root), []);
});

/** A request of 50 series of one service at second `n` (values n*100+i). */
function wide(n: number, service = "shop"): IngestBatch {
  const rows = Array.from({ length: 50 }, (_, i) => i);
  return {
    ts: rows.map(() => T0 + n * 1000),
    host: rows.map(() => "app"),
    metric: rows.map((i) => `m${i}`),
    labels: rows.map(() => `service=${service}`),
    value: rows.map((i) => n * 100 + i + 0.5),
  };
}

/**
 * An ingest segment of requests 1..400 (`late` uses series no earlier request defined), with a
 * second segment behind it; a cursor reads the first `sent` requests (what a sender delivered
 * and saved), then a byte of request `bad`'s record is flipped (its checksum no longer matches)
 * and a new cursor resumes from the saved position.
 */
function resumeAfterDamage(sent: number, bad: number, late?: number) {
  const root = Deno.makeTempDirSync();
  savePosition(root, "a", { segment: 0, offset: 0 }, {}, "ingest");
  const clock = { now: T0 + 3_600_000 };
  const w = writer(root, clock);
  const starts: number[] = []; // where each request's record starts
  let saved: IngestSpoolRead | undefined;
  for (let n = 1; n <= 400; n++) {
    const path = listIngestSegments(root)[0]?.path;
    starts[n] = path ? Deno.statSync(path).size : 0;
    w.writeBatch(wide(n, n === late ? "late" : "shop"));
    if (n === sent) {
      const first = new IngestSpoolCursor(root);
      saved = first.read(1 << 24);
      first.close();
    }
  }
  const [seg] = listIngestSegments(root);
  assert.ok(saved && seg);
  starts[1] = INGEST_SPOOL_MAGIC.length; // the file did not exist before the first request
  assert.equal(values(saved.batches).at(-1), sent * 100 + 49.5);
  assert.equal(saved.end.offset, starts[sent + 1] ?? Deno.statSync(seg.path).size);
  // the writer moves on to a newer segment (the old one waits in the outbox for reader "a"),
  // then the old one is damaged
  w.close();
  clock.now += 5000;
  const w2 = writer(root, clock);
  w2.writeBatch(batch(7));
  const [kept] = listIngestOutbox(root);
  assert.equal(kept?.id, seg.id);
  const bytes = Deno.readFileSync(kept.path);
  assert.ok(bytes.length > 64 * 1024);
  bytes[starts[bad]! + 40]! ^= 0x40;
  Deno.writeFileSync(kept.path, bytes);
  const cursor = new IngestSpoolCursor(root, saved.end);
  const read = cursor.read(1 << 24);
  const result = {
    values: values(read.batches),
    dropped: cursor.droppedSegments,
    damageBefore: saved.end.offset - starts[bad]!,
  };
  cursor.close();
  w2.close();
  return result;
}

const sent = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, k) => wide(from + k).value).flat();

Deno.test("an ingest cursor resuming after damage more than 64 KiB before its position passes over it, counts it, and reads on without sending anything twice", () => {
  const got = resumeAfterDamage(300, 20);
  assert.ok(got.damageBefore > 64 * 1024, `${got.damageBefore}`);
  assert.deepEqual(got.values, [...sent(301, 400), 7]);
  assert.equal(got.dropped, 1);
});

Deno.test("an ingest cursor resuming after damage in the record just before its position reads on from it", () => {
  const got = resumeAfterDamage(300, 300);
  assert.deepEqual(got.values, [...sent(301, 400), 7]);
  assert.equal(got.dropped, 1);
});

Deno.test("after damage an ingest cursor stops at a record with series it cannot number, and counts the segment once", () => {
  // request 1 defined the series the later ones use: none can be read as another series
  const lost = resumeAfterDamage(300, 1);
  assert.deepEqual(lost.values, [7]);
  assert.equal(lost.dropped, 1);
  // request 350 defines new series; the damaged records may have defined some too
  const fresh = resumeAfterDamage(300, 20, 350);
  assert.deepEqual(fresh.values, [...sent(301, 349), 7]);
  assert.equal(fresh.dropped, 1);
});
