import assert from "node:assert/strict";
import { DuckDBInstance } from "@duckdb/node-api";
import { parquetMetadata } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import {
  parquetEncodeRows,
  type ParquetRows,
  quantizeValue,
  writeSamples,
} from "../../lake/mod.ts";
import { parquetEncodeSeriesRows } from "../../lake/parquet_encode_rows.ts";
import { bitWidth } from "../../lake/_parquet_rle.ts";
import { readBack, type Row } from "./_read_back.ts";

function rowsOf(c: ParquetRows): Row[] {
  return Array.from(
    { length: c.ts.length },
    (_, i) => [c.ts[i]!, c.metric[i]!, c.labels[i]!, c.value[i]!],
  );
}

function sorted(rows: Row[]): string[] {
  return rows.map((r) => JSON.stringify(r)).sort();
}

async function duckRows(path: string): Promise<string[]> {
  const db = await DuckDBInstance.create(":memory:");
  const c = await db.connect();
  try {
    const r = await c.runAndReadAll(
      `SELECT epoch_ms(ts)::DOUBLE, metric, labels, value FROM read_parquet('${path}')`,
    );
    return sorted(
      r.getRows().map((x) => [x[0] as number, x[1] as string, x[2] as string, x[3] as number]),
    );
  } finally {
    c.closeSync();
    db.closeSync();
  }
}

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("parquetEncodeRows() writes files hyparquet and DuckDB read back row for row", async () => {
  const random = rng(7);
  const c: ParquetRows & { ts: number[]; metric: string[]; labels: string[]; value: number[] } = {
    ts: [],
    metric: [],
    labels: [],
    value: [],
  };
  const t0 = Date.UTC(2024, 4, 1);
  for (let s = 0; s < 60; s++) {
    for (let k = 0; k < 320; k++) {
      c.ts.push(t0 + s * 1000 + (k % 3));
      c.metric.push(`metric_${k % 41}`);
      c.labels.push(k % 4 === 0 ? "" : `cpu=${k},mode=ünïcode\\,x`);
      c.value.push(k % 5 === 0 ? k * 1e9 : random() - 0.5);
    }
  }
  const bytes = parquetEncodeRows(c);
  assert.deepEqual(sorted(await readBack(bytes)), sorted(rowsOf(c)));
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeFileSync(`${dir}/a.parquet`, bytes);
    assert.deepEqual(await duckRows(`${dir}/a.parquet`), sorted(rowsOf(c)));
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
  const meta = parquetMetadata(bytes.slice().buffer);
  assert.deepEqual(meta.schema.slice(1).map((s) => [s.name, s.type, s.converted_type]), [
    ["ts", "INT64", "TIMESTAMP_MILLIS"],
    ["metric", "BYTE_ARRAY", "UTF8"],
    ["labels", "BYTE_ARRAY", "UTF8"],
    ["value", "DOUBLE", undefined],
  ]);
  const stats = meta.row_groups[0]!.columns[0]!.meta_data!.statistics!;
  assert.equal((stats.min_value as Date).getTime(), t0);
  assert.equal((stats.max_value as Date).getTime(), t0 + 59_002);
});

Deno.test("parquetEncodeRows() groups rows by series and keeps their order within a series", async () => {
  const rows = await readBack(parquetEncodeRows({
    ts: [3, 1, 2, 1, 5],
    metric: ["b", "a", "b", "a", "a"],
    labels: ["", "x=1", "", "", "x=1"],
    value: [1, 2, 3, 4, 5],
  }));
  assert.deepEqual(rows, [
    [1, "a", "", 4],
    [1, "a", "x=1", 2],
    [5, "a", "x=1", 5],
    [3, "b", "", 1],
    [2, "b", "", 3],
  ]);
});

Deno.test("parquetEncodeRows() encodes wide dictionaries, long runs and short tails", async () => {
  for (const n of [1, 7, 8, 9, 17, 1000, 70_000]) {
    const random = rng(n);
    const c = {
      ts: Array.from({ length: n }, (_, i) => i < n / 2 ? 5 : Math.floor(random() * n) - 1e12),
      metric: Array.from({ length: n }, (_, i) => (i % 9 < 8 ? "same" : `m${i}`)),
      labels: Array.from({ length: n }, (_, i) => `l=${i}`),
      value: Array.from({ length: n }, (_, i) => i === 3 ? NaN : i === 4 ? -Infinity : i / 3),
    };
    const got = await readBack(parquetEncodeRows(c));
    assert.deepEqual(sorted(got), sorted(rowsOf(c)), `n = ${n}`);
  }
});

