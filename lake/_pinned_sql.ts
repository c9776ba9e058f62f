/**
 * Private: a series read over one listing of the lake's files and the rows still buffered,
 * taken together. The read's SQL names the views (`samples`, `rollup_1m`, …); here each name is
 * bound, for this statement only, to a CTE over the files of one listing, the raw ones plus the
 * buffered rows. The shared views are redefined by any other read that lists the files again,
 * so a read that pairs rows from memory with Parquet cannot rely on them.
 *
 * @module
 */

import type { StoredFile } from "./buffered_rows.ts";
import { parseDataFile, utcDate } from "./_paths.ts";
import { viewBody, type ViewFiles } from "./_views.ts";
import { canonicalHost } from "./names.ts";

const PARTITION = /\/host=([^/]+)\/date=([^/]+)\/([^/]+)$/;

/**
 * Whether a listing holds a partition's file `id`: its part, or a compaction that took it in
 * (the lake shows a partition's newest `compact-<C>` and the parts above C, and a compaction
 * named C holds the parts up to C).
 *
 * @param files The listing.
 * @returns The check (the listing is indexed at its first call).
 */
export function storedIn(files: ViewFiles): StoredFile {
  let index: Map<string, { parts: Set<number>; compact: number }> | undefined;
  return (host, date, id) => {
    if (index === undefined) {
      index = new Map();
      for (const path of files.samples) {
        const m = PARTITION.exec(path);
        const f = m && parseDataFile(m[3]!);
        if (!m || !f) continue;
        const key = `${canonicalHost(m[1]!)}/${m[2]}`;
        let p = index.get(key);
        if (!p) index.set(key, p = { parts: new Set(), compact: -1 });
        if (f.kind === "part") p.parts.add(f.id);
        else p.compact = Math.max(p.compact, f.id);
      }
    }
    const p = index.get(`${host}/${date}`);
    return p !== undefined && (p.parts.has(id) || p.compact >= id);
  };
}

/**
 * The files of a listing that can hold rows of a read: a row lives in the partition of its own
 * UTC date (samples, ingest groups and rollup buckets alike), so partitions of other dates, and
 * of other hosts when the read names one, are left out of the statement.
 *
 * @param files The listing.
 * @param filter The read's range and host (lower case).
 * @returns The files to read.
 */
export function pinFiles(
  files: ViewFiles,
  filter: { from: number; to: number; host?: string | undefined },
): ViewFiles {
  const first = utcDate(filter.from), last = utcDate(Math.max(filter.from, filter.to - 1));
  const keep = (path: string) => {
    const m = PARTITION.exec(path);
    if (!m) return true;
    const date = m[2]!;
    if (date < first || date > last) return false;
    return filter.host === undefined || canonicalHost(m[1]!) === filter.host;
  };
  return {
    samples: files.samples.filter(keep),
    rollup_1m: files.rollup_1m.filter(keep),
    rollup_1h: files.rollup_1h.filter(keep),
    _fresh_1m: files._fresh_1m.filter(keep),
    _fresh_1h: files._fresh_1h.filter(keep),
  };
}

/**
 * `sql` with every view bound to `files`, and the raw ones (`samples`, `_fresh_1m`,
 * `_fresh_1h`: rows no rollup holds yet) to the buffered rows too.
 *
 * @param sql A statement over the views (may start with its own `WITH`).
 * @param files The files to read.
 * @param buffered A SELECT of the buffered rows with the raw columns (`ts, host, metric,
 * labels, value, date`), or undefined for none.
 * @returns The statement.
 */
export function pinnedSql(sql: string, files: ViewFiles, buffered: string | undefined): string {
  const ctes = (Object.keys(files) as (keyof ViewFiles)[]).map((name) => {
    const body = viewBody(name, files[name]);
    const raw = !name.startsWith("rollup");
    // NOT MATERIALIZED: inlined where it is read, so filters reach the Parquet scans
    return `${name} AS NOT MATERIALIZED (${
      raw && buffered !== undefined ? `${body} UNION ALL ${buffered}` : body
    })`;
  }).join(",\n");
  const text = sql.trimStart();
  return /^WITH\s/i.test(text) ? `WITH ${ctes},\n${text.slice(5)}` : `WITH ${ctes}\n${text}`;
}
