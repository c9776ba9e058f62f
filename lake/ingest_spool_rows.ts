/**
 * Another process's pushed samples not yet in Parquet, read from its ingest spool on disk
 * (`DATA/spool_ingest/`): what the `query` command adds to `samples` for a `serve` that is
 * running or was killed, whose in-memory buffer it cannot see. Every acknowledged row is in a
 * segment until its generation is all in Parquet.
 *
 * Each row once, from the order the ingest writer keeps: before a Parquet file's rename,
 * `plan.json` names it (partition, id, the segments its rows came from); the generation's
 * segments are deleted only once all its files are renamed, and the plan is emptied only after
 * that. So a read that takes the segments first, then the lake's listing, then the plan, and
 * finds every segment it read still there, holds in that plan every file of theirs the listing
 * can hold: a row whose file the listing holds is left out. A segment gone by then (its
 * generation finished meanwhile, the plan maybe emptied) makes the read {@linkcode stale}: the
 * caller takes a new listing and reads again.
 *
 * @module
 */

import type { BufferedFilter, BufferedRows, StoredFile } from "./buffered_rows.ts";
import { emptyBufferedRows } from "./buffered_rows.ts";
import { type IngestPlanEntry, listIngestSegments, readIngestPlan } from "./ingest_spool.ts";
import { decodeIngestSegment } from "./ingest_spool_format.ts";
import type { IngestBatch } from "./ingest_lines.ts";
import { utcDate } from "./_paths.ts";
import { canonicalHost, hostNameProblem } from "./names.ts";
import { quantizeValue } from "./quantize_value.ts";

/** The segments read, before the lake's listing. */
export interface IngestSpoolRead {
  /** Each binary segment's id, path and decoded records. */
  segments: { id: number; path: string; batches: IngestBatch[] }[];
}

/**
 * Reads the ingest spool's binary segments whole (a torn last record, a request never
 * answered, is left out). Legacy JSON-lines segments (`.seg`, written by versions before the
 * binary form and replayed by the next `serve`) are not read.
 *
 * @param root Lake root.
 * @returns The segments.
 */
export function readIngestSpool(root: string): IngestSpoolRead {
  const segments: IngestSpoolRead["segments"] = [];
  for (const seg of listIngestSegments(root)) {
    if (seg.format !== "binary") continue;
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(seg.path);
    } catch (error) {
      // retired between the listing and the read: its rows are in Parquet before the listing
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    segments.push({ id: seg.id, path: seg.path, batches: decodeIngestSegment(bytes).batches });
  }
  return { segments };
}

/**
 * Whether a segment read is gone now: the rows of a read that finds one are not settled against
 * its listing (see the module doc), and the read is taken again.
 *
 * @param read What {@linkcode readIngestSpool} read.
 * @returns True if any of its segments was deleted or moved since.
 */
export function stale(read: IngestSpoolRead): boolean {
  return read.segments.some((s) => {
    try {
      Deno.statSync(s.path);
      return false;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return true;
      throw error;
    }
  });
}

/**
 * The rows of `read` matching `filter` that the listing behind `stored` does not hold, as
 * Parquet will hold them (lower-case host, finite values, `quantizeValue`). Call it after the
 * listing is made, then {@linkcode stale}.
 *
 * @param root Lake root (for `plan.json`, read now).
 * @param read The segments, read before the listing.
 * @param filter Which rows.
 * @param stored Whether the listing holds a partition's file `id`.
 * @returns The rows.
 */
export function ingestSpoolRows(
  root: string,
  read: IngestSpoolRead,
  filter: BufferedFilter,
  stored: StoredFile,
): BufferedRows {
  const plan = readIngestPlan(root);
  const out = emptyBufferedRows();
  const sids = new Map<string, number>();
  const { from, to, host, metrics, labels } = filter;
  for (const seg of read.segments) {
    const held = new Map<string, boolean>(); // per host and date: a listed file holds this segment
    for (const b of seg.batches) {
      for (let i = 0; i < b.ts.length; i++) {
        const ts = b.ts[i]!, v = b.value[i]!;
        if (!(ts >= from && ts < to) || !Number.isFinite(v)) continue;
        if (metrics !== undefined && !metrics.has(b.metric[i]!)) continue;
        if (labels !== undefined && b.labels[i] !== labels) continue;
        const h = canonicalHost(b.host[i]!);
        if ((host !== undefined && h !== host) || hostNameProblem(h) !== undefined) continue;
        const date = utcDate(ts);
        const part = `${h}\n${date}`;
        let inListing = held.get(part);
        if (inListing === undefined) {
          held.set(part, inListing = listed(plan, seg.id, h, date, stored));
        }
        if (inListing) continue;
        const key = `${part}\n${b.metric[i]}\n${b.labels[i]}`;
        let sid = sids.get(key);
        if (sid === undefined) {
          sids.set(key, sid = out.host.length);
          out.host.push(h), out.metric.push(b.metric[i]!), out.labels.push(b.labels[i]!);
          out.date.push(date);
        }
        out.ts.push(ts), out.value.push(quantizeValue(v)), out.series.push(sid);
      }
    }
  }
  return out;
}

/** Whether the listing holds the file a plan entry says took segment `id`'s rows of a partition. */
function listed(
  plan: readonly IngestPlanEntry[],
  id: number,
  host: string,
  date: string,
  stored: StoredFile,
): boolean {
  return plan.some((e) =>
    e.date === date && canonicalHost(e.host) === host && e.segments.includes(id) &&
    stored(host, date, e.id)
  );
}
