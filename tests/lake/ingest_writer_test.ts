import assert from "node:assert/strict";
import {
  compactLake,
  IngestWriter,
  listSegments,
  openLake,
  SpoolWriter,
  visibleFiles,
  writeSamples,
} from "../../lake/mod.ts";
import { ingestSpoolDir, listIngestSegments, readIngestPlan } from "../../lake/ingest_spool.ts";
import { decodeIngestSegment, IngestSpoolEncoder } from "../../lake/ingest_spool_format.ts";
import { countSamples as count } from "../_count_samples.ts";

/** The requests a binary ingest segment holds. */
function records(path: string): number {
  const { batches, undecoded } = decodeIngestSegment(Deno.readFileSync(path));
  assert.equal(undecoded, 0);
  return batches.length;
}

const T0 = Date.UTC(2024, 0, 1);
const enc = new TextEncoder();

function body(host: string, from: number, n: number, metric = "m"): Uint8Array {
  const lines = Array.from(
    { length: n },
    (_, i) =>
      JSON.stringify({
        ts: T0 + from + i * 1000,
        host,
        metric,
        labels: { k: "v" },
        value: from + i,
      }),
  );
  return enc.encode(lines.join("\n"));
}

function writer(root: string, now = () => T0 + 3_600_000) {
  return new IngestWriter({ root, sync: false, now, flushEveryMs: 3_600_000, onError: () => {} });
}

Deno.test("IngestWriter spools each body before Parquet and flushes them in one file per partition", async () => {
  const root = await Deno.makeTempDir();
  const w = writer(root);
  w.write(body("a", 0, 3));
  w.write(body("a", 3000, 2));
  w.write(body("b", 0, 1));
  assert.equal(w.buffered, 6);
  assert.equal(await count(root), 0);
  const [seg] = listIngestSegments(root);
  assert.equal(seg!.format, "binary");
  assert.equal(records(seg!.path), 3);
  assert.equal(w.flush(), 6);
  assert.equal(w.buffered, 0);
  assert.equal(visibleFiles(root, "metrics").length, 2);
  assert.equal(await count(root), 6);
  assert.equal(w.flush(), 0);
  w.close();
  assert.deepEqual(listIngestSegments(root), []);
  assert.deepEqual([...Deno.readDirSync(ingestSpoolDir(root))], []);
});

Deno.test("IngestWriter writes nothing of a body with a bad line", async () => {
  const root = await Deno.makeTempDir();
  const w = writer(root);
  const bad = enc.encode(`{"ts":${T0},"host":"a","metric":"m","value":1}\n{"ts":${T0}}\n`);
  assert.throws(() => w.write(bad), /Invalid line 2/);
  assert.equal(w.buffered, 0);
  assert.equal(records(listIngestSegments(root)[0]!.path), 0);
  w.close();
  assert.equal(await count(root), 0);
});

Deno.test("IngestWriter drops rows without a value and flushes on size", async () => {
  const root = await Deno.makeTempDir();
  const w = new IngestWriter({ root, sync: false, flushRows: 2, now: () => T0 + 3_600_000 });
  w.write(enc.encode(
    `{"ts":${T0},"host":"a","metric":"m","value":null}\n{"ts":${
      T0 + 1
    },"host":"a","metric":"m","value":2}`,
  ));
  while (w.buffered > 0) await new Promise((r) => setTimeout(r, 5));
  w.close();
  assert.equal(await count(root), 1);
});

Deno.test("IngestWriter replays a killed writer's spool, dropping a torn last record", async () => {
  const root = await Deno.makeTempDir();
  const w = writer(root);
  w.write(body("a", 0, 4));
  const [seg] = listIngestSegments(root);
  // simulate kill -9 in the middle of the next append: a record cut short
  const next = new IngestSpoolEncoder().encode({
    ts: [T0],
    host: ["a"],
    metric: ["m"],
    labels: [""],
    value: [1.5],
  });
  Deno.writeFileSync(seg!.path, next.slice(0, next.length - 3), { append: true });
  // the killed process never flushed: a new writer over the same root replays the segment
  const again = writer(root, () => T0 + 7_200_000);
  assert.equal(await count(root), 4);
  again.close();
  assert.ok(listIngestSegments(root).every((s) => s.id !== seg!.id));
  w.close(); // the first writer's late close finds nothing buffered twice: rows are not doubled
});

