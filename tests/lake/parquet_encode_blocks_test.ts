import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import fc from "fast-check";
import { SeriesTable, type Snapshot } from "../../collectors/snapshot.ts";
import { RowBuffer } from "../../lake/_row_buffer.ts";
import {
  type ParquetBlockRows,
  parquetEncodeBlockParts,
  parquetEncodeBlocks,
} from "../../lake/parquet_encode_blocks.ts";
import { writeFileAtomic } from "../../lake/write_file_atomic.ts";
import { quantizeValue } from "../../lake/quantize_value.ts";
import { readBack, type Row } from "./_read_back.ts";

/** The rows the blocks stand for, in order. */
function expected(b: ParquetBlockRows): Row[] {
  const out: Row[] = [];
  for (let k = 0; k < b.blockTs.length; k++) {
    for (let i = b.blockStart[k]!; i < b.blockStart[k + 1]!; i++) {
      const s = b.series[i]!;
      const v = b.value[i]!;
      out.push([b.blockTs[k]!, b.metric[s]!, b.labels[s]!, b.quantize ? quantizeValue(v) : v]);
    }
  }
  return out;
}

/**
 * Collects blocks into the rows of `series`' metrics and labels: `add` appends one block of
 * series numbers `seq` at `ts` (with its `repeat` flag), each valued by `valueOf`.
 */
function blockRows(metric: string[], labels: string[]): {
  add(ts: number, repeat: boolean, seq: number[], valueOf: (s: number) => number): void;
  rows(): ParquetBlockRows;
} {
  const blockTs: number[] = [];
  const blockStart = [0];
  const repeat: number[] = [];
  const ids: number[] = [];
  const value: number[] = [];
  return {
    add(ts, repeats, seq, valueOf) {
      blockTs.push(ts);
      repeat.push(repeats ? 1 : 0);
      for (const s of seq) ids.push(s), value.push(valueOf(s));
      blockStart.push(ids.length);
    },
    rows: () => ({
      blockTs,
      blockStart,
      repeat,
      series: Uint32Array.from(ids),
      metric,
      labels,
      value: Float64Array.from(value),
    }),
  };
}

/**
 * Blocks as a sampler makes them: a layout (series numbers) kept for a few snapshots and then
 * changed, some snapshots of other lengths; `repeat` set exactly where the numbers repeat.
 */
const blocksArb = fc.record({
  series: fc.integer({ min: 1, max: 700 }),
  plan: fc.array(
    fc.record({
      keep: fc.boolean(),
      length: fc.integer({ min: 0, max: 40 }),
      seed: fc.nat(),
      ts: fc.integer({ min: 0, max: 5 }),
    }),
    { minLength: 1, maxLength: 15 },
  ),
}).map(({ series, plan }) => {
  const metric = Array.from({ length: series }, (_, s) => `m${s % 7}`);
  const labels = Array.from({ length: series }, (_, s) => `k=${s % 301}`);
  const blocks = blockRows(metric, labels);
  let last: number[] = [];
  for (const [b, step] of plan.entries()) {
    const same = step.keep && b > 0 && last.length > 0;
    const seq = same ? last : Array.from(
      { length: step.length },
      // runs of one series number (long metric runs) and scattered ones
      (_, i) => (step.seed % 3 === 0 ? step.seed : step.seed + i * 7919) % series,
    );
    if (seq.length === 0) continue;
    blocks.add(
      1_700_000_000_000 + 1000 * (b + step.ts),
      same,
      seq,
      (s) => ((s * 37 + b) % 101) / 7,
    );
    last = seq;
  }
  return blocks.rows();
});

Deno.test("parquetEncodeBlocks() writes every row in the order given, repeated blocks included", async () => {
  await fc.assert(
    fc.asyncProperty(blocksArb, fc.boolean(), async (blocks, quantize) => {
      const rows = { ...blocks, quantize };
      assert.deepEqual(await readBack(parquetEncodeBlocks(rows)), expected(rows));
    }),
    { numRuns: 150 },
  );
});

