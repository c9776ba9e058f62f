/**
 * The rows of one host × UTC date waiting for Parquet, in typed arrays (about 20 bytes a row,
 * where JS arrays of numbers and strings took about 40, plus a series table), so the ingest
 * writer's buffer costs what its row budget says.
 *
 * The arrays are fixed blocks of 8,192 rows taken from a pool shared by all groups and given
 * back when a group is written ({@linkcode IngestGroup.release}): a buffer that fills and
 * drains all day reuses the same memory, where arrays that doubled as they grew left their
 * old copies (megabytes a flush) to the garbage collector, which frees memory outside the
 * JS heap only at its next full collection.
 *
 * @module
 */
import type { BufferedFilter, BufferedRows } from "./buffered_rows.ts";
import { quantizeValue } from "./quantize_value.ts";

/** Rows per block (a power of two). */
const SHIFT = 13;
const BLOCK = 1 << SHIFT;
const MASK = BLOCK - 1;

interface Block {
  ts: Float64Array;
  value: Float64Array;
  series: Uint32Array;
}

/** Blocks given back and not taken again yet (at most `POOL_MAX`, ~10 MB, 524,288 rows). */
const pool: Block[] = [];
const POOL_MAX = 64;

/** Shared memory: a block posted to the flush thread is read there in place (copying 250,000
 * rows on the way out measured ~70 ms of the event loop under load; a transferred one would be
 * lost to a failed file's retry). Groups being flushed take no more rows, and their blocks go
 * back to the pool only once their file is written. */
function newBlock(rows: number): Block {
  return {
    ts: new Float64Array(new SharedArrayBuffer(rows * 8)),
    value: new Float64Array(new SharedArrayBuffer(rows * 8)),
    series: new Uint32Array(new SharedArrayBuffer(rows * 4)),
  };
}

function takeBlock(): Block {
  return pool.pop() ?? newBlock(BLOCK);
}

/** The first block, twice as large (a full one from the pool once it reaches `BLOCK`). */
function grow(b: Block, rows: number): Block {
  const next = rows * 2 >= BLOCK ? takeBlock() : newBlock(rows * 2);
  next.ts.set(b.ts.subarray(0, rows));
  next.value.set(b.value.subarray(0, rows));
  next.series.set(b.series.subarray(0, rows));
  return next;
}

/** Blocks waiting in the pool (for tests). */
export function pooledBlocks(): number {
  return pool.length;
}

/** Buffered rows of one partition. */
export class IngestGroup {
  /** Spool segments the rows came from. */
  readonly segments: Set<number> = new Set();
  #blocks: Block[] = [];
  #length = 0;
  #byMetric = new Map<string, Map<string, number>>();
  #metrics: string[] = [];
  #labels: string[] = [];
  #prevMetric = "";
  #prevLabels = "";
  #prevSeries = -1;
  #prevByLabels: Map<string, number> | undefined;
  #first = Infinity;
  #last = -Infinity;

  /**
   * @param host The partition's host.
   * @param date Its UTC date, `YYYY-MM-DD`.
   */
  constructor(readonly host: string, readonly date: string) {}

  /** Rows buffered. */
  get length(): number {
    return this.#length;
  }

