import assert from "node:assert/strict";
import {
  pruneOutbox,
  readPosition,
  savePosition,
  SpoolCursor,
  type SpoolRead,
} from "../../export/mod.ts";
import {
  hasSpoolReaders,
  listOutbox,
  retireSegment,
  SPOOL_MAGIC,
  SpoolWriter,
} from "../../lake/mod.ts";

function row(ts: number) {
  return { ts, host: "h", metric: "m", labels: "", value: ts };
}

Deno.test("a cursor reads on from a saved position across segments in the spool and the outbox", () => {
  const root = Deno.makeTempDirSync();
  savePosition(root, "a", { segment: 0, offset: 0 });
  assert.equal(hasSpoolReaders(root), true);
  const w1 = new SpoolWriter(root, 1000);
  w1.append([row(1000)]);
  w1.append([row(2000)]);
  const first = new SpoolCursor(root).read(1 << 20);
  assert.deepEqual(first.snapshots.map((s) => s.ts), [1000, 2000]);
  w1.append([row(3000)]);
  const w2 = new SpoolWriter(root, 4000);
  w2.append([row(4000)]);
  w1.retire(root); // flushed: kept in the outbox for reader "a"
  assert.deepEqual(listOutbox(root).map((s) => s.id), [1000]);
  // a restart: a new cursor from the saved position reads only the rest, in order
  const cursor = new SpoolCursor(root, first.end);
  assert.deepEqual(cursor.read(1 << 20).snapshots.map((s) => s.ts), [3000, 4000]);
  savePosition(root, "a", cursor.position);
  assert.deepEqual(readPosition(root, "a")!.segment, 4000);
  assert.equal(pruneOutbox(root), 1);
  assert.deepEqual(listOutbox(root), []);
  cursor.close();
  w2.close();
});

Deno.test("the outbox keeps a segment until every reader has passed it", () => {
  const root = Deno.makeTempDirSync();
  savePosition(root, "fast", { segment: 0, offset: 0 });
  savePosition(root, "slow", { segment: 0, offset: 0 });
  const w = new SpoolWriter(root, 1000);
  w.append([row(1000)]);
  w.retire(root);
  savePosition(root, "fast", { segment: 1001, offset: 0 });
  assert.equal(pruneOutbox(root), 0);
  savePosition(root, "slow", { segment: 1001, offset: 0 });
  assert.equal(pruneOutbox(root), 1);
});

Deno.test("the outbox cap deletes the oldest segments, and a reader whose segment went counts it as dropped", () => {
  const root = Deno.makeTempDirSync();
  savePosition(root, "a", { segment: 0, offset: 0 });
  const w1 = new SpoolWriter(root, 1000);
  w1.append([row(1000)]);
  const cursor = new SpoolCursor(root);
  const read = cursor.read(1 << 20);
  cursor.close();
  w1.append([row(2000)]);
  w1.close();
  const path2 = `${root}/spool/000000000005000.spool`;
  const w2 = new SpoolWriter(root, 5000);
  w2.append([row(5000)]);
  w2.close();
  // a cap of 1 byte: retiring the first segment deletes it at once
  retireSegment(root, w1.segment.path, { outboxMaxBytes: 1 });
  assert.deepEqual(listOutbox(root), []);
  const again = new SpoolCursor(root, read.end);
  assert.deepEqual(again.read(1 << 20).snapshots.map((s) => s.ts), [5000]);
  assert.equal(again.droppedSegments, 1);
  again.close();
  Deno.removeSync(path2);
});

Deno.test("without a registered reader a flushed segment is deleted, as before", () => {
  const root = Deno.makeTempDirSync();
  const w = new SpoolWriter(root, 1000);
  w.append([row(1000)]);
  w.retire(root);
  assert.deepEqual(listOutbox(root), []);
  assert.throws(() => Deno.statSync(w.segment.path));
});

/** Snapshot times in a read. */
const times = (snapshots: { ts: number }[]) => snapshots.map((s) => s.ts);

/** The 50 rows of snapshot `ts`. */
function wide(ts: number) {
  return Array.from({ length: 50 }, (_, i) => ({
    ts,
    host: "h",
    metric: "m",
    labels: `cpu=${i}`,
    value: ts * 100 + i,
  }));
}

