/**
 * Reading the collector's spool as a queue: from a position (segment id and byte offset after
 * the last record sent) through the segments still in `DATA/spool/` and those kept in
 * `DATA/spool/outbox/`, in order. Positions are kept on disk (written atomically), so a restart
 * resumes where the receiver's last acknowledgement left off.
 *
 * @module
 */

import {
  ingestReadersDir,
  listIngestOutbox,
  listOutbox,
  listSegments,
  outboxDir,
  SpoolDecoder,
  spoolDir,
  spoolReadersDir,
  type SpoolSnapshot,
} from "../lake/mod.ts";
import { type SpoolPosition, SpoolWalker } from "./_spool_walker.ts";

/** Which spool a reader follows: the collector's (`DATA/spool/`, the default) or the ingest
 * spool (`DATA/spool_ingest/`: `/api/ingest`, OTLP, StatsD, scrape targets and probes). */
export type SpoolQueue = "collector" | "ingest";

function readersDir(root: string, queue: SpoolQueue): string {
  return queue === "ingest" ? ingestReadersDir(root) : spoolReadersDir(root);
}

export type { SpoolPosition };

/** What one {@linkcode SpoolCursor.read} returns. */
export interface SpoolRead {
  /** Snapshots in spool order. */
  snapshots: SpoolSnapshot[];
  /** Position after them (to save once they are sent). */
  end: SpoolPosition;
  /** Spool bytes read. */
  bytes: number;
  /** Whether the read stopped at its byte budget (more is waiting). */
  full: boolean;
}

interface Open {
  id: number;
  file: Deno.FsFile;
  decoder: SpoolDecoder;
  /** Bytes fed to the decoder. */
  fed: number;
  /** Whether damage in it was counted already (as a dropped segment). */
  damaged: boolean;
}

const buffer = new Uint8Array(1 << 16);

/** Reads spool snapshots after a position, segment after segment. */
export class SpoolCursor extends SpoolWalker<Open> {
  /**
   * @param root Lake root.
   * @param position Where to start; default the start of the oldest segment there is.
   */
  constructor(root: string, position?: SpoolPosition) {
    super({
      spool: spoolDir(root),
      outbox: outboxDir(root),
      list: () => [...listSegments(root), ...listOutbox(root)],
    }, position);
  }

  /**
   * Reads the complete snapshots appended after the position, up to about `maxBytes` of spool.
   *
   * @param maxBytes Byte budget (at least one record is read past it if it is large).
   * @returns The snapshots and the position after them.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { SpoolWriter } from "../lake/mod.ts";
   * import { SpoolCursor } from "./spool_cursor.ts";
   * const root = Deno.makeTempDirSync();
   * const w = new SpoolWriter(root, 5);
   * w.append([{ ts: 5, host: "h", metric: "m", labels: "", value: 1 }]);
   * const cursor = new SpoolCursor(root);
   * const first = cursor.read(1 << 20);
   * assert.equal(first.snapshots.length, 1);
   * w.append([{ ts: 6, host: "h", metric: "m", labels: "", value: 2 }]);
   * // a new cursor from the saved position reads only what came after it
   * const again = new SpoolCursor(root, first.end).read(1 << 20);
   * assert.deepEqual(again.snapshots.map((s) => s.ts), [6]);
   * w.close();
   * ```
   */
  read(maxBytes: number): SpoolRead {
    const snapshots: SpoolSnapshot[] = [];
    let bytes = 0;
    while (bytes < maxBytes || snapshots.length === 0) {
      const o = this.current ?? this.openNext();
      if (!o) break;
      const n = o.file.readSync(buffer.subarray(0, Math.min(buffer.length, maxBytes)));
      if (n === null || n === 0) {
        // At the end: move on only once a newer segment exists, and only after reading this one
        // again, since the collector finishes a segment before it creates the next.
        if (!this.hasNewer(o.id)) break;
        const m = o.file.readSync(buffer);
        if (m !== null && m > 0) {
          bytes += m;
          this.#feed(o, buffer.subarray(0, m), snapshots);
          continue;
        }
        this.leave(o);
        continue;
      }
      bytes += n;
      this.#feed(o, buffer.subarray(0, n), snapshots);
    }
    return { snapshots, end: this.position, bytes, full: bytes >= maxBytes };
  }

