/**
 * The ingest spool: pushed samples (`POST /api/ingest`) are appended here before the request is
 * answered, and written to Parquet in batches by `IngestWriter`. It lives beside the collector's
 * spool, in `DATA/spool_ingest/`, so neither reads the other's segments.
 *
 * Segments are written in the binary form of `ingest_spool_format.ts` (`<id>.ispool`, see
 * {@linkcode IngestSpoolSegment}). Versions before it wrote JSON lines, still replayed:
 * a segment `<id>.seg` is a sequence of records, one per request: a header line `#<bytes>\n`
 * followed by that many bytes of validated JSON lines (the body as it came, ending in `\n`). A
 * record cut short by a crash is dropped whole on replay, so a request is all or nothing; a
 * damaged header in the middle is counted (see {@linkcode readIngestRecords}), and the writer
 * keeps such a segment in the quarantine.
 * Readers (the remote-write senders, `export/`) hold segments back as they do the collector's
 * spool: while `spool_ingest/readers/` names one (a `<name>.json` position file), a segment
 * whose rows are in Parquet is moved to `spool_ingest/outbox/` instead of being deleted
 * ({@linkcode retireIngestSegment}), and the readers delete it once every one of them has sent
 * it; the outbox is capped (oldest first) and is not part of the spool's disk budget.
 * `plan.json` lists the Parquet files a flush wrote, and from which segments, so a replay after a
 * crash between the Parquet rename and the segment deletion writes nothing twice.
 *
 * @module
 */
import { hasReaders, moveToOutbox } from "./_outbox.ts";
import { LakeError } from "./errors.ts";
import { INGEST_SPOOL_MAGIC } from "./ingest_spool_format.ts";
import { errorText, writeFileAtomic } from "./write_file_atomic.ts";

/** One Parquet file a flush wrote: its partition, id, and the segments its rows came from. */
export interface IngestPlanEntry {
  host: string;
  date: string;
  id: number;
  segments: number[];
  /** Set once the file is renamed into place (before that the entry is only an intent). */
  done?: boolean;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const NEWLINE = new Uint8Array([10]);

/** The ingest spool directory of a lake root. */
export function ingestSpoolDir(root: string): string {
  return `${root}/spool_ingest`;
}

/** Where readers of the ingest spool keep their positions (`<name>.json`). */
export function ingestReadersDir(root: string): string {
  return `${root}/spool_ingest/readers`;
}

/** Where ingest segments written to Parquet wait for the readers that have not sent them. */
export function ingestOutboxDir(root: string): string {
  return `${root}/spool_ingest/outbox`;
}

/** Default cap on the ingest outbox, bytes: 1 GiB (about 100 million samples). */
export const INGEST_OUTBOX_MAX_BYTES = 1 << 30;

/** One segment file of the ingest spool. */
export interface IngestSegmentFile {
  /** ms when it was opened. */
  id: number;
  path: string;
  /** `"binary"` (`<id>.ispool`, written now) or `"jsonl"` (`<id>.seg`, older versions; only
   * replayed). */
  format: "binary" | "jsonl";
  /** Its size in bytes when listed. */
  bytes: number;
}

/**
 * Lists the ingest segments, oldest first.
 *
 * @param root Lake root.
 * @returns Segment ids, paths, formats and sizes.
 */
export function listIngestSegments(root: string): IngestSegmentFile[] {
  return listIn(ingestSpoolDir(root));
}

/**
 * Lists the ingest outbox's segments (in Parquet, not yet sent by every reader), oldest first.
 *
 * @param root Lake root.
 * @returns Segment ids, paths, formats and sizes.
 */
export function listIngestOutbox(root: string): IngestSegmentFile[] {
  return listIn(ingestOutboxDir(root));
}

/**
 * Retires an ingest segment whose rows are in Parquet: deleted, or, while readers are
 * registered in {@linkcode ingestReadersDir}, moved to the outbox, which is then cut to its cap.
 *
 * @param root Lake root.
 * @param path The segment file (closed).
 * @param options `outboxMaxBytes`: the cap, default {@linkcode INGEST_OUTBOX_MAX_BYTES};
 * `onDrop`: where a cut that drops segments some reader had not sent is told (one line),
 * default `console.error`.
 * @returns `"deleted"` or `"kept"`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ingestReadersDir, listIngestOutbox, retireIngestSegment } from "./ingest_spool.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(ingestReadersDir(root), { recursive: true });
 * Deno.writeTextFileSync(`${ingestReadersDir(root)}/rw.json`, "{}");
 * Deno.writeTextFileSync(`${root}/spool_ingest/000000000000001.ispool`, "x");
 * assert.equal(retireIngestSegment(root, `${root}/spool_ingest/000000000000001.ispool`), "kept");
 * assert.deepEqual(listIngestOutbox(root).map((s) => s.id), [1]);
 * ```
 */
export function retireIngestSegment(
  root: string,
  path: string,
  options: { outboxMaxBytes?: number | undefined; onDrop?: (line: string) => void } = {},
): "deleted" | "kept" {
  if (!hasReaders(ingestReadersDir(root))) {
    Deno.removeSync(path);
    return "deleted";
  }
  moveToOutbox(
    path,
    ingestOutboxDir(root),
    () => listIngestOutbox(root).map((s) => s.path),
    {
      maxBytes: options.outboxMaxBytes ?? INGEST_OUTBOX_MAX_BYTES,
      readers: ingestReadersDir(root),
      log: options.onDrop,
    },
  );
  return "kept";
}

function listIn(dir: string): IngestSegmentFile[] {
  const out: IngestSegmentFile[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      const m = e.isFile ? e.name.match(/^(\d+)\.(seg|ispool)$/) : null;
      if (!m) continue;
      const path = `${dir}/${e.name}`;
      let bytes = 0;
      try {
        bytes = Deno.statSync(path).size;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
        continue;
      }
      out.push({ id: Number(m[1]), path, format: m[2] === "seg" ? "jsonl" : "binary", bytes });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort((a, b) => a.id - b.id || a.path.localeCompare(b.path));
}

/** Whether an error is the disk (or the quota) being full. */
export function isDiskFull(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 4; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === "ENOSPC" || code === "EDQUOT") return true;
    if (/No space left on device|quota exceeded/i.test(e.message)) return true;
  }
  return false;
}

