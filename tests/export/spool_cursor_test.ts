import assert from "node:assert/strict";
import { pruneOutbox, readPosition, savePosition, SpoolCursor } from "../../export/mod.ts";
import { hasSpoolReaders, listOutbox, retireSegment, SpoolWriter } from "../../lake/mod.ts";

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
