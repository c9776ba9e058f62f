/**
 * Private: a statement's rows as the bytes `POST /api/query` sends, within a row and a byte
 * limit (run in the query process, so the server only forwards bytes).
 *
 * @module
 */
import { type DuckDBPreparedStatement, JsonDuckDBValueConverter } from "@duckdb/node-api";
import { csvLine } from "../format/mod.ts";

/** A byte buffer that refuses to grow past its limit. */
class Body {
  #bytes = new Uint8Array(64 * 1024);
  #length = 0;
  #encoder = new TextEncoder();
  constructor(readonly limit: number) {}
  get length(): number {
    return this.#length;
  }
  /** Appends text; false (and nothing appended) when it would pass `limit - reserve`. */
  append(text: string, reserve = 0): boolean {
    const room = this.limit - reserve - this.#length;
    if (text.length > room) return false;
    for (;;) {
      const free = this.#bytes.subarray(this.#length);
      const { read, written } = this.#encoder.encodeInto(text, free);
      if (read === text.length) {
        if (written > room) return false;
        this.#length += written;
        return true;
      }
      if (this.#bytes.length >= this.limit) return false;
      const next = new Uint8Array(Math.min(this.limit, this.#bytes.length * 2 + text.length * 3));
      next.set(this.#bytes.subarray(0, this.#length));
      this.#bytes = next;
    }
  }
  bytes(): Uint8Array {
    return this.#bytes.subarray(0, this.#length);
  }
}

/**
 * Streams a prepared statement's rows into JSON (`{"columns", "rows", "truncated"}`) or CSV (a
 * header row, RFC 4180 quoting with LF line ends, as every perfscope CSV), stopping at `rowLimit` rows or before `maxBytes` bytes.
 *
 * @param prepared The statement.
 * @param format `json` or `csv`.
 * @param limits Most rows and most bytes.
 * @returns The body and whether rows were left out.
 */
export async function serializeRows(
  prepared: DuckDBPreparedStatement,
  format: "json" | "csv",
  limits: { rowLimit: number; maxBytes: number },
): Promise<{ body: Uint8Array; truncated: boolean }> {
  const result = await prepared.stream();
  const names = result.columnNames();
  const types = result.columnTypes().map(String);
  const body = new Body(limits.maxBytes);
  const json = format === "json";
  const reserve = json ? 24 : 0; // room for `],"truncated":false}`
  const head = json
    ? `{"columns":${JSON.stringify(names.map((name, i) => ({ name, type: types[i] })))},"rows":[`
    : csvLine(names);
  let truncated = !body.append(head, reserve);
  let rows = 0;
  outer: while (!truncated) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (let r = 0; r < chunk.rowCount; r++) {
      const row = chunk.convertRowValues(r, JsonDuckDBValueConverter);
      const text = json ? (rows ? "," : "") + JSON.stringify(row) : csvLine(row);
      if (rows === limits.rowLimit || !body.append(text, reserve)) {
        truncated = true;
        break outer;
      }
      rows++;
    }
  }
  if (json) body.append(`],"truncated":${truncated}}`);
  return { body: body.bytes(), truncated };
}