/**
 * An open binary ingest segment (`<id>.ispool`, see `ingest_spool_format.ts`) that records are
 * appended to, one `write(2)` each. A failed append is cut off again, so the segment never holds
 * half a record followed by whole ones.
 */
export class IngestSpoolSegment {
  readonly id: number;
  readonly path: string;
  #file: Deno.FsFile;
  #size: number;

  /**
   * Creates `<root>/spool_ingest/<id>.ispool` with its magic bytes.
   *
   * @param root Lake root.
   * @param id Segment id (ms when it was opened).
   * @throws {LakeError} If the spool cannot be written.
   */
  constructor(root: string, id: number) {
    this.id = id;
    this.path = `${ingestSpoolDir(root)}/${String(id).padStart(15, "0")}.ispool`;
    try {
      this.#file = openNew(this.path, ingestSpoolDir(root));
    } catch (error) {
      throw new LakeError(`Cannot write ingest spool: ${this.path} (${errorText(error)})`, {
        cause: error,
      });
    }
    this.#size = 0;
    try {
      this.append(INGEST_SPOOL_MAGIC);
    } catch (error) {
      this.close(true);
      throw error;
    }
  }

  /** Bytes in the segment. */
  get size(): number {
    return this.#size;
  }

  /**
   * Appends bytes (one record).
   *
   * @param bytes The record.
   * @throws {LakeError} If the write fails (its `cause` tells a full disk, see
   * {@linkcode isDiskFull}); the segment is cut back to its size before the call.
   */
  append(bytes: Uint8Array): void {
    try {
      writeAll(this.#file, bytes);
      this.#size += bytes.length;
    } catch (error) {
      try {
        this.#file.truncateSync(this.#size);
        this.#file.seekSync(this.#size, Deno.SeekMode.Start);
      } catch {
        // the record is torn at the end; a restart replays the records before it
      }
      throw new LakeError(`Cannot write ingest spool: ${errorText(error)}`, { cause: error });
    }
  }

  /** Closes the file; with `remove` also deletes it. */
  close(remove = false): void {
    this.#file.close();
    if (remove) Deno.removeSync(this.path);
  }
}

/** An open JSON-lines ingest segment (the format before `IngestSpoolSegment`; kept to write
 * test fixtures and for tools that read old spools). */
export class IngestSegment {
  readonly id: number;
  readonly path: string;
  #file: Deno.FsFile;

  /**
   * Creates (or appends to) `<root>/spool_ingest/<id>.seg`.
   *
   * @param root Lake root.
   * @param id Segment id (ms when it was opened).
   * @throws {LakeError} If the spool cannot be written.
   */
  constructor(root: string, id: number) {
    this.id = id;
    this.path = `${ingestSpoolDir(root)}/${String(id).padStart(15, "0")}.seg`;
    try {
      Deno.mkdirSync(ingestSpoolDir(root), { recursive: true });
      this.#file = Deno.openSync(this.path, { append: true, create: true });
    } catch (error) {
      throw new LakeError(`Cannot write ingest spool: ${this.path} (${errorText(error)})`, {
        cause: error,
      });
    }
  }

