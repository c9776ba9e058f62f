/**
 * Private: how a request goes to the SQL sandbox's process. One JSON line, then, when the
 * statement has buffered rows, their number columns as bytes (ts and value as float64, series as
 * int32, each column whole, in this machine's byte order): 20 bytes a row that neither side
 * formats or parses. As JSON the numbers cost more than DuckDB's appends: with 500,000 rows
 * ~0.3 s to write and ~0.4 s to read of ~3 s (one run on the shared machine).
 *
 * @module
 */
import { type BufferedColumns, type BufferedFilter, EVERY_ROW } from "../lake/mod.ts";

/** Files behind each view, by view name. */
export type Files = Record<string, string[]>;

/** A request to the query process (`_sql_child.ts`). */
export interface ChildRequest {
  sql: string;
  format: "json" | "csv";
  /** Ask which buffered rows the statement can need before sending them: the process answers
   * `{"need": WireFilter}` once the statement passed its checks, and waits for a second
   * message with `files` and `buffered` (see `_sql_process.ts`). Default false. */
  ask?: boolean;
  /** The files behind each view, listed by the server with `buffered` (default: listed there). */
  files?: Files;
  /** Rows not yet in Parquet that `samples` shows with `files` (none when absent; their number
   * columns travel as bytes). */
  buffered?: BufferedColumns;
}

/** A {@linkcode BufferedFilter} as JSON (the metrics as a list). */
export type WireFilter = Omit<BufferedFilter, "metrics"> & { metrics?: string[] };

/** A filter as JSON. */
export function wireFilter(filter: BufferedFilter): WireFilter {
  const { metrics, ...rest } = filter;
  return metrics === undefined ? rest : { ...rest, metrics: [...metrics] };
}

/**
 * A filter from JSON, as the query process sent it: checked and kept within
 * {@linkcode EVERY_ROW}, so whatever the process says it never gets a row it would not get
 * without pruning (anything malformed gives every row).
 *
 * @param wire The filter.
 * @returns The filter.
 */
export function filterOfWire(wire: unknown): BufferedFilter {
  if (typeof wire !== "object" || wire === null) return EVERY_ROW;
  const { from, to, host, labels, metrics } = wire as Record<string, unknown>;
  const text = (v: unknown) => v === undefined || typeof v === "string";
  const list = metrics === undefined ||
    (Array.isArray(metrics) && metrics.every((m) => typeof m === "string"));
  if (typeof from !== "number" || typeof to !== "number" || !text(host) || !text(labels)) {
    return EVERY_ROW;
  }
  if (!list || Number.isNaN(from) || Number.isNaN(to)) return EVERY_ROW;
  return {
    from: Math.max(from, EVERY_ROW.from),
    to: Math.min(to, EVERY_ROW.to),
    ...(host !== undefined && { host: host as string }),
    ...(labels !== undefined && { labels: labels as string }),
    ...(metrics !== undefined && { metrics: new Set(metrics as string[]) }),
  };
}

/** The JSON line of a request with buffered rows: the series tables and the count of rows. */
type WireBuffered = Omit<BufferedColumns, "ts" | "value" | "series"> & { rows: number };

const encoder = new TextEncoder();

/**
 * The bytes of a request.
 *
 * @param request The request.
 * @param json Send the rows inside the JSON line instead (the earlier form, still read, kept
 * to compare: `bench/query_buffered_bench.ts`). Default false.
 * @returns Its JSON line, then the rows' bytes if it has rows.
 */
export function requestBytes(request: ChildRequest, json = false): Uint8Array[] {
  const { buffered, ...rest } = request;
  const n = buffered?.ts.length ?? 0;
  if (buffered === undefined || n === 0) return [encoder.encode(JSON.stringify(rest) + "\n")];
  if (json) return [encoder.encode(JSON.stringify(request) + "\n")];
  const { host, metric, labels, date } = buffered;
  const wire: WireBuffered = { rows: n, host, metric, labels, date };
  const bytes = new ArrayBuffer(n * 20);
  new Float64Array(bytes, 0, n).set(buffered.ts);
  new Float64Array(bytes, n * 8, n).set(buffered.value);
  new Int32Array(bytes, n * 16, n).set(buffered.series);
  return [
    encoder.encode(JSON.stringify({ ...rest, buffered: wire }) + "\n"),
    new Uint8Array(bytes),
  ];
}

/** Reads requests from a byte stream (the process's stdin). */
export class RequestReader {
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Bytes read and not yet taken, oldest first (joined only when taken: no quadratic copy). */
  #chunks: Uint8Array[] = [];
  #have = 0;

  /** @param stream Where requests come from. */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  /**
   * The next request, or undefined at the end of the stream.
   *
   * @returns The request, its rows' columns as views of the bytes read.
   * @throws {Error} If the stream ends inside a request.
   */
  async next(): Promise<ChildRequest | undefined> {
    let length = -1;
    let searched = 0; // bytes already searched for the line's end
    while (length < 0) {
      const at = this.#find(searched);
      if (at >= 0) length = at;
      else {
        searched = this.#have;
        if (!(await this.#more())) {
          if (this.#have === 0) return undefined;
          throw new Error("Request cut short");
        }
      }
    }
    const line = new TextDecoder().decode(this.#take(length + 1).subarray(0, length));
    const parsed = JSON.parse(line) as
      & Omit<ChildRequest, "buffered">
      & { buffered?: WireBuffered | BufferedColumns };
    const { buffered: wire, ...request } = parsed;
    if (wire === undefined) return request;
    if (!("rows" in wire)) return { ...request, buffered: wire }; // the rows in the line
    const n = wire.rows;
    while (this.#have < n * 20) {
      if (!(await this.#more())) throw new Error("Request cut short");
    }
    const bytes = this.#take(n * 20);
    const { host, metric, labels, date } = wire;
    const buffer = bytes.buffer, base = bytes.byteOffset;
    const buffered: BufferedColumns = {
      ts: new Float64Array(buffer, base, n),
      value: new Float64Array(buffer, base + n * 8, n),
      series: new Int32Array(buffer, base + n * 16, n),
      host,
      metric,
      labels,
      date,
    };
    return { ...request, buffered };
  }

  async #more(): Promise<boolean> {
    const { value, done } = await this.#reader.read();
    if (done) return false;
    this.#chunks.push(value);
    this.#have += value.length;
    return true;
  }

  /** Where the first newline at or after byte `from` of the unread bytes is, or -1. */
  #find(from: number): number {
    let offset = 0;
    for (const c of this.#chunks) {
      if (from < offset + c.length) {
        const i = c.indexOf(10, Math.max(0, from - offset));
        if (i >= 0) return offset + i;
      }
      offset += c.length;
    }
    return -1;
  }

  /** The next `n` unread bytes, in a buffer of their own (aligned for the typed views). */
  #take(n: number): Uint8Array<ArrayBuffer> {
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.#chunks[0]!;
      const m = Math.min(n - filled, c.length);
      out.set(c.subarray(0, m), filled);
      filled += m;
      if (m === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(m);
    }
    this.#have -= n;
    return out;
  }
}