  #feed(o: Open, chunk: Uint8Array, out: SpoolSnapshot[]): void {
    o.fed += chunk.length;
    for (const s of o.decoder.push(chunk)) out.push(s);
    if (o.decoder.broken) {
      // damaged bytes: nothing after them can be read; go on with the next segment
      this.#damaged(o);
      this.leave(o);
      return;
    }
    this.at = { segment: o.id, offset: o.fed - o.decoder.pendingBytes };
  }

  /** Counts a segment's damage once (it may break again after a resync). */
  #damaged(o: Open): void {
    if (!o.damaged) this.dropped++;
    o.damaged = true;
  }

  /** Skips to the offset in a segment just opened. */
  protected override start(file: Deno.FsFile, id: number, offset: number): Open | undefined {
    const o: Open = { id, file, decoder: new SpoolDecoder(), fed: 0, damaged: false };
    if (offset > 0) {
      // the series of a segment are defined before their first snapshot: decode the bytes
      // before the offset again (their snapshots were sent) to know them
      while (o.fed < offset && !o.decoder.broken) {
        const n = file.readSync(buffer.subarray(0, Math.min(buffer.length, offset - o.fed)));
        if (n === null || n === 0) break;
        o.fed += n;
        o.decoder.push(buffer.subarray(0, n));
      }
      if (o.decoder.broken) {
        // Damaged before the offset (after those records were read and sent): pass over the
        // rest of them and go on at the offset, a record boundary, with the series known so far
        // (a record needing one defined in the bytes passed over breaks the decoding there).
        this.#damaged(o);
        if (!o.decoder.resume()) {
          this.leave(o);
          return undefined;
        }
        file.seekSync(offset, Deno.SeekMode.Start);
        o.fed = offset;
      }
    }
    this.at = { segment: id, offset: o.fed };
    return o;
  }
}

/**
 * Reads a reader's saved position (`DATA/spool/readers/<name>.json`, or
 * `DATA/spool_ingest/readers/<name>.json` for the ingest spool).
 *
 * @param root Lake root.
 * @param name Reader name.
 * @param queue The spool; default the collector's.
 * @returns The position, or `undefined` if none was saved (or the file is unreadable).
 */
export function readPosition(
  root: string,
  name: string,
  queue: SpoolQueue = "collector",
): SpoolPosition | undefined {
  try {
    const o = JSON.parse(Deno.readTextFileSync(`${readersDir(root, queue)}/${name}.json`));
    if (Number.isFinite(o?.segment) && Number.isFinite(o?.offset)) {
      return { segment: o.segment, offset: o.offset };
    }
  } catch {
    // none yet
  }
  return undefined;
}

/**
 * Saves a reader's position atomically (a whole file renamed into place). The file also
 * registers the reader: while it exists, flushed segments are kept in the outbox for it.
 *
 * @param root Lake root.
 * @param name Reader name.
 * @param position The position.
 * @param extra Fields stored beside it (e.g. the URL), for people reading the file.
 * @param queue The spool; default the collector's.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readPosition, savePosition } from "./spool_cursor.ts";
 * const root = Deno.makeTempDirSync();
 * savePosition(root, "rw", { segment: 7, offset: 64 });
 * assert.deepEqual(readPosition(root, "rw"), { segment: 7, offset: 64 });
 * ```
 */
export function savePosition(
  root: string,
  name: string,
  position: SpoolPosition,
  extra: Record<string, unknown> = {},
  queue: SpoolQueue = "collector",
): void {
  // no fsync: the position is a page-cache write like the spool itself (kill -9 keeps both).
  // A whole file renamed into place, in two calls (this runs every batch, interpreted).
  const dir = readersDir(root, queue);
  const path = `${dir}/${name}.json`;
  const tmp = `${path}.${Deno.pid}.tmp`;
  const text = JSON.stringify({ ...position, ...extra }) + "\n";
  try {
    Deno.writeTextFileSync(tmp, text);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    Deno.mkdirSync(dir, { recursive: true });
    Deno.writeTextFileSync(tmp, text);
  }
  Deno.renameSync(tmp, path);
}

/**
 * Deletes outbox segments that every registered reader has sent whole.
 *
 * @param root Lake root.
 * @param queue The spool; default the collector's.
 * @returns The number of segments deleted.
 */
export function pruneOutbox(root: string, queue: SpoolQueue = "collector"): number {
  let min = Infinity;
  try {
    for (const e of Deno.readDirSync(readersDir(root, queue))) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      const p = readPosition(root, e.name.slice(0, -5), queue);
      min = Math.min(min, p ? p.segment : 0);
    }
  } catch {
    return 0;
  }
  let deleted = 0;
  for (const s of queue === "ingest" ? listIngestOutbox(root) : listOutbox(root)) {
    if (s.id >= min) break;
    try {
      Deno.removeSync(s.path);
      deleted++;
    } catch {
      // another reader deleted it first
    }
  }
  return deleted;
}
