/**
 * Private: what the lake's Parquet encoders share: the schema's Thrift enums, pages, the
 * dictionary of a string column and the file around the column chunks (one row group,
 * uncompressed).
 *
 * @module
 */

import { ByteWriter, T } from "./_parquet_bytes.ts";
import { bitWidth } from "./_parquet_rle.ts";

// parquet.thrift enums
export const INT64 = 2;
export const DOUBLE = 5;
export const BYTE_ARRAY = 6;
export const REQUIRED = 0;
export const UTF8 = 0;
export const TIMESTAMP_MILLIS = 9;
export const PLAIN = 0;
export const RLE = 3;
export const RLE_DICTIONARY = 8;
export const DATA_PAGE = 0;
export const DICTIONARY_PAGE = 2;

export interface Chunk {
  name: string;
  type: number;
  /** Dictionary page bytes (with header) or undefined for a PLAIN column. */
  dict: Page | undefined;
  data: Page;
  stats?: [number, number];
}

/** Distinct strings sorted by UTF-16 code units (= byte order for the lake's ASCII names). */
export function dictionary(
  column: ArrayLike<string>,
  n: number,
): { keys: string[]; ids: Uint32Array } {
  const first = new Map<string, number>();
  const raw = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const s = column[i]!;
    let id = first.get(s);
    if (id === undefined) first.set(s, id = first.size);
    raw[i] = id;
  }
  const keys = [...first.keys()].sort();
  const rank = new Uint32Array(keys.length);
  keys.forEach((k, r) => (rank[first.get(k)!] = r));
  for (let i = 0; i < n; i++) raw[i] = rank[raw[i]!]!;
  return { keys, ids: raw };
}

/**
 * A page: its Thrift header and its body, kept apart so that the body (up to 8 bytes a row) is
 * copied once, into the file, and not also into a page of its own first.
 */
export interface Page {
  header: Uint8Array;
  body: Uint8Array;
  /** Header and body bytes. */
  length: number;
}

export function stringDictPage(keys: string[]): Page {
  return dictPage(keys.length, (w) => {
    for (const k of keys) w.plainString(k);
  });
}

export function dictPage(count: number, fill: (w: ByteWriter) => void): Page {
  const body = new ByteWriter(64 + count * 16);
  fill(body);
  return page(DICTIONARY_PAGE, count, PLAIN, body.bytes());
}

/** A data page of dictionary indices: bit width byte, then the hybrid encoding. */
export function indexPage(
  n: number,
  count: number,
  write: (w: ByteWriter, width: number) => void,
): Page {
  const width = bitWidth(count);
  const body = new ByteWriter(64 + Math.ceil((n * width) / 8) + (n >> 2));
  body.byte(width);
  write(body, width);
  return page(DATA_PAGE, n, RLE_DICTIONARY, body.bytes());
}

/** The page of a body: its header (Thrift) made, the body not copied. */
export function page(type: number, count: number, encoding: number, body: Uint8Array): Page {
  const w = new ByteWriter(64);
  w.begin();
  w.i32(1, type);
  w.i32(2, body.length);
  w.i32(3, body.length);
  if (type === DATA_PAGE) {
    w.begin(5);
    w.i32(1, count);
    w.i32(2, encoding);
    w.i32(3, RLE); // definition levels (none: all columns are required)
    w.i32(4, RLE); // repetition levels (none)
    w.end();
  } else {
    w.begin(7);
    w.i32(1, count);
    w.i32(2, encoding);
    w.end();
  }
  w.end();
  const header = w.bytes();
  return { header, body, length: header.length + body.length };
}

/** The file's bytes in one buffer (see {@linkcode assembleParts}). */
export function assemble(chunks: Chunk[], n: number, createdBy: string): Uint8Array {
  const parts = assembleParts(chunks, n, createdBy);
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) out.set(p, at), at += p.length;
  return out;
}

/**
 * The file as the pieces it is made of, in order: the magic, each column chunk's pages (header,
 * body), the footer. Written one after the other they are the file, without a buffer that holds
 * it all at once (the collector's flush of a big host: ~1 MB less at its peak).
 */
export function assembleParts(chunks: Chunk[], n: number, createdBy: string): Uint8Array[] {
  const parts: Uint8Array[] = [MAGIC];
  let pos = MAGIC.length;
  const at: number[] = [];
  for (const c of chunks) {
    at.push(pos);
    if (c.dict) parts.push(c.dict.header, c.dict.body), pos += c.dict.length;
    parts.push(c.data.header, c.data.body);
    pos += c.data.length;
  }
  const dataBytes = pos - 4;
  const out = new ByteWriter(1024);
  out.begin();
  out.i32(1, 2); // version
  out.list(2, T.STRUCT, chunks.length + 1);
  out.begin();
  out.string(4, "root");
  out.i32(5, chunks.length);
  out.end();
  for (const c of chunks) {
    out.begin();
    out.i32(1, c.type);
    out.i32(3, REQUIRED);
    out.string(4, c.name);
    if (c.type === INT64) out.i32(6, TIMESTAMP_MILLIS);
    if (c.type === BYTE_ARRAY) out.i32(6, UTF8);
    out.end();
  }
  out.i64(3, n);
  out.list(4, T.STRUCT, 1);
  out.begin();
  out.list(1, T.STRUCT, chunks.length);
  chunks.forEach((c, k) => {
    const start = at[k]!;
    const bytes = (c.dict?.length ?? 0) + c.data.length;
    out.begin();
    out.i64(2, start);
    out.begin(3);
    out.i32(1, c.type);
    out.list(2, T.I32, c.dict ? 2 : 1);
    out.zigzag(PLAIN);
    if (c.dict) out.zigzag(RLE_DICTIONARY);
    out.list(3, T.BINARY, 1);
    const name = new TextEncoder().encode(c.name);
    out.varint(name.length);
    out.append(name);
    out.i32(4, 0); // UNCOMPRESSED
    out.i64(5, n);
    out.i64(6, bytes);
    out.i64(7, bytes);
    out.i64(9, start + (c.dict?.length ?? 0));
    if (c.dict) out.i64(11, start);
    if (c.stats) {
      out.begin(12);
      out.binary(1, int64Bytes(c.stats[1]));
      out.binary(2, int64Bytes(c.stats[0]));
      out.i64(3, 0);
      out.binary(5, int64Bytes(c.stats[1]));
      out.binary(6, int64Bytes(c.stats[0]));
      out.end();
    }
    out.end();
    out.end();
  });
  out.i64(2, dataBytes); // total_byte_size
  out.i64(3, n);
  out.i64(5, 4); // file_offset
  out.i64(6, dataBytes); // total_compressed_size
  out.end();
  out.string(6, createdBy);
  out.end();
  out.i32le(out.pos);
  out.append(MAGIC);
  parts.push(out.bytes());
  return parts;
}

const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

function int64Bytes(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigInt64(0, BigInt(n), true);
  return b;
}
