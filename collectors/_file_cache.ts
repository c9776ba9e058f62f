/**
 * Keeps files under /proc open and re-reads them from offset 0, which costs about a third of
 * an open/read/close per sample. Where libc is reachable by FFI the files are raw descriptors
 * read with `pread` (one system call per read); elsewhere Deno files with seek + read.
 * Private to the collectors.
 *
 * @module
 */

import { cStringScratch, ENOENT, errno, type Libc, libc, O_RDONLY_CLOEXEC } from "./_libc.ts";

const decoder = new TextDecoder();

/** An open file: a libc descriptor or a Deno file. */
type Handle = number | Deno.FsFile;

/** Reads small files repeatedly through cached file handles. */
export class FileCache {
  #open = new Map<string, Handle>();
  #libc: Libc | null;
  #missing = new Set<string>();
  #buf = new Uint8Array(16 * 1024);
  #max: number;

  /**
   * @param maxOpen Most handles kept open; further files are opened and closed per read.
   * @param useLibc Read through libc where it is available. Default true.
   */
  constructor(maxOpen = 512, useLibc = true) {
    this.#max = maxOpen;
    this.#libc = useLibc ? libc() : null;
  }

  /** Number of handles held open. */
  get size(): number {
    return this.#open.size;
  }

  /** The buffer that {@linkcode FileCache.readBytes} filled (valid until the next read). */
  get bytes(): Uint8Array {
    return this.#buf;
  }

  /**
   * Reads a whole file as text.
   *
   * @param path Absolute path.
   * @param remember If true, a missing file is remembered and never tried again.
   * @param keep If false, a file not already open is closed after the read. Default true.
   * @returns The text, or `undefined` if the file does not exist.
   * @throws {Deno.errors.PermissionDenied} And other read errors, after dropping the handle.
   */
  read(path: string, remember = false, keep = true): string | undefined {
    const len = this.readBytes(path, remember, keep);
    return len === undefined ? undefined : decoder.decode(this.#buf.subarray(0, len));
  }

  /**
   * Reads a whole file into {@linkcode FileCache.bytes} without decoding it.
   *
   * @param path Absolute path.
   * @param remember If true, a missing file is remembered and never tried again.
   * @param keep If false, a file not already open is opened, read and closed (it does not take
   *   a place among the handles kept open). Default true.
   * @returns The length read, or `undefined` if the file does not exist.
   * @throws {Deno.errors.PermissionDenied} And other read errors, after dropping the handle.
   */
  readBytes(path: string, remember = false, keep = true): number | undefined {
    if (this.#missing.has(path)) return undefined;
    let file = this.#open.get(path);
    if (file === undefined) {
      file = this.#openFile(path);
      if (file === undefined) {
        if (remember) this.#missing.add(path);
        return undefined;
      }
      keep &&= this.#open.size < this.#max;
      if (keep) this.#open.set(path, file);
    }
    try {
      return this.#readAll(file);
    } catch (error) {
      keep = false;
      this.#open.delete(path);
      throw error;
    } finally {
      if (!keep && !this.#open.has(path)) this.#close(file);
    }
  }

  /** Opens a file for reading; `undefined` if it does not exist. */
  #openFile(path: string): Handle | undefined {
    const c = this.#libc;
    if (c) {
      const fd = c.open(cStringScratch(path), O_RDONLY_CLOEXEC);
      if (fd >= 0) return fd;
      const code = errno(c);
      if (code === ENOENT) return undefined;
      throw new Error(`Cannot open ${path}: errno ${code}`);
    }
    try {
      return Deno.openSync(path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  #close(file: Handle): void {
    if (typeof file === "number") this.#libc!.close(file);
    else file.close();
  }

  /** Reads at `offset` into the buffer from `at`; the count read (0 at the end). */
  #readAt(file: Handle, at: number, offset: number): number {
    if (typeof file !== "number") {
      if (offset === 0) file.seekSync(0, Deno.SeekMode.Start);
      return file.readSync(at === 0 ? this.#buf : this.#buf.subarray(at)) ?? 0;
    }
    const buf = at === 0 ? this.#buf : this.#buf.subarray(at);
    const n = this.#libc!.pread(file, buf, buf.length, offset);
    if (n < 0) throw new Error(`Cannot read: errno ${errno(this.#libc!)}`);
    return n;
  }

  /**
   * Reads to the end. A read that does not fill the free space means end of file: proc and sys
   * files (seq_file) fill the whole request unless the end came, and so do local files, which
   * saves the second read (one system call per file and snapshot).
   */
  #readAll(file: Handle): number {
    let len = 0;
    for (;;) {
      if (len === this.#buf.length) {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
      const free = this.#buf.length - len;
      const n = this.#readAt(file, len, len);
      if (!n) break;
      len += n;
      if (n < free) break;
    }
    return len;
  }

  /**
   * Closes and forgets one path's handle, if any.
   *
   * @param path Absolute path.
   */
  evict(path: string): void {
    const file = this.#open.get(path);
    if (file === undefined) return;
    this.#open.delete(path);
    this.#close(file);
  }

  /** Closes every handle. */
  close(): void {
    for (const file of this.#open.values()) this.#close(file);
    this.#open.clear();
  }
}