Deno.test("IngestWriter does not write twice what a flush wrote before a crash", async () => {
  const root = await Deno.makeTempDir();
  const w = writer(root);
  w.write(body("a", 0, 5));
  w.write(body("b", 0, 5));
  w.flush();
  // put the segment back and record the flush as if the process died before deleting it
  const seg = `${ingestSpoolDir(root)}/000000000000001.seg`;
  const text = enc.encode(`#${body("a", 0, 5).length + 1}\n`);
  Deno.writeFileSync(seg, new Uint8Array([...text, ...body("a", 0, 5), 10]));
  const files = visibleFiles(root, "metrics");
  const aFile = files.find((f) => f.includes("host=a"))!;
  const id = Number(aFile.match(/part-(\d+)/)![1]);
  Deno.writeTextFileSync(
    `${ingestSpoolDir(root)}/plan.json`,
    JSON.stringify([{ host: "a", date: "2024-01-01", id, segments: [1], done: true }]),
  );
  w.close();
  const again = writer(root);
  again.close();
  assert.equal(await count(root), 10);
  assert.deepEqual(readIngestPlan(root), []);
  // after compaction the merged file still counts as written
  Deno.writeFileSync(seg, new Uint8Array([...text, ...body("a", 0, 5), 10]));
  Deno.writeTextFileSync(
    `${ingestSpoolDir(root)}/plan.json`,
    JSON.stringify([{ host: "a", date: "2024-01-01", id, segments: [1], done: true }]),
  );
  await compactLake({ root, now: () => T0 + 86_400_000 });
  writer(root).close();
  assert.equal(await count(root), 10);
});

Deno.test("IngestWriter ids stay below the collector's open segment and above every file", async () => {
  const root = await Deno.makeTempDir();
  writeSamples([{ ts: T0, host: "h", metric: "c", labels: {}, value: 1 }], {
    root,
    id: T0,
    sync: false,
  });
  const S = T0 + 600_000;
  const collector = new SpoolWriter(root, S); // the collector's open segment S
  const w = writer(root, () => T0 + 3_600_000);
  w.write(body("h", 0, 2));
  w.write(body("n", 0, 2));
  assert.equal(w.flush(), 4);
  const names = () =>
    visibleFiles(root, "metrics").map((f) => f.slice(f.lastIndexOf("/") + 1)).sort();
  // above the collector's part T0 in h; an hour of ids below S in the new partition n (room for
  // its next files without waiting for the collector to rotate); never S itself
  assert.deepEqual(names(), [
    `part-00${T0 - 3_000_001}.parquet`,
    `part-00${T0}.parquet`,
    `part-00${T0 + 1}.parquet`,
  ]);
  w.write(body("n", 5000, 1));
  assert.equal(w.flush(), 1);
  assert.ok(names().includes(`part-00${T0 - 3_000_000}.parquet`));
  // h's next id would be S, the collector's future file: that partition waits
  writeSamples([{ ts: T0 + 1, host: "h", metric: "c", labels: {}, value: 1 }], {
    root,
    id: S - 1,
    sync: false,
  });
  w.write(body("n", 6000, 1));
  w.write(body("h", 5000, 1));
  assert.equal(w.flush(), 1);
  assert.equal(w.buffered, 1);
  collector.close(true); // the collector rotated away: no bound any more
  assert.deepEqual(listSegments(root), []);
  assert.equal(w.flush(), 1);
  await compactLake({ root, now: () => T0 + 86_400_000 });
  w.write(body("h", 20_000, 1)); // above the compacted file: still visible
  w.close();
  assert.equal(await count(root), 10);
});

Deno.test("IngestWriter rejects bad settings", () => {
  const root = Deno.makeTempDirSync();
  assert.throws(() => new IngestWriter({ root, flushEveryMs: 0 }), /Invalid flushEveryMs: 0/);
  assert.throws(() => new IngestWriter({ root, flushRows: -1 }), /Invalid flushRows: -1/);
  assert.throws(() => new IngestWriter({ root, flushPartitions: 0 }), /Invalid flushPartitions: 0/);
  assert.throws(() => new IngestWriter({ root, flushBudgetMs: -1 }), /Invalid flushBudgetMs: -1/);
});

function hostsBody(hosts: number, prefix = "h"): Uint8Array {
  return enc.encode(
    Array.from(
      { length: hosts },
      (_, i) => JSON.stringify({ ts: T0, host: `${prefix}${i}`, metric: "m", value: i }),
    ).join("\n"),
  );
}

Deno.test("IngestWriter.flush() with maxPartitions writes that many files and leaves the rest buffered", async () => {
  const root = await Deno.makeTempDir();
  const w = writer(root);
  w.write(hostsBody(10));
  assert.equal(w.flush({ maxPartitions: 4 }), 4);
  assert.equal(visibleFiles(root, "metrics").length, 4);
  assert.equal(w.buffered, 6);
  assert.equal(listIngestSegments(root).length, 2); // the segment waits for its last partition
  assert.equal(w.flush(), 6);
  w.close();
  assert.deepEqual(listIngestSegments(root), []);
  assert.equal(await count(root), 10);
});

