/**
 * Keeps files under /proc open and re-reads them from offset 0, which costs about a third of
 * an open/read/close per sample. Private to the collectors.
 *
 * @module
 */

const decoder = new TextDecoder();

/** Reads small files repeatedly through cached file handles. */
export class FileCache {
  #open = new Map<string, Deno.FsFile>();
  #missing = new Set<string>();
  #buf = new Uint8Array(16 * 1024);
  #max: number;

  /** @param maxOpen Most handles kept open; further files are opened and closed per read. */
  constructor(maxOpen = 512) {
    this.#max = maxOpen;
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
   * @returns The text, or `undefined` if the file does not exist.
   * @throws {Deno.errors.PermissionDenied} And other read errors, after dropping the handle.
   */
  read(path: string, remember = false): string | undefined {
    const len = this.readBytes(path, remember);
    return len === undefined ? undefined : decoder.decode(this.#buf.subarray(0, len));
  }

  /**
   * Reads a whole file into {@linkcode FileCache.bytes} without decoding it.
   *
   * @param path Absolute path.
   * @param remember If true, a missing file is remembered and never tried again.
   * @returns The length read, or `undefined` if the file does not exist.
   * @throws {Deno.errors.PermissionDenied} And other read errors, after dropping the handle.
   */
  readBytes(path: string, remember = false): number | undefined {
    if (this.#missing.has(path)) return undefined;
    let file = this.#open.get(path);
    let keep = true;
    if (file) {
      file.seekSync(0, Deno.SeekMode.Start);
    } else {
      try {
        file = Deno.openSync(path);
      } catch (error) {
        if (error instanceof Deno.errors.NotFound) {
          if (remember) this.#missing.add(path);
          return undefined;
        }
        throw error;
      }
      keep = this.#open.size < this.#max;
      if (keep) this.#open.set(path, file);
    }
    try {
      return this.#readAll(file);
    } catch (error) {
      keep = false;
      this.#open.delete(path);
      throw error;
    } finally {
      if (!keep) file.close();
    }
  }

  /**
   * Reads to the end. A read that does not fill the free space means end of file: proc and sys
   * files (seq_file) fill the whole request unless the end came, and so do local files, which
   * saves the second read (one system call per file and snapshot).
   */
  #readAll(file: Deno.FsFile): number {
    let len = 0;
    for (;;) {
      if (len === this.#buf.length) {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
      const free = this.#buf.length - len;
      const n = file.readSync(len === 0 ? this.#buf : this.#buf.subarray(len));
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
    if (!file) return;
    this.#open.delete(path);
    file.close();
  }

  /** Closes every handle. */
  close(): void {
    for (const file of this.#open.values()) file.close();
    this.#open.clear();
  }
}
