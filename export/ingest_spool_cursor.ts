/**
 * Reading the ingest spool as a queue, as {@linkcode SpoolCursor} reads the collector's: from a
 * position (segment id and byte offset after the last record sent) through the segments still
 * in `DATA/spool_ingest/` and those kept in `DATA/spool_ingest/outbox/`, in order. A record is
 * one accepted request (`/api/ingest`, OTLP, or a receiver's batch), so a position always falls
 * between requests, and a sender resends whole requests or none.
 *
 * Records are read one at a time from their offset (header, then the whole record), so a record
 * still being appended by another process is simply not there yet, and a torn last record
 * (`kill -9` while appending; its request was never answered) is passed over once a newer
 * segment exists.
 *
 * @module
 */

import {
  decodeIngestRecord,
  INGEST_RECORD_HEADER_BYTES,
  INGEST_SPOOL_MAGIC,
  type IngestBatch,
  ingestOutboxDir,
  ingestRecordSize,
  ingestSpoolDir,
  listIngestOutbox,
  listIngestSegments,
  readAt,
} from "../lake/mod.ts";
import { type SpoolPosition, SpoolWalker } from "./_spool_walker.ts";

/** What one {@linkcode IngestSpoolCursor.read} returns. */
export interface IngestSpoolRead {
  /** One batch per record (accepted request), in spool order. */
  batches: IngestBatch[];
  /** Position after them (to save once they are sent). */
  end: SpoolPosition;
  /** Spool bytes read. */
  bytes: number;
  /** Whether the read stopped at its byte budget (more is waiting). */
  full: boolean;
}

/** Records larger than this are taken for a damaged size field (the writer's limits keep a
 * request far below it). */
const MAX_RECORD_BYTES = 1 << 30;

interface Open {
  id: number;
  file: Deno.FsFile;
  /** The segment's series so far (`[host, metric, labels]`, numbered in order). */
  series: [string, string, string][];
  /** Offset of the next record. */
  offset: number;
  /** Whether damaged records were passed over before `offset` (their series are not known). */
  gap: boolean;
  /** Whether damage in it was counted already (as a dropped segment). */
  damaged: boolean;
}

type Next = { batch: IngestBatch; size: number } | "end" | "damaged";

/** Reads ingest spool records after a position, segment after segment. */
export class IngestSpoolCursor extends SpoolWalker<Open> {
  /**
   * @param root Lake root.
   * @param position Where to start; default the start of the oldest segment there is.
   */
  constructor(root: string, position?: SpoolPosition) {
    super({
      spool: ingestSpoolDir(root),
      outbox: ingestOutboxDir(root),
      list: () => [...listIngestSegments(root), ...listIngestOutbox(root)],
    }, position);
  }

  /**
   * Reads the complete records appended after the position, up to about `maxBytes` of spool.
   *
   * @param maxBytes Byte budget (at least one record is read, however large).
   * @returns The records' samples and the position after them.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestWriter } from "../lake/mod.ts";
   * import { IngestSpoolCursor } from "./ingest_spool_cursor.ts";
   * const root = Deno.makeTempDirSync();
   * const ts = Date.UTC(2024, 0, 1);
   * const writer = new IngestWriter({ root, sync: false, now: () => ts });
   * writer.writeBatch({ ts: [ts], host: ["h"], metric: ["m"], labels: [""], value: [1] });
   * const first = new IngestSpoolCursor(root).read(1 << 20);
   * assert.deepEqual(first.batches.map((b) => b.value), [[1]]);
   * writer.writeBatch({ ts: [ts], host: ["h"], metric: ["m"], labels: [""], value: [2] });
   * // a new cursor from the saved position reads only what came after it
   * const again = new IngestSpoolCursor(root, first.end).read(1 << 20);
   * assert.deepEqual(again.batches.map((b) => b.value), [[2]]);
   * writer.close();
   * ```
   */
  read(maxBytes: number): IngestSpoolRead {
    const batches: IngestBatch[] = [];
    let bytes = 0;
    while (bytes < maxBytes || batches.length === 0) {
      const o = this.current ?? this.openNext();
      if (!o) break;
      let next = this.#next(o);
      if (next === "end") {
        // At the end: move on only once a newer segment exists, and only after reading this one
        // again, since the writer stops appending to a segment before it creates the next.
        if (!this.hasNewer(o.id)) break;
        next = this.#next(o);
        if (next === "end") {
          this.leave(o);
          continue;
        }
      }
      if (next === "damaged") {
        if (!o.damaged) this.dropped++;
        this.leave(o);
        continue;
      }
      bytes += next.size;
      batches.push(next.batch);
      o.offset += next.size;
      this.at = { segment: o.id, offset: o.offset };
    }
    return { batches, end: this.position, bytes, full: bytes >= maxBytes };
  }

  /** The record at the open segment's offset, if it is all there. */
  #next(o: Open): Next {
    const header = readAt(o.file, o.offset, INGEST_RECORD_HEADER_BYTES);
    if (header.length < INGEST_RECORD_HEADER_BYTES) return "end";
    const size = ingestRecordSize(header);
    if (size === undefined || size > MAX_RECORD_BYTES) return "damaged";
    const record = readAt(o.file, o.offset, size);
    if (record.length < size) return "end";
    const known = o.series.length;
    try {
      const batch = decodeIngestRecord(record, o.series);
      if (o.gap && o.series.length > known) {
        // Series are numbered by the order they are defined in, and the records passed over may
        // have defined some: the new ones cannot be numbered, so this record cannot be read.
        o.series.length = known;
        return "damaged";
      }
      return { batch, size };
    } catch (error) {
      if (error instanceof RangeError) return "damaged";
      throw error;
    }
  }

  /** Checks a segment just opened and learns its series up to the offset. */
  protected override start(file: Deno.FsFile, id: number, offset: number): Open | undefined {
    const magic = readAt(file, 0, INGEST_SPOOL_MAGIC.length);
    if (!magic.every((b, i) => b === INGEST_SPOOL_MAGIC[i])) {
      file.close();
      this.dropped++;
      return undefined;
    }
    const o: Open = {
      id,
      file,
      series: [],
      offset: INGEST_SPOOL_MAGIC.length,
      gap: false,
      damaged: false,
    };
    if (offset > o.offset) {
      // a segment's series are defined in the record that first uses them: decode the records
      // before the offset again (they were sent) to know them
      while (o.offset < offset) {
        const next = this.#next(o);
        if (typeof next === "string") break;
        o.offset += next.size;
      }
      if (o.offset > offset) {
        // the offset is not between two records: nothing in the segment can be trusted
        file.close();
        this.dropped++;
        return undefined;
      }
      if (o.offset < offset) {
        // Damaged before the offset (after those records were read and sent): pass over the
        // rest of them and go on at the offset, a record boundary, with the series known so far.
        this.dropped++;
        o.damaged = true;
        o.gap = true;
        o.offset = offset;
      }
    }
    this.at = { segment: id, offset: o.offset };
    return o;
  }
}