  /** The first and last time of a row with a finite value (those its file will hold), ms;
   * `Infinity` and `-Infinity` when there is none. */
  get span(): { first: number; last: number } {
    return { first: this.#first, last: this.#last };
  }

  /** Bytes the typed arrays hold (whole blocks, not only the rows). */
  get bytes(): number {
    return this.#blocks.reduce((n, b) => n + b.ts.length * 20, 0);
  }

  /**
   * Adds one row.
   *
   * @param ts ms since the epoch.
   * @param metric Metric name.
   * @param labels Canonical labels.
   * @param value Value (`NaN`: none).
   */
  push(ts: number, metric: string, labels: string, value: number): void {
    let k = this.#prevSeries;
    if (k < 0 || metric !== this.#prevMetric || labels !== this.#prevLabels) {
      // a scrape sends runs of one metric: its map is looked up when the metric changes
      let byLabels = this.#prevByLabels!; // set with #prevSeries
      if (k < 0 || metric !== this.#prevMetric) {
        const known = this.#byMetric.get(metric);
        if (known === undefined) this.#byMetric.set(metric, byLabels = new Map());
        else byLabels = known;
        this.#prevByLabels = byLabels;
      }
      k = byLabels.get(labels) ?? -1;
      if (k < 0) {
        k = this.#metrics.length;
        byLabels.set(labels, k);
        this.#metrics.push(metric);
        this.#labels.push(labels);
      }
      this.#prevMetric = metric, this.#prevLabels = labels, this.#prevSeries = k;
    }
    const n = this.#length, at = n & MASK, i = n >>> SHIFT;
    let b = this.#blocks[i];
    if (b === undefined) {
      // a group's first rows start small (a partition with a few rows must not hold a block)
      b = i === 0 ? newBlock(256) : takeBlock();
      this.#blocks.push(b);
    } else if (at === b.ts.length) {
      b = this.#blocks[i] = grow(b, at);
    }
    b.ts[at] = ts, b.value[at] = value, b.series[at] = k;
    if (value - value === 0) { // finite
      if (ts < this.#first) this.#first = ts;
      if (ts > this.#last) this.#last = ts;
    }
    this.#length = n + 1;
  }

  /** Gives the blocks back to the pool; the group is empty afterwards (call it once its rows
   * are written, or dropped). */
  release(): void {
    for (const b of this.#blocks) {
      if (b.ts.length === BLOCK && pool.length < POOL_MAX) pool.push(b);
    }
    this.#blocks = [];
    this.#length = 0;
    this.#first = Infinity, this.#last = -Infinity;
  }

  /** Calls `row(ts, value, series)` for every row, in order. */
  #each(row: (ts: number, value: number, series: number) => void): void {
    const n = this.#length;
    for (let k = 0; k * BLOCK < n; k++) {
      const b = this.#blocks[k]!, m = Math.min(BLOCK, n - k * BLOCK);
      const ts = b.ts, value = b.value, series = b.series;
      for (let i = 0; i < m; i++) row(ts[i]!, value[i]!, series[i]!);
    }
  }

  /**
   * The rows as they are held, for the flush thread: its blocks (the last one partly filled:
   * `length` says how many rows there are) and the series table. Posting them copies nothing (the
   * blocks are shared memory, read in place); leaving out the rows without a value and turning the
   * series numbers back into names is the flush thread's work (see `ingest_flush_worker.ts`),
   * not the event loop's.
   *
   * @returns The blocks themselves (not copies) and copies of the series table.
   */
  held(): {
    blocks: { ts: Float64Array; value: Float64Array; series: Uint32Array }[];
    length: number;
    metrics: string[];
    labels: string[];
  } {
    return {
      blocks: this.#blocks.slice(),
      length: this.#length,
      metrics: this.#metrics.slice(),
      labels: this.#labels.slice(),
    };
  }

  /**
   * Appends the rows a reader asks for to `out`, as Parquet will hold them: only rows with a
   * finite value, values rounded by `quantizeValue`. The caller checks host and date; this
   * checks metric, labels and time.
   *
   * @param filter The metrics, labels and range (see {@linkcode BufferedFilter}).
   * @param out Where the rows go; a series joins its table at its first row.
   */
  collect(filter: BufferedFilter, out: BufferedRows): void {
    const n = this.#length;
    if (n === 0) return;
    const { from, to, metrics, labels } = filter;
    // per series of this group: -1 not wanted, 0 wanted and not in `out` yet, k + 1 out's k
    const ids = new Int32Array(this.#metrics.length);
    for (let k = 0; k < ids.length; k++) {
      const wanted = (metrics === undefined || metrics.has(this.#metrics[k]!)) &&
        (labels === undefined || labels === this.#labels[k]);
      if (!wanted) ids[k] = -1;
    }
    for (let b = 0; b * BLOCK < n; b++) {
      const block = this.#blocks[b]!, m = Math.min(BLOCK, n - b * BLOCK);
      const ts = block.ts, value = block.value, series = block.series;
      for (let i = 0; i < m; i++) {
        const k = series[i]!;
        let id = ids[k]!;
        if (id < 0) continue;
        const t = ts[i]!, v = value[i]!;
        if (t < from || t >= to || !Number.isFinite(v)) continue;
        if (id === 0) {
          id = ids[k] = out.host.push(this.host);
          out.metric.push(this.#metrics[k]!);
          out.labels.push(this.#labels[k]!);
          out.date.push(this.date);
        }
        out.ts.push(t);
        out.value.push(quantizeValue(v));
        out.series.push(id - 1);
      }
    }
  }

  /** The series that have a row with a finite value (those its Parquet file will hold). */
  storedSeries(): { metric: string; labels: string }[] {
    const seen = new Uint8Array(this.#metrics.length);
    this.#each((_t, v, k) => {
      if (Number.isFinite(v)) seen[k] = 1;
    });
    const out: { metric: string; labels: string }[] = [];
    seen.forEach((s, k) => {
      if (s) out.push({ metric: this.#metrics[k]!, labels: this.#labels[k]! });
    });
    return out;
  }

  /**
   * The rows as columns for the Parquet writer.
   *
   * @param finiteOnly Leave out rows without a finite value (they are not stored).
   * @returns Columns of the kept rows (new arrays; the group is unchanged).
   */
  columns(finiteOnly: boolean): {
    ts: Float64Array;
    metric: string[];
    labels: string[];
    value: Float64Array;
  } {
    let n = 0;
    this.#each((_t, v) => {
      if (!finiteOnly || Number.isFinite(v)) n++;
    });
    const ts = new Float64Array(n), value = new Float64Array(n);
    const metric = new Array<string>(n), labels = new Array<string>(n);
    let j = 0;
    this.#each((t, v, k) => {
      if (finiteOnly && !Number.isFinite(v)) return;
      ts[j] = t, value[j] = v, metric[j] = this.#metrics[k]!, labels[j] = this.#labels[k]!;
      j++;
    });
    return { ts, metric, labels, value };
  }
}
