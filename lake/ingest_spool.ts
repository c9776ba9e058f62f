/**
 * The ingest spool: pushed samples (`POST /api/ingest`) are appended here before the request is
 * answered, and written to Parquet in batches by `IngestWriter`. It lives beside the collector's
 * spool, in `DATA/spool_ingest/`, so neither reads the other's segments.
 *
 * A segment `<id>.seg` is a sequence of records, one per request: a header line `#<bytes>\n`
 * followed by that many bytes of validated JSON lines (the body as it came, ending in `\n`). A
 * record cut short by a crash is dropped whole on replay, so a request is all or nothing.
 * `plan.json` lists the Parquet files a flush wrote, and from which segments, so a replay after a
 * crash between the Parquet rename and the segment deletion writes nothing twice.
 *
 * @module
 */
import { LakeError } from "./errors.ts";
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

/**
 * Lists the ingest segments, oldest first.
 *
 * @param root Lake root.
 * @returns Segment ids and paths.
 */
export function listIngestSegments(root: string): { id: number; path: string }[] {
  const out: { id: number; path: string }[] = [];
  try {
    for (const e of Deno.readDirSync(ingestSpoolDir(root))) {
      const m = e.isFile ? e.name.match(/^(\d+)\.seg$/) : null;
      if (m) out.push({ id: Number(m[1]), path: `${ingestSpoolDir(root)}/${e.name}` });
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return out.sort((a, b) => a.id - b.id);
}

/** An open ingest segment that records are appended to. */
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
  const bytes = Deno.readFileSync(path);
  const out: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const nl = bytes.indexOf(10, at);
    if (nl < 0 || bytes[at] !== 35) break;
    const size = Number(decoder.decode(bytes.subarray(at + 1, nl)));
    // a negative size (a damaged header) would step back and read the same record forever
    if (!Number.isInteger(size) || size < 0 || nl + 1 + size > bytes.length) break;
    out.push(decoder.decode(bytes.subarray(nl + 1, nl + 1 + size)));
    at = nl + 1 + size;
  }
  return out;
}

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