for (
  const [why, limits] of [
    ["flushPartitions files", { flushPartitions: 4 }],
    ["flushBudgetMs of time", { flushBudgetMs: 0, flushPartitions: 100 }],
  ] as const
) {
  Deno.test(`IngestWriter's own flushes spend at most ${why} per turn and drain the rest on later turns`, async () => {
    const root = await Deno.makeTempDir();
    const errors: unknown[] = [];
    const w = new IngestWriter({
      root,
      sync: false,
      now: () => T0 + 3_600_000,
      flushRows: 1,
      ...limits,
      flushEveryMs: 3_600_000,
      onError: (e) => errors.push(e),
    });
    for (const p of ["a", "b", "c"]) w.write(hostsBody(4, p));
    const seen: number[] = [];
    while (w.buffered > 0) {
      await new Promise((r) => setTimeout(r, 0));
      seen.push(visibleFiles(root, "metrics").length);
    }
    // a single flush would jump from 0 to 12 files; turns in between saw a part of them
    assert.ok(seen.some((n) => n > 0 && n < 12), `files after each turn: ${seen}`);
    assert.equal(visibleFiles(root, "metrics").length, 12);
    w.close();
    assert.deepEqual(errors, []);
    assert.equal(await count(root), 12);
  });
}

Deno.test("IngestWriter refuses a request past the partition limit whole: no spool record, no file", async () => {
  const root = await Deno.makeTempDir();
  const w = writer(root);
  const lines: string[] = [];
  for (let h = 0; h < 10; h++) {
    for (let d = 0; d < 10; d++) {
      lines.push(JSON.stringify({ ts: T0 - d * 86_400_000, host: `h${h}`, metric: "m", value: 1 }));
    }
  }
  assert.throws(() => w.write(enc.encode(lines.join("\n"))), /Too many partitions: line 65 /);
  assert.equal(records(listIngestSegments(root)[0]!.path), 0);
  w.close();
  assert.equal(await count(root), 0);
  const limited = new IngestWriter({
    root,
    sync: false,
    now: () => T0 + 3_600_000,
    limits: { maxPartitions: 100 },
  });
  assert.equal(limited.write(enc.encode(lines.join("\n"))).ts.length, 100);
  limited.close();
  assert.equal(await count(root), 100);
});

Deno.test("writeBatch remembers a valid series by its exact text and still refuses a bad one in a later batch", () => {
  const root = Deno.makeTempDirSync();
  const w = writer(root);
  try {
    const ts = T0 + 3_600_000;
    const ok = { ts: [ts, ts], host: ["h", "h"], metric: ["m", "m"], value: [1, 2] };
    // valid twice (the second time from the memo), labels re-canonicalized both times
    for (let round = 0; round < 2; round++) {
      const stored = w.writeBatch({ ...ok, labels: ["b=2,a=1", "a=1"] });
      assert.deepEqual(stored.labels, ["a=1,b=2", "a=1"]);
    }
    // the same series with a reserved label, a bad label name, and a bad name after a good run
    assert.throws(
      () => w.writeBatch({ ...ok, labels: ["a=1", "a=1,job=x"] }),
      /^RangeError: Invalid sample 2: labels: /,
    );
    assert.throws(
      () => w.writeBatch({ ...ok, labels: ["a=1", "a=1,1b=2"] }),
      /^RangeError: Invalid sample 2: labels: /,
    );
    assert.throws(
      () => w.writeBatch({ ...ok, metric: ["m", "1m"], labels: ["a=1", "a=1"] }),
      /^RangeError: Invalid sample 2: metric: /,
    );
    assert.throws(
      () => w.writeBatch({ ...ok, host: ["h", "../h"], labels: ["a=1", "a=1"] }),
      /^RangeError: Invalid sample 2: host: /,
    );
    // a refused text stays refused when it comes again (only valid text is remembered)
    assert.throws(
      () => w.writeBatch({ ...ok, labels: ["a=1,job=x", "a=1"] }),
      /^RangeError: Invalid sample 1: labels: /,
    );
    assert.equal(w.writeBatch({ ...ok, labels: ["a=1", "a=1"] }).ts.length, 2);
  } finally {
    w.close();
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("IngestWriter replays a killed writer's series whose UTF-8 is longer than a prefix for its units", async () => {
  // 60 "é" are 74 UTF-16 units of series text but 134 bytes: the spool's length prefix grew
  // to two bytes over the text's first byte, and replay dropped the record as damage
  const root = await Deno.makeTempDir();
  const w = writer(root);
  // and 32 values of 341 "€" (11,000 units, 33,000 bytes) grew it from two bytes to three
  const line = (i: number, labels: Record<string, string>) =>
    JSON.stringify({ ts: T0 + i * 1000, host: "a", metric: "m", labels, value: i });
  const most = Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`l${i}`, "€".repeat(341)]));
  w.write(enc.encode([line(0, { k: "é".repeat(60) }), line(1, most)].join("\n")));
  w.write(body("a", 5000, 3));
  // no close: a new writer over the same root replays the spool as after kill -9
  const again = writer(root, () => T0 + 7_200_000);
  again.close();
  assert.equal(await count(root), 5);
  const lake = await openLake({ root });
  try {
    const rows = await lake.query<{ labels: string }>(
      "SELECT labels FROM samples WHERE ts < TIMESTAMP '2024-01-01 00:00:02' ORDER BY ts",
    );
    assert.equal(rows[0]?.labels, `k=${"é".repeat(60)}`);
    assert.equal(rows[1]?.labels.split(",").length, 32);
  } finally {
    lake.close();
  }
  w.close();
});