  /**
   * Appends one record (one request's validated lines) with two writes to the OS.
   *
   * @param body The lines; a missing final newline is added.
   * @throws {LakeError} If the write fails (disk full).
   */
  append(body: Uint8Array): void {
    const nl = body.length > 0 && body[body.length - 1] !== 10;
    const header = encoder.encode(`#${body.length + (nl ? 1 : 0)}\n`);
    try {
      writeAll(this.#file, header);
      writeAll(this.#file, body);
      if (nl) writeAll(this.#file, NEWLINE);
    } catch (error) {
      throw new LakeError(`Cannot write ingest spool: ${errorText(error)}`, { cause: error });
    }
  }

  /** Closes the file; with `remove` also deletes it. */
  close(remove = false): void {
    this.#file.close();
    if (remove) Deno.removeSync(this.path);
  }
}

/** Creates a new file, and its directory only when it is missing (a segment is opened every
 * flush: the directory is there but for the first, or after someone deleted it). */
function openNew(path: string, dir: string): Deno.FsFile {
  try {
    return Deno.openSync(path, { write: true, createNew: true });
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  Deno.mkdirSync(dir, { recursive: true });
  return Deno.openSync(path, { write: true, createNew: true });
}

function writeAll(file: Deno.FsFile, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
}

/**
 * Reads the complete records of a segment; a torn or malformed tail is dropped.
 *
 * @param path Segment path.
 * @returns Each record's text.
 */
export function readIngestSegment(path: string): string[] {
  return readIngestRecords(path).records;
}

/** A segment's records, and the bytes after them that are damage rather than a torn record. */
export interface IngestRecords {
  /** Each complete record's text, in order. */
  records: string[];
  /** Bytes from the first damaged record to the end of the file; 0 for a sound segment or one
   * whose last record is only torn (cut short by a crash). */
  undecoded: number;
}

/**
 * Reads the complete records of a segment and tells a torn last record (a crash while appending;
 * dropped, the request was never answered) from damage in the middle (a record not followed by
 * a header, or one that claims more bytes than the file has while more headers follow), which
 * stops the reading and is counted.
 *
 * @param path Segment path.
 * @returns The records and the count of undecoded bytes.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readIngestRecords } from "./ingest_spool.ts";
 * const path = Deno.makeTempFileSync();
 * Deno.writeTextFileSync(path, "#3\n{}\n#30\n{}\n#3\n{}\n"); // a damaged size in the middle
 * assert.deepEqual(readIngestRecords(path), { records: ["{}\n"], undecoded: 13 });
 * Deno.writeTextFileSync(path, "#3\n{}\n#30\n{}\n"); // a torn last record
 * assert.deepEqual(readIngestRecords(path), { records: ["{}\n"], undecoded: 0 });
 * ```
 */
export function readIngestRecords(path: string): IngestRecords {
  const bytes = Deno.readFileSync(path);
  const records: string[] = [];
  let at = 0;
  const damaged = () => ({ records, undecoded: bytes.length - at });
  while (at < bytes.length) {
    const nl = bytes.indexOf(10, at);
    // a header cut short is a torn record; one that is not a header is damage
    if (bytes[at] !== 35) return damaged();
    if (nl < 0) break;
    const size = Number(decoder.decode(bytes.subarray(at + 1, nl)));
    // a negative size (a damaged header) would step back and read the same record forever
    if (!Number.isInteger(size) || size < 0) return damaged();
    const end = nl + 1 + size;
    if (end > bytes.length) {
      // validated JSON lines never start with "#": a header after this one means the size is
      // wrong, not that the record was cut short
      return HEADER.test(decoder.decode(bytes.subarray(nl + 1)))
        ? damaged()
        : { records, undecoded: 0 };
    }
    records.push(decoder.decode(bytes.subarray(nl + 1, end)));
    at = end;
  }
  return { records, undecoded: 0 };
}

const HEADER = /\n#\d+\n/;

/**
 * Reads `plan.json` (empty when absent or unreadable).
 *
 * @param root Lake root.
 * @returns The files earlier flushes wrote from segments still in the spool.
 */
export function readIngestPlan(root: string): IngestPlanEntry[] {
  try {
    const plan = JSON.parse(Deno.readTextFileSync(`${ingestSpoolDir(root)}/plan.json`));
    return Array.isArray(plan) ? plan as IngestPlanEntry[] : [];
  } catch {
    return [];
  }
}

/**
 * Replaces `plan.json` atomically (or deletes it for an empty plan).
 *
 * @param root Lake root.
 * @param plan The entries.
 * @param sync fsync before the rename.
 */
export function writeIngestPlan(root: string, plan: IngestPlanEntry[], sync: boolean): void {
  const path = `${ingestSpoolDir(root)}/plan.json`;
  if (plan.length > 0) writeFileAtomic(path, encoder.encode(JSON.stringify(plan)), { sync });
  else {
    try {
      Deno.removeSync(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  }
}
