import assert from "node:assert/strict";
import { IngestSpoolCursor, pruneOutbox, readPosition, savePosition } from "../../export/mod.ts";
import {
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
