import assert from "node:assert/strict";
import { IngestBusy, IngestWriter, type IngestWriterOptions } from "../../lake/mod.ts";
import { IngestGroup, pooledBlocks } from "../../lake/ingest_group.ts";
import { countSamples } from "../_count_samples.ts";

const NOW = Date.UTC(2024, 5, 1);
const enc = new TextEncoder();
const MiB = 1024 * 1024;

function body(from: number, n: number): Uint8Array {
  let text = "";
  for (let i = 0; i < n; i++) {
    text += `{"ts":${NOW - 1_000 + from + i},"host":"h","metric":"m","value":${i}}\n`;
  }
  return enc.encode(text);
}

/**
 * A writer on `root` without fsync at the fixed clock, whose resident memory `rss()` reads
 * against a mark of 256 MiB, with more `options`.
 */
function gatedWriter(
  root: string,
  rss: () => number,
  options: Omit<IngestWriterOptions, "root" | "rss"> = {},
): IngestWriter {
  return new IngestWriter({
    root,
    sync: false,
    now: () => NOW,
    maxRssBytes: 256 * MiB,
    rss,
    ...options,
  });
}

Deno.test("IngestWriter refuses every path with IngestBusy (memory) while resident memory is past its mark, and takes requests again once it is back under", async () => {
  const root = await Deno.makeTempDir();
  let rss = 300 * MiB;
  let collected = 0;
  const w = gatedWriter(root, () => rss, {
    memoryGateRows: 0,
    collectGarbage: () => collected++,
  });
  const memory = (e: unknown) =>
    e instanceof IngestBusy && e.reason === "memory" && e.retryAfterSeconds === 1 &&
    /^Ingest is behind: the server holds 300 MiB of memory \(limit 256 MiB\)$/.test(e.message);
  assert.throws(() => w.check(), memory);
  assert.throws(() => w.write(body(0, 10)), memory);
  await assert.rejects(w.writeAsync(body(0, 10)), memory);
  const columns = { ts: [NOW], host: ["h"], metric: ["m"], labels: [""], value: [1] };
  assert.throws(() => w.writeBatch(columns), memory);
  assert.equal(w.stats.refused, 4);
  assert.equal(w.stats.accepted, 0);
  // a first refusal leaves the collector alone: it usually comes by itself
  assert.equal(collected, 0);
  rss = 100 * MiB;
  assert.equal(w.write(body(0, 10)).ts.length, 10);
  assert.equal(w.writeBatch(columns).ts.length, 1);
  w.close();
  assert.equal(await countSamples(root), 11);
});

Deno.test("IngestWriter asks for a garbage collection only once memory has stayed past its mark for 2 s of refusals, and then at most every 2 s", async () => {
  const root = await Deno.makeTempDir();
  let collected = 0;
  const w = gatedWriter(root, () => 300 * MiB, {
    memoryGateRows: 0,
    collectGarbage: () => collected++,
  });
  try {
    assert.throws(() => w.check(), IngestBusy);
    assert.equal(collected, 0);
    await new Promise((r) => setTimeout(r, 2_100));
    assert.throws(() => w.check(), IngestBusy);
    assert.equal(collected, 1);
    assert.throws(() => w.check(), IngestBusy);
    assert.equal(collected, 1, "asked again at once");
  } finally {
    w.close();
  }
});

Deno.test("IngestWriter takes a trickle past the memory mark while few samples wait, and refuses once its own backlog reaches the gate", () => {
  // memory held while ingest keeps up (a query, an embedding test runner) is not ingest's:
  // refusing one-line pushes would not give it back (CI saw a lone alert push refused so)
  const root = Deno.makeTempDirSync();
  const w = gatedWriter(root, () => 300 * MiB, {
    flushEveryMs: 3_600_000,
    flushRows: 1_000_000,
    memoryGateRows: 25,
  });
  try {
    assert.equal(w.write(body(0, 10)).ts.length, 10);
    assert.equal(w.write(body(10, 10)).ts.length, 10);
    assert.equal(w.write(body(20, 10)).ts.length, 10);
    assert.equal(w.stats.buffered, 30);
    assert.throws(
      () => w.write(body(30, 10)),
      (e) => e instanceof IngestBusy && e.reason === "memory",
    );
    assert.equal(w.stats.refused, 1);
  } finally {
    w.close();
  }
});

Deno.test("IngestWriter refuses a resident-memory mark that is not positive", () => {
  assert.throws(
    () => new IngestWriter({ root: Deno.makeTempDirSync(), maxRssBytes: 0 }),
    /^RangeError: Invalid maxRssBytes: 0$/,
  );
});

Deno.test("IngestGroup gives its blocks back to the pool when released, and the next group reuses them instead of allocating", () => {
  const a = new IngestGroup("h", "2024-06-01");
  for (let i = 0; i < 20_000; i++) a.push(NOW + i, "m", `k=${i % 3}`, i);
  assert.equal(a.length, 20_000);
  const before = pooledBlocks();
  a.release();
  assert.equal(a.length, 0);
  const given = pooledBlocks() - before;
  assert.ok(given >= 2, `blocks given back: ${given}`);
  const b = new IngestGroup("h", "2024-06-02");
  for (let i = 0; i < 20_000; i++) b.push(NOW + i, "m", "", i);
  assert.equal(pooledBlocks(), before, "the second group took the same blocks back out");
  const cols = b.columns(false);
  assert.equal(cols.ts.length, 20_000);
  assert.equal(cols.ts[19_999], NOW + 19_999);
  assert.equal(cols.value[12_345], 12_345);
});

Deno.test("IngestGroup keeps a partition of a few rows in a small block, not a pooled one", () => {
  const g = new IngestGroup("h", "2024-06-01");
  g.push(NOW, "m", "", 1);
  assert.ok(g.bytes <= 256 * 20, `${g.bytes} bytes for one row`);
  for (let i = 1; i < 1_000; i++) g.push(NOW + i, "m", "", Number.NaN);
  assert.equal(g.columns(true).ts.length, 1);
  assert.equal(g.columns(false).ts.length, 1_000);
  const held = g.held();
  assert.equal(held.length, 1_000);
  assert.equal(held.blocks.length, 1);
});
