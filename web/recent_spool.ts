/**
 * The samples of the last minute: the collector writes Parquet once a minute, and until then a
 * sample is only in its spool segment. `/api/series` reads them from here so Explore's newest
 * point is the newest sample, not up to a minute older.
 *
 * @module
 */
import { listSegments, SpoolDecoder, type SpoolSnapshot } from "../lake/mod.ts";

/** Which samples {@linkcode RecentSpool.series} returns. */
export interface RecentSeriesFilter {
  /** Metric name. */
  metric: string;
  /** Canonical label string (`formatLabels`), `""` for none. */
  labels: string;
  /** Host; default every host, values of the same instant averaged (as `Lake.series` does). */
  host?: string;
  /** Range start, ms (inclusive). */
  from: number;
  /** Range end, ms (exclusive). */
  to: number;
  /** Only samples newer than this, ms (the last instant Parquet already answered). */
  after: number;
}

interface Followed {
  offset: number;
  decoder: SpoolDecoder;
  snapshots: SpoolSnapshot[];
}

const CHUNK = 1 << 16;

/**
 * The key of one series in {@linkcode RecentSpool.seriesMany}.
 *
 * @param host Host.
 * @param metric Metric name.
 * @param labels Canonical label string.
 * @returns The key.
 */
export function recentKey(host: string, metric: string, labels: string): string {
  return `${host}\u0000${metric}\u0000${labels}`;
}

/**
 * Follows the collector's spool segments under a lake root. Each call reads only the bytes
 * appended since the previous call (the decoder keeps a torn last record until it is whole) and
 * forgets segments that were flushed to Parquet and deleted, so it holds at most about a
 * minute of snapshots.
 */
export class RecentSpool {
  #segments = new Map<string, Followed>();

  /** @param root Lake root whose `spool/` to follow. */
  constructor(readonly root: string) {}

  /**
   * The samples of one series that are in the spool, newer than `after` and within the range.
   *
   * @param filter See {@linkcode RecentSeriesFilter}.
   * @returns Ascending instants and their values (averaged over hosts when no host is given).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SpoolWriter } from "../lake/mod.ts";
   * import { RecentSpool } from "./recent_spool.ts";
   * const root = Deno.makeTempDirSync();
   * const w = new SpoolWriter(root, 1000);
   * w.append([1000, 2000, 3000].map((ts) => ({ ts, host: "h", metric: "m", labels: "", value: ts / 1000 })));
   * const r = new RecentSpool(root).series({ metric: "m", labels: "", from: 0, to: 10_000, after: 1000 });
   * w.close();
   * assert.deepEqual(r, { ts: [2000, 3000], values: [2, 3] });
   * ```
   */
  series(filter: RecentSeriesFilter): { ts: number[]; values: number[] } {
    const { metric, labels, host, from, to, after } = filter;
    const sums = new Map<number, [number, number]>();
    for (const snapshots of this.#read()) {
      for (const snap of snapshots) {
        if (snap.ts <= after || snap.ts < from || snap.ts >= to) continue;
        const { series, values } = snap;
        for (let i = 0; i < series.length; i++) {
          const s = series[i]!;
          if (s.metric !== metric || s.labels !== labels) continue;
          if (host !== undefined && s.host !== host) continue;
          const v = values[i]!;
          if (!Number.isFinite(v)) continue; // a missing value, as in Parquet's avg()
          const sum = sums.get(snap.ts);
          if (sum) (sum[0] += v, sum[1]++);
          else sums.set(snap.ts, [v, 1]);
        }
      }
    }
    const ts = [...sums.keys()].sort((a, b) => a - b);
    return { ts, values: ts.map((t) => sums.get(t)![0] / sums.get(t)![1]) };
  }

  /**
   * The spooled samples of several series at once, each newer than its own `after`.
   *
   * @param after Per series key ({@linkcode recentKey}), the last instant Parquet answered.
   * @param from Range start, ms (inclusive).
   * @param to Range end, ms (exclusive).
   * @returns Per key found, ascending instants and values (one host per key, so no averaging).
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SpoolWriter } from "../lake/mod.ts";
   * import { RecentSpool, recentKey } from "./recent_spool.ts";
   * const root = Deno.makeTempDirSync();
   * const w = new SpoolWriter(root, 1000);
   * w.append([{ ts: 2000, host: "h", metric: "m", labels: "", value: 2 }]);
   * const r = new RecentSpool(root).seriesMany(new Map([[recentKey("h", "m", ""), 1000]]), 0, 5000);
   * w.close();
   * assert.deepEqual(r.get(recentKey("h", "m", "")), { ts: [2000], values: [2] });
   * ```
   */
  seriesMany(
    after: ReadonlyMap<string, number>,
    from: number,
    to: number,
  ): Map<string, { ts: number[]; values: number[] }> {
    const out = new Map<string, { ts: number[]; values: number[] }>();
    const keys = new WeakMap<object, string>();
    for (const snapshots of this.#read()) {
      for (const snap of snapshots) {
        if (snap.ts < from || snap.ts >= to) continue;
        const { series, values } = snap;
        for (let i = 0; i < series.length; i++) {
          const s = series[i]!;
          let key = keys.get(s);
          if (key === undefined) keys.set(s, key = recentKey(s.host, s.metric, s.labels));
          const last = after.get(key);
          const v = values[i]!;
          if (last === undefined || snap.ts <= last || !Number.isFinite(v)) continue;
          let o = out.get(key);
          if (!o) out.set(key, o = { ts: [], values: [] });
          if (snap.ts > (o.ts.at(-1) ?? -Infinity)) {
            o.ts.push(snap.ts);
            o.values.push(v);
          }
        }
      }
    }
    return out;
  }

  /** The oldest segment's id (its start, ms), or `Infinity` when the spool is empty. */
  oldest(): number {
    return listSegments(this.root).find((s) => s.format === "binary")?.id ?? Infinity;
  }

  /** Reads what was appended to each segment since the last call; yields every snapshot list. */
  #read(): SpoolSnapshot[][] {
    const segments = listSegments(this.root).filter((s) => s.format === "binary");
    const live = new Set(segments.map((s) => s.path));
    for (const path of this.#segments.keys()) if (!live.has(path)) this.#segments.delete(path);
    const out: SpoolSnapshot[][] = [];
    for (const segment of segments) {
      let f = this.#segments.get(segment.path);
      if (!f) {
        this.#segments.set(
          segment.path,
          f = { offset: 0, decoder: new SpoolDecoder(), snapshots: [] },
        );
      }
      try {
        using file = Deno.openSync(segment.path, { read: true });
        file.seekSync(f.offset, Deno.SeekMode.Start);
        const buffer = new Uint8Array(CHUNK);
        for (;;) {
          const n = file.readSync(buffer);
          if (n === null || n === 0) break;
          f.offset += n;
          for (const snap of f.decoder.push(buffer.subarray(0, n))) f.snapshots.push(snap);
        }
      } catch (error) {
        // Deleted between listing and reading: its rows are in Parquet now.
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        this.#segments.delete(segment.path);
        continue;
      }
      out.push(f.snapshots);
    }
    return out;
  }
}