Deno.test("parquetEncodeRows() writes an empty file and rejects bad columns", async () => {
  assert.deepEqual(
    await readBack(parquetEncodeRows({ ts: [], metric: [], labels: [], value: [] })),
    [],
  );
  assert.throws(
    () => parquetEncodeRows({ ts: [1], metric: [], labels: [], value: [] }),
    /Invalid rows: columns of unequal length/,
  );
  assert.throws(
    () => parquetEncodeRows({ ts: [1.5], metric: ["m"], labels: [""], value: [1] }),
    /Invalid ts: 1.5/,
  );
});

Deno.test("bitWidth() gives the bits of the largest index, at least 1", () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 256, 257, 2 ** 31, 2 ** 40].map(bitWidth), [
    1,
    1,
    1,
    2,
    2,
    3,
    8,
    9,
    31,
    32,
  ]);
});

Deno.test("writeSamples() stores what hyparquet-writer stored: quantized values, NaN and infinities dropped", async () => {
  const root = Deno.makeTempDirSync();
  try {
    const day = Date.UTC(2024, 2, 10);
    const random = rng(3);
    const samples = Array.from({ length: 3000 }, (_, i) => ({
      ts: day + Math.floor(i / 50) * 1000,
      host: "h",
      metric: `m${i % 7}`,
      labels: i % 50 === 0 ? "" : `k=${i % 50}`,
      value: i % 97 === 0 ? NaN : i % 89 === 0 ? Infinity : (random() - 0.3) * 10 ** (i % 13),
    }));
    const [file] = writeSamples(samples, { root, id: day });
    const kept = samples.filter((s) => Number.isFinite(s.value));
    const reference = parquetWriteBuffer({
      columnData: [
        { name: "ts", data: kept.map((s) => s.ts), type: "TIMESTAMP", nullable: false },
        { name: "metric", data: kept.map((s) => s.metric), type: "STRING", nullable: false },
        { name: "labels", data: kept.map((s) => s.labels), type: "STRING", nullable: false },
        {
          name: "value",
          data: new Float64Array(kept.map((s) => quantizeValue(s.value))),
          type: "DOUBLE",
          nullable: false,
        },
      ],
    });
    Deno.writeFileSync(`${root}/reference.parquet`, new Uint8Array(reference));
    assert.equal(file!.rows, kept.length);
    assert.deepEqual(await duckRows(file!.path), await duckRows(`${root}/reference.parquet`));
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("parquetEncodeSeriesRows() writes the same bytes as parquetEncodeRows() for the same rows", () => {
  // Series numbers out of name order, one unused, two numbers naming the same series, rows of
  // several timestamps interleaved and out of time order.
  const metric = ["z_metric", "a_metric", "unused", "a_metric", "m"];
  const labels = ["cpu=1", "disk=sda", "x=1", "disk=sda", ""];
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const series: number[] = [];
  const ts: number[] = [];
  const value: number[] = [];
  for (let i = 0; i < 500; i++) {
    series.push([0, 1, 3, 4][next() % 4]!);
    ts.push(1_700_000_000_000 + 1000 * Math.floor(i / 7) - (i % 11 === 0 ? 5000 : 0));
    value.push((next() % 1000) / 7);
  }
  const byRows = parquetEncodeRows({
    ts,
    metric: series.map((s) => metric[s]!),
    labels: series.map((s) => labels[s]!),
    value,
  });
  const bySeries = parquetEncodeSeriesRows({
    ts,
    series: Uint32Array.from(series),
    metric,
    labels,
    value,
  });
  assert.deepEqual(bySeries, byRows);
  assert.throws(
    () => parquetEncodeSeriesRows({ ts: [1], series: new Uint32Array([9]), metric, labels, value }),
    /Invalid series number: 9/,
  );
});

Deno.test("parquetEncodeSeriesRows() with quantize writes the bytes of the values rounded first", () => {
  const value = [0.123456789, 1234.5678901, 7, -0.5, 17179869184.25, 3e-9];
  const rows = {
    ts: value.map((_, i) => 1000 * (i % 2)),
    series: Uint32Array.from(value, (_, i) => i % 3),
    metric: ["b", "a", "c"],
    labels: ["", "x=1", ""],
  };
  assert.deepEqual(
    parquetEncodeSeriesRows({ ...rows, value, quantize: true }),
    parquetEncodeSeriesRows({ ...rows, value: value.map(quantizeValue) }),
  );
});