Deno.test("parquetEncodeBlocks() writes a minute of a big host that DuckDB reads row for row", async () => {
  // 931 series (runs of one metric, labels wider than 8 bits), 60 snapshots, a layout change
  // and one snapshot with a sample missing (its own block).
  const series = 931;
  const metric = Array.from({ length: series }, (_, s) => `metric_${Math.floor(s / 64)}`);
  const labels = Array.from({ length: series }, (_, s) => `cpu=${s % 64},n=${s}`);
  const blocks = blockRows(metric, labels);
  for (let b = 0; b < 60; b++) {
    const order = Array.from({ length: series }, (_, i) => b < 30 ? i : series - 1 - i);
    const seq = b === 45 ? order.slice(1) : order;
    const repeats = b > 0 && b !== 30 && b !== 45 && b !== 46;
    blocks.add(1_800_000_000_000 + 1000 * b, repeats, seq, (s) => s + b / 1000);
  }
  const rows = blocks.rows();
  const dir = Deno.makeTempDirSync();
  try {
    const path = `${dir}/part.parquet`;
    Deno.writeFileSync(path, parquetEncodeBlocks(rows));
    const db = await DuckDBInstance.create(":memory:");
    const c = await db.connect();
    try {
      const r = await c.runAndReadAll(
        `SELECT epoch_ms(ts)::DOUBLE, metric, labels, value FROM read_parquet('${path}')`,
      );
      const got = r.getRows().map((x) => [x[0], x[1], x[2], x[3]]);
      assert.equal(got.length, rows.series.length);
      assert.deepEqual(got, expected(rows));
    } finally {
      c.closeSync();
      db.closeSync();
    }
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("parquetEncodeBlocks() rejects blocks that do not fit their columns", () => {
  const base: ParquetBlockRows = {
    blockTs: [1000, 2000],
    blockStart: [0, 2, 4],
    repeat: [0, 1],
    series: new Uint32Array([0, 1, 0, 1]),
    metric: ["m", "m"],
    labels: ["a=1", "a=2"],
    value: new Float64Array([1, 2, 3, 4]),
  };
  assert.throws(() => parquetEncodeBlocks({ ...base, blockStart: [0, 2] }), /unequal length/);
  assert.throws(
    () => parquetEncodeBlocks({ ...base, blockStart: [0, 2, 3], repeat: [0, 1] }),
    /another length/,
  );
  assert.throws(() => parquetEncodeBlocks({ ...base, blockStart: [0, 3, 2] }), /ends before/);
  assert.throws(
    () => parquetEncodeBlocks({ ...base, series: new Uint32Array([0, 5, 0, 5]) }),
    /Invalid series number: 5/,
  );
  assert.throws(() => parquetEncodeBlocks({ ...base, blockTs: [1000, 2000.5] }), /Invalid ts/);
  assert.equal(
    parquetEncodeBlocks({ ...base, blockTs: [], blockStart: [0], repeat: [] }).length > 0,
    true,
  );
});

Deno.test("RowBuffer writes snapshots with and without missing values as the rows they hold", async () => {
  const table = new SeriesTable("h");
  const series = Array.from(
    { length: 20 },
    (_, i) => table.get(`m${i % 3}`, Object.freeze({ k: String(i) })),
  );
  const snap: Snapshot = {
    ts: 0,
    length: 20,
    series,
    values: new Float64Array(20),
    layout: 1,
  };
  const buffer = new RowBuffer();
  const want: Row[] = [];
  for (let t = 0; t < 12; t++) {
    snap.ts = 1_700_000_000_000 + 1000 * t;
    if (t === 8) snap.layout = 2; // same series, a layout the buffer has not seen
    for (let i = 0; i < 20; i++) {
      // snapshot 3 lacks two values, 5 has an infinity, 10 has nothing
      snap.values[i] = t === 10
        ? NaN
        : (t === 3 && i % 9 === 0)
        ? NaN
        : (t === 5 && i === 4)
        ? Infinity
        : i + t / 3;
      const v = snap.values[i]!;
      if (Number.isFinite(v)) {
        want.push([snap.ts, series[i]!.metric, series[i]!.labelText, quantizeValue(v)]);
      }
    }
    buffer.addSnapshot(snap);
  }
  assert.equal(buffer.length, want.length);
  const root = Deno.makeTempDirSync();
  try {
    const [file] = buffer.write({ root, id: 1, sync: false });
    assert.equal(file?.rows, want.length);
    assert.deepEqual(await readBack(Deno.readFileSync(file!.path)), want);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("parquetEncodeBlockParts() gives the file's bytes in pieces, which writeFileAtomic() writes in order", () => {
  fc.assert(
    fc.property(blocksArb, (rows) => {
      const whole = parquetEncodeBlocks(rows);
      const parts = parquetEncodeBlockParts(rows);
      assert.ok(parts.length > 2);
      const dir = Deno.makeTempDirSync();
      try {
        writeFileAtomic(`${dir}/f.parquet`, parts, { sync: false });
        assert.deepEqual(Deno.readFileSync(`${dir}/f.parquet`), whole);
      } finally {
        Deno.removeSync(dir, { recursive: true });
      }
    }),
    { numRuns: 40 },
  );
});

Deno.test("RowBuffer keeps each row's time when snapshots cross midnight or rows of another host follow them", async () => {
  const table = new SeriesTable("h");
  const series = [0, 1, 2].map((i) => table.get("m", Object.freeze({ k: String(i) })));
  const snap: Snapshot = { ts: 0, length: 3, series, values: new Float64Array(3), layout: 1 };
  const midnight = Date.UTC(2026, 11, 7);
  const buffer = new RowBuffer();
  const want = new Map<string, Row[]>();
  const add = (host: string, row: Row) => want.set(host, [...(want.get(host) ?? []), row]);
  for (const t of [-2000, -1000, 0, 1000]) { // two snapshots on each side of midnight
    snap.ts = midnight + t;
    snap.values.set([1 + t / 1000, 2, 3]);
    buffer.addSnapshot(snap);
    for (let i = 0; i < 3; i++) add("h", [snap.ts, "m", `k=${i}`, snap.values[i]!]);
  }
  const root = Deno.makeTempDirSync();
  try {
    let files = buffer.write({ root, id: 1, sync: false });
    assert.deepEqual(files.map((f) => f.rows), [6, 6]);
    const back = [
      ...await readBack(Deno.readFileSync(files[0]!.path)),
      ...await readBack(Deno.readFileSync(files[1]!.path)),
    ];
    assert.deepEqual(
      back.map((r) => JSON.stringify(r)).sort(),
      want.get("h")!.map((r) => JSON.stringify(r)).sort(),
    );

    // then rows of another host: the buffer's times are made from its blocks first
    buffer.clear();
    want.clear();
    snap.ts = midnight + 5000;
    buffer.addSnapshot(snap);
    for (let i = 0; i < 3; i++) add("h", [snap.ts, "m", `k=${i}`, snap.values[i]!]);
    buffer.addRows([{ ts: midnight + 6000, host: "g", metric: "n", labels: "", value: 7 }]);
    add("g", [midnight + 6000, "n", "", 7]);
    snap.ts = midnight + 7000;
    buffer.addSnapshot(snap);
    for (let i = 0; i < 3; i++) add("h", [snap.ts, "m", `k=${i}`, snap.values[i]!]);
    files = buffer.write({ root: `${root}/b`, id: 2, sync: false });
    assert.equal(files.length, 2);
    for (const f of files) {
      const host = f.path.includes("host=g") ? "g" : "h";
      const rows = await readBack(Deno.readFileSync(f.path));
      assert.deepEqual(
        rows.map((r) => JSON.stringify(r)).sort(),
        want.get(host)!.map((r) => JSON.stringify(r)).sort(),
      );
    }
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
