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

  /**
   * Reads a whole file.
   *
   * @param path Absolute path.
   * @param remember If true, a missing file is remembered and never tried again.
   * @returns The text, or `undefined` if the file does not exist.
   * @throws {Deno.errors.PermissionDenied} And other read errors, after dropping the handle.
   */
  read(path: string, remember = false): string | undefined {
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

  #readAll(file: Deno.FsFile): string {
    let len = 0;
    for (;;) {
      if (len === this.#buf.length) {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
      const n = file.readSync(this.#buf.subarray(len));
      if (!n) break;
      len += n;
    }
    return decoder.decode(this.#buf.subarray(0, len));
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