/** Overwrites a record's kind field: the decoder takes it for damage. */
function damageRecordAt(path: string, at: number): void {
  const f = Deno.openSync(path, { write: true });
  f.seekSync(at + 4, Deno.SeekMode.Start);
  f.writeSync(new Uint8Array([0x7f, 0x7f, 0x7f, 0x7f]));
  f.close();
}

/**
 * A segment of 400 snapshots at ts 1..400 (50 series each, written by the real writer) with a
 * second segment behind it; a cursor reads the first `sent` snapshots (what a sender delivered
 * and saved), then the record of snapshot `bad` is damaged (0: the first series definition) and
 * a new cursor resumes from the saved position.
 */
function resumeAfterDamage(sent: number, bad: number) {
  const root = Deno.makeTempDirSync();
  const w = new SpoolWriter(root, 1000);
  const starts: number[] = []; // where each snapshot's record starts, by ts
  let part: SpoolRead | undefined;
  for (let ts = 1; ts <= 400; ts++) {
    const before = Deno.statSync(w.segment.path).size;
    w.append(wide(ts));
    const after = Deno.statSync(w.segment.path).size;
    // each record is 624 bytes (the first append also defines the 50 series before it)
    starts[ts] = after - 624;
    assert.ok(starts[ts]! >= before);
    if (ts === sent) {
      const first = new SpoolCursor(root);
      part = first.read(1 << 22);
      first.close();
    }
  }
  w.close();
  assert.ok(part);
  assert.deepEqual(part.end, { segment: 1000, offset: starts[sent]! + 624 });
  assert.equal(part.snapshots.at(-1)!.ts, sent);
  const w2 = new SpoolWriter(root, 2000);
  w2.append([row(2000)]);
  starts[0] = SPOOL_MAGIC.length;
  damageRecordAt(w.segment.path, starts[bad]!);
  const cursor = new SpoolCursor(root, part.end);
  const read = cursor.read(1 << 22);
  const dropped = cursor.droppedSegments;
  const result = { ts: times(read.snapshots), read, dropped, part, damagedAt: starts[bad]! };
  cursor.close();
  w2.close();
  return result;
}

const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => from + i);

Deno.test("a cursor resuming after damage more than 64 KiB before its position skips the damage, counts it, and reads on without sending anything twice", () => {
  // snapshot 100 is ~125 KiB before the position after snapshot 300
  const { ts, read, dropped, part, damagedAt } = resumeAfterDamage(300, 100);
  assert.ok(part.end.offset - damagedAt > 64 * 1024);
  assert.deepEqual(ts, [...range(301, 400), 2000]);
  assert.equal(dropped, 1);
  assert.equal(read.end.segment, 2000);
  // the series of the snapshots after the position are the ones defined before the damage
  const first = read.snapshots[0]!;
  assert.deepEqual(first.series[49], { host: "h", metric: "m", labels: "cpu=49" });
  assert.equal(first.values[49], 301 * 100 + 49);
});

Deno.test("a cursor resuming after damage a few records before its position, or in the record just before it, reads on from it", () => {
  for (const bad of [295, 300]) {
    const { ts, dropped } = resumeAfterDamage(300, bad);
    assert.deepEqual(ts, [...range(301, 400), 2000], `damage at snapshot ${bad}`);
    assert.equal(dropped, 1);
  }
});

Deno.test("a cursor resuming at the end of a segment damaged before it goes on with the next segment", () => {
  const { ts, dropped } = resumeAfterDamage(400, 100);
  assert.deepEqual(ts, [2000]);
  assert.equal(dropped, 1);
});

Deno.test("damage after the position, in the last record of a segment, ends that segment for the cursor and is counted", () => {
  const { ts, dropped } = resumeAfterDamage(300, 400);
  assert.deepEqual(ts, [...range(301, 399), 2000]);
  assert.equal(dropped, 1);
});

Deno.test("a cursor resuming after damage to the series the next snapshots use reads none of them as another series, and counts the segment once", () => {
  const { ts, dropped } = resumeAfterDamage(300, 0);
  assert.deepEqual(ts, [2000]);
  assert.equal(dropped, 1);
});
