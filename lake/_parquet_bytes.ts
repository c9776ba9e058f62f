/**
 * Private: a growable little-endian byte writer with the Thrift compact protocol on top, for
 * the hand-written Parquet encoder (apache/parquet-format `parquet.thrift`; Thrift
 * `doc/specs/thrift-compact-protocol.md`).
 *
 * @module
 */

/** Thrift compact protocol type codes of a field header. */
export const T = {
  I32: 5,
  I64: 6,
  BINARY: 8,
  LIST: 9,
  STRUCT: 12,
} as const;

const utf8 = new TextEncoder();

/** Appends bytes, numbers and Thrift compact fields to a buffer that grows as needed. */
export class ByteWriter {
  /** The bytes written so far are `buf.subarray(0, pos)`. */
  buf: Uint8Array;
  pos = 0;
  #view: DataView;
  #fields: number[] = [];
  #last = 0;

  /** @param capacity Initial size in bytes. */
  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
    this.#view = new DataView(this.buf.buffer);
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.pos));
    this.buf = bigger;
    this.#view = new DataView(bigger.buffer);
  }

  /** The bytes written (a view, valid until the next write). */
  bytes(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  append(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Unsigned LEB128 of a non-negative integer below 2^53. */
  varint(n: number): void {
    this.ensure(8);
    while (n >= 128) {
      this.buf[this.pos++] = (n % 128) | 128;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /** Zigzag then LEB128, for Thrift i16/i32/i64 (integers of magnitude below 2^52). */
  zigzag(n: number): void {
    this.varint(n >= 0 ? n * 2 : -n * 2 - 1);
  }

  i32le(n: number): void {
    this.ensure(4);
    this.#view.setInt32(this.pos, n, true);
    this.pos += 4;
  }

  i64le(n: number): void {
    this.ensure(8);
    this.#view.setBigInt64(this.pos, BigInt(n), true);
    this.pos += 8;
  }

  /** A PLAIN BYTE_ARRAY value: 4-byte length, then the UTF-8 bytes. */
  plainString(s: string): void {
    this.ensure(4 + s.length * 3);
    const { written } = utf8.encodeInto(s, this.buf.subarray(this.pos + 4));
    this.#view.setInt32(this.pos, written, true);
    this.pos += 4 + written;
  }

  /** A Thrift field header (short form when the id grows by 1..15). */
  field(id: number, type: number): void {
    const delta = id - this.#last;
    if (delta > 0 && delta <= 15) this.byte((delta << 4) | type);
    else {
      this.byte(type);
      this.zigzag(id);
    }
    this.#last = id;
  }

  i32(id: number, n: number): void {
    this.field(id, T.I32);
    this.zigzag(n);
  }

  i64(id: number, n: number): void {
    this.field(id, T.I64);
    this.zigzag(n);
  }

  binary(id: number, bytes: Uint8Array): void {
    this.field(id, T.BINARY);
    this.varint(bytes.length);
    this.append(bytes);
  }

  string(id: number, s: string): void {
    this.binary(id, utf8.encode(s));
  }

  /** A list field's header; the elements follow. */
  list(id: number, elementType: number, size: number): void {
    this.field(id, T.LIST);
    this.listHeader(elementType, size);
  }

  listHeader(elementType: number, size: number): void {
    if (size < 15) this.byte((size << 4) | elementType);
    else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  /** Starts a struct: as field `id`, or as a list element or the top level when omitted. */
  begin(id?: number): void {
    if (id !== undefined) this.field(id, T.STRUCT);
    this.#fields.push(this.#last);
    this.#last = 0;
  }

  /** Ends the struct begun last (the stop byte). */
  end(): void {
    this.byte(0);
    this.#last = this.#fields.pop() ?? 0;
  }
}
