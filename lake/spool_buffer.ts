/**
 * The collector's samples not yet in Parquet, as a {@linkcode BufferedSource}: the collector
 * (another process, or `serve`'s own loop) writes Parquet once a minute and until then a sample
 * is only in its spool segment. With this source included (`Lake.includeBuffered`), series reads
 * and the series listing answer them at once, new series included.
 *
 * Exactly once across a flush, from how the collector flushes: a segment's rows become the
 * partition files `part-<segment id>` (one per host and date, each renamed whole), and only then
 * is the segment deleted. Rows are read from the segments first and the lake lists its files
 * after (at the first `stored` call), so each row is in the read segments, in the listing, or in
 * both; in both, the listing holds its partition's file of that id and the row is left out.
 *
 * @module
 */

import type { BufferedFilter, BufferedRows, BufferedSource, StoredFile } from "./buffered_rows.ts";
import { emptyBufferedRows } from "./buffered_rows.ts";
import { utcDate } from "./_paths.ts";
import { canonicalHost, hostNameProblem } from "./names.ts";
import { quantizeValue } from "./quantize_value.ts";
import { listSegments } from "./spool.ts";
import { SpoolDecoder, type SpoolSeries, type SpoolSnapshot } from "./spool_format.ts";
import { widenExtent } from "./widen_extent.ts";

/** One followed segment: where reading stopped and what it held so far. */
interface Followed {
  id: number;
  offset: number;
  decoder: SpoolDecoder;
  snapshots: SpoolSnapshot[];
  /** Series with a finite value (a row Parquet will hold). */
  series: Set<SpoolSeries>;
  /** Per host, the first and last time of such a row. */
  extent: Map<string, { first: number; last: number }>;
}

const CHUNK = 1 << 16;

/**
 * Follows the spool segments under a lake root. Each call reads only the bytes appended since
 * the previous one (a torn last record waits in the decoder until it is whole) and forgets the
 * segments deleted since, so it holds about one flush interval of snapshots: a live collector's
 * open segment (and a killed one's leftover, until its replay).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SpoolBuffer, SpoolWriter } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const w = new SpoolWriter(root, 1000);
 * w.append([{ ts: 2000, host: "H", metric: "m", labels: "", value: 2 }]);
 * const rows = new SpoolBuffer(root).bufferedRows({ from: 0, to: 5000 }, () => false);
 * w.close();
 * assert.deepEqual([rows.ts, rows.value, rows.host], [[2000], [2], ["h"]]);
 * ```
 */
export class SpoolBuffer implements BufferedSource {
  #segments = new Map<string, Followed>();
  /** Per series object: its lower-case host, or null where Parquet will never hold it (a host
   * name the rules refuse: the flush quarantines those rows). */
  #hosts = new WeakMap<SpoolSeries, string | null>();

  /** @param root Lake root whose `spool/` to follow. */
  constructor(readonly root: string) {}

  /** The spooled rows matching `filter` whose partition file `stored` does not hold yet. */
  bufferedRows(filter: BufferedFilter, stored: StoredFile): BufferedRows {
    const followed = this.#read(); // before `stored` is first called: the lake lists then
    const { from, to, host, metrics, labels } = filter;
    const out = emptyBufferedRows();
    const index = new Map<SpoolSeries, { date: string; sid: number }[]>();
    for (const f of followed) {
      for (const snap of f.snapshots) {
        if (snap.ts < from || snap.ts >= to) continue;
        const date = utcDate(snap.ts);
        const { series, values } = snap;
        for (let i = 0; i < series.length; i++) {
          const s = series[i]!, v = values[i]!;
          if (!Number.isFinite(v)) continue;
          if (metrics !== undefined && !metrics.has(s.metric)) continue;
          if (labels !== undefined && s.labels !== labels) continue;
          const h = this.#host(s);
          if (h === null || (host !== undefined && h !== host)) continue;
          if (stored(h, date, f.id)) continue;
          let ids = index.get(s);
          if (!ids) index.set(s, ids = []);
          let sid = ids.find((x) => x.date === date)?.sid;
          if (sid === undefined) {
            sid = out.host.length;
            ids.push({ date, sid });
            out.host.push(h), out.metric.push(s.metric), out.labels.push(s.labels);
            out.date.push(date);
          }
          out.ts.push(snap.ts), out.value.push(quantizeValue(v)), out.series.push(sid);
        }
      }
    }
    return out;
  }

  /** The series with a spooled row Parquet will hold. */
  bufferedSeries(): { host: string; metric: string; labels: string }[] {
    const out: { host: string; metric: string; labels: string }[] = [];
    for (const f of this.#read()) {
      for (const s of f.series) {
        const host = this.#host(s);
        if (host !== null) out.push({ host, metric: s.metric, labels: s.labels });
      }
    }
    return out;
  }

  /** Per host, the first and last time of a spooled row Parquet will hold. */
  bufferedExtent(): Map<string, { first: number; last: number }> {
    const out = new Map<string, { first: number; last: number }>();
    for (const f of this.#read()) {
      for (const [host, e] of f.extent) {
        widenExtent(out, host, e.first, e.last);
      }
    }
    return out;
  }

  #host(s: SpoolSeries): string | null {
    let h = this.#hosts.get(s);
    if (h === undefined) {
      const lower = canonicalHost(s.host);
      this.#hosts.set(s, h = hostNameProblem(lower) === undefined ? lower : null);
    }
    return h;
  }

  /** Reads what was appended to each live segment since the last call. */
  #read(): Followed[] {
    const segments = listSegments(this.root).filter((s) => s.format === "binary");
    const live = new Set(segments.map((s) => s.path));
    for (const path of this.#segments.keys()) if (!live.has(path)) this.#segments.delete(path);
    const out: Followed[] = [];
    for (const segment of segments) {
      let f = this.#segments.get(segment.path);
      if (!f) {
        f = {
          id: segment.id,
          offset: 0,
          decoder: new SpoolDecoder(),
          snapshots: [],
          series: new Set(),
          extent: new Map(),
        };
        this.#segments.set(segment.path, f);
      }
      try {
        using file = Deno.openSync(segment.path, { read: true });
        file.seekSync(f.offset, Deno.SeekMode.Start);
        const buffer = new Uint8Array(CHUNK);
        for (;;) {
          const n = file.readSync(buffer);
          if (n === null || n === 0) break;
          f.offset += n;
          for (const snap of f.decoder.push(buffer.subarray(0, n))) this.#add(f, snap);
        }
      } catch (error) {
        // deleted between listing and reading: its rows are in Parquet, and in the listing the
        // lake makes after this read
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        this.#segments.delete(segment.path);
        continue;
      }
      out.push(f);
    }
    return out;
  }

  /** Keeps a decoded snapshot and notes its series and times. */
  #add(f: Followed, snap: SpoolSnapshot): void {
    f.snapshots.push(snap);
    for (let i = 0; i < snap.series.length; i++) {
      if (!Number.isFinite(snap.values[i]!)) continue;
      const s = snap.series[i]!;
      f.series.add(s);
      const host = this.#host(s);
      if (host === null) continue;
      widenExtent(f.extent, host, snap.ts, snap.ts);
    }
  }
}
