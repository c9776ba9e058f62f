/**
 * Private: what the collector's spool and the ingest spool share to keep segments for their
 * readers (the remote-write senders): a readers directory of `<name>.json` position files, and
 * an outbox directory capped in bytes, oldest segments deleted first. The cap holds for the
 * whole directory: the segments and the drop ledger, which keeps to its share of the cap
 * ({@linkcode ledgerMaxBytes}), so the directory's files never add up to more than the cap
 * between cuts (a segment longer than the cap alone is deleted as soon as it is moved there).
 *
 * A segment deleted by the cap before some reader sent it whole is a drop: it is written to the
 * outbox's drop ledger (`dropped.tsv`: one `id<TAB>bytes` line per segment, before the segment is
 * deleted), from which each reader counts the segments it lost ({@linkcode OutboxDropCounter}),
 * and told in one line per cut if it is lost to a reader: a running reader that has read it or
 * has it open (it reads on from the file) says so in its claim ({@linkcode ReaderClaim}).
 *
 * @module
 */

import { readAt } from "./read_at.ts";

/** The drop ledger's name in an outbox directory. */
const LEDGER = "dropped.tsv";

/**
 * The drop ledger's share of the cap: a 16th of it, within 4 KiB (~200 segments) and 1 MiB
 * (~50,000 segments: weeks of minutes); past it the ledger's older half is cut. The ledger is
 * part of the outbox's bytes, so what it takes the segments cannot have.
 *
 * @param maxBytes The outbox cap.
 * @returns The ledger's most bytes.
 */
export function ledgerMaxBytes(maxBytes: number): number {
  return Math.min(1 << 20, Math.max(4096, Math.floor(maxBytes / 16)));
}

/**
 * Whether a readers directory names at least one reader (`<name>.json`).
 *
 * @param dir The readers directory.
 * @returns True when a reader is registered.
 */
export function hasReaders(dir: string): boolean {
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && e.name.endsWith(".json")) return true;
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return false;
}

/** Where the outbox cap is set and its drops are told. */
export interface OutboxCap {
  /** The cap, bytes. */
  maxBytes: number;
  /** The readers directory: a segment is a drop when a reader's position is not past it. */
  readers: string;
  /** Where a cut that drops segments is told (one line). Default `console.error`. */
  log?: ((line: string) => void) | undefined;
}

/**
 * Moves a segment into an outbox (a rename: same file system), then deletes the oldest outbox
 * segments while the outbox is over its cap. Segments some reader has not sent whole are
 * written to the drop ledger first, then deleted, and told in one line: a kill between the two
 * leaves them on disk and in the ledger (counted as dropped, not lost to the count), and the
 * next call deletes them.
 *
 * @param path The segment file (closed).
 * @param outbox The outbox directory.
 * @param listed The outbox's segment paths, oldest first (called after the move).
 * @param cap The cap and the readers.
 */
export function moveToOutbox(
  path: string,
  outbox: string,
  listed: () => string[],
  cap: OutboxCap,
): void {
  Deno.mkdirSync(outbox, { recursive: true });
  const moved = `${outbox}/${path.slice(path.lastIndexOf("/") + 1)}`;
  Deno.renameSync(path, moved);
  let segments: { path: string; size: number; id: number }[] = [];
  for (const p of listed()) {
    try {
      segments.push({ path: p, size: Deno.statSync(p).size, id: segmentId(p) });
    } catch {
      // deleted meanwhile by a reader that sent it
    }
  }
  const ledgerPath = `${outbox}/${LEDGER}`;
  const ledger = fileSize(ledgerPath);
  if (ledger > 0) {
    // a cut killed after its ledger lines and before its deletions: finish it (its segments
    // are counted as dropped already, so they are not recorded again)
    const noted = ledgerTail(ledgerPath, ledger, segments.length * 40);
    // (the segment just moved is new: never one of them, even if a clock set back reused an id)
    const unfinished = segments.filter((x) => noted.has(x.id) && x.path !== moved);
    for (const x of unfinished) remove(x.path);
    if (unfinished.length > 0) segments = segments.filter((x) => !unfinished.includes(x));
  }
  let total = segments.reduce((a, x) => a + x.size, 0);
  // the ledger is in the directory too: the segments get what it leaves of the cap, counting
  // the lines this cut adds (past its share it is rewritten smaller: never more than its share)
  const ledgerMax = ledgerMaxBytes(cap.maxBytes);
  let lines = 0;
  const ledgerAfter = () => Math.min(ledger + lines, ledgerMax);
  let behind: number | undefined;
  const cut: string[] = [];
  const dropped: { id: number; size: number }[] = [];
  for (const { path, size, id } of segments) {
    if (total + ledgerAfter() <= cap.maxBytes) break;
    cut.push(path);
    behind ??= oldestPosition(cap.readers);
    // a reader whose position is past the segment sent it: not a drop for anyone
    if (id >= behind) {
      dropped.push({ id, size });
      lines += ledgerLine(id, size).length;
    }
    total -= size;
  }
  // the ledger before the deletions: a kill between them over-counts (until the next call
  // finishes the cut), never under-counts
  if (dropped.length > 0) recordDrops(outbox, dropped, ledgerMax);
  // told: what is lost to some reader. The ledger notes more (by the saved positions, what a
  // reader restarted now would lose); a running reader that has read past a segment, or has
  // it open (it reads on from the file), does not lose it, and its counter does not count it.
  const views = dropped.length > 0 ? readerViews(cap.readers) : [];
  const told = dropped.filter((d) => views.some((v) => lostTo(v, d.id)));
  for (const p of cut) remove(p);
  if (told.length === 0) return;
  const bytes = told.reduce((a, d) => a + d.size, 0);
  (cap.log ?? ((line: string) => console.error(line)))(
    `Spool outbox ${outbox} over its cap of ${cap.maxBytes} bytes: deleted its ` +
      `${told.length} oldest segments (${bytes} bytes, ` +
      `${new Date(told[0]!.id).toISOString()} to ` +
      `${new Date(told.at(-1)!.id).toISOString()}) before every remote-write reader sent them`,
  );
}

/** The name of a reader's claim file beside its position (`<name>.read`). */
const CLAIM = ".read";

/** A reader as a cut sees it: its saved position's segment, and what it has read while it
 * runs (from its claim; none for a reader not running). */
interface ReaderView {
  saved: number;
  read?: { segment: number; open: boolean } | undefined;
}

/** Whether a cut segment is lost to a reader: not read yet, and not the one it has open. */
function lostTo(v: ReaderView, id: number): boolean {
  if (!v.read) return id >= v.saved;
  return id > v.read.segment || (id === v.read.segment && !v.read.open);
}

/**
 * What a running spool reader has read so far, for the outbox cap's log: the segment of its
 * position in memory (ahead of the saved one while a batch waits for its answer) and whether it
 * has that segment open. Kept in `<readers>/<name>.read`, locked while the reader runs, so the
 * claim of a reader killed is not believed (its saved position is then what counts).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ReaderClaim } from "./_outbox.ts";
 * const dir = Deno.makeTempDirSync();
 * const claim = new ReaderClaim(dir, "rw");
 * claim.update(1000, true);
 * assert.equal(Deno.readTextFileSync(`${dir}/rw.read`), "0000000000001000 1\n");
 * claim.close();
 * ```
 */
export class ReaderClaim {
  #path: string;
  #file: Deno.FsFile | undefined;
  #last = "";
  #closed = false;

  /**
   * Opens and locks the claim; without it (an unwritable directory, or another reader of the
   * same name running) updates do nothing and the cap's log goes by the saved position.
   *
   * @param readers The readers directory.
   * @param name The reader's name.
   */
  constructor(readers: string, name: string) {
    this.#path = `${readers}/${name}${CLAIM}`;
    try {
      Deno.mkdirSync(readers, { recursive: true });
    } catch {
      // no claim: the saved position speaks for this reader
    }
    this.#lock();
  }

  #lock(): void {
    try {
      const file = Deno.openSync(this.#path, { read: true, write: true, create: true });
      // a cut holds the lock for a moment while it looks whether the claim is alive
      if (!file.tryLockSync(true)) return file.close();
      // what a killed run claimed is not this run's: nothing until the first update
      file.truncateSync(0);
      this.#file = file;
      this.#last = "";
    } catch {
      // no claim for now: tried again at the next update
    }
  }

  /**
   * Tells what the reader has read: one write of fixed width in place, when it changed.
   *
   * @param segment The segment of its position in memory.
   * @param open Whether it has that segment open.
   */
  update(segment: number, open: boolean): void {
    const text = `${String(segment).padStart(16, "0")} ${open ? 1 : 0}\n`;
    if (text === this.#last || this.#closed) return;
    if (!this.#file) this.#lock();
    if (!this.#file) return;
    this.#last = text;
    try {
      this.#file.seekSync(0, Deno.SeekMode.Start);
      this.#file.writeSync(new TextEncoder().encode(text));
    } catch {
      // the next update writes it again
      this.#last = "";
    }
  }

  /** Closes the claim (its lock goes with it: a reader stopped is judged by its position). */
  close(): void {
    this.#file?.close();
    this.#file = undefined;
    this.#closed = true;
  }
}

/** Every registered reader's view: saved position, and claim if the reader runs. */
function readerViews(dir: string): ReaderView[] {
  const views: ReaderView[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (!e.isFile || !e.name.endsWith(".json")) continue;
      views.push({ saved: savedSegment(`${dir}/${e.name}`), read: claimOf(dir, e.name) });
    }
  } catch {
    return [{ saved: 0 }];
  }
  return views;
}

/** A reader's claim, if it is running (its claim locked) and the claim reads whole. */
function claimOf(dir: string, json: string): ReaderView["read"] {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(`${dir}/${json.slice(0, -5)}${CLAIM}`, { read: true });
  } catch {
    return undefined; // a reader without a claim
  }
  try {
    // locked by its reader while it runs; a claim that can be locked is a stopped reader's
    if (file.tryLockSync(true)) return undefined;
    const buf = new Uint8Array(32);
    const n = file.readSync(buf) ?? 0;
    const m = new TextDecoder().decode(buf.subarray(0, n)).match(/^(\d{16}) ([01])\n/);
    return m ? { segment: Number(m[1]), open: m[2] === "1" } : undefined;
  } catch {
    return undefined;
  } finally {
    file.close();
  }
}

/** Deletes a file that a reader may have deleted first (it sent it). */
function remove(path: string): void {
  try {
    Deno.removeSync(path);
  } catch {
    // deleted meanwhile by a reader that sent it
  }
}

/** The segment ids of the ledger's last `bytes` (whole lines only): the last cut's at least,
 * since a cut notes at most one line (under 40 bytes) per outbox segment. */
function ledgerTail(path: string, size: number, bytes: number): Set<number> {
  const ids = new Set<number>();
  const from = Math.max(0, size - bytes);
  let text: string;
  try {
    using file = Deno.openSync(path, { read: true });
    text = new TextDecoder().decode(readAt(file, from, size - from));
  } catch {
    return ids; // rewritten meanwhile: the next call looks again
  }
  const lines = text.split("\n");
  // a tail that starts within a line: its start is not a whole id
  for (const line of from > 0 ? lines.slice(1) : lines) {
    const tab = line.indexOf("\t");
    if (tab > 0) ids.add(Number(line.slice(0, tab)));
  }
  return ids;
}

/**
 * Counts, for one reader, the segments the outbox cap deleted before it sent them, from the
 * outbox's drop ledger: every ledger entry at or after the reader's position, but the segment it
 * has open (it reads on from the open file, so that one is not lost to it); a segment cut after
 * part of it was sent counts the bytes after the position. The ledger is read again only once it
 * has grown (one `stat` a call otherwise), so a sender can count drops every second, while it is
 * stuck retrying: drops show as they happen, not once the receiver is back.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { moveToOutbox, OutboxDropCounter } from "./_outbox.ts";
 * const root = Deno.makeTempDirSync();
 * Deno.mkdirSync(`${root}/readers`);
 * Deno.writeTextFileSync(`${root}/readers/rw.json`, `{"segment":1,"offset":0}`);
 * const listed = () => [...Deno.readDirSync(`${root}/outbox`)]
 *   .filter((e) => e.name.endsWith(".spool")).map((e) => `${root}/outbox/${e.name}`).sort();
 * // room for one segment of 20 bytes and the ledger's lines (4 bytes each here)
 * const cap = { maxBytes: 30, readers: `${root}/readers`, log: () => {} };
 * for (const id of [1, 2, 3]) {
 *   Deno.writeTextFileSync(`${root}/${id}.spool`, "x".repeat(20));
 *   moveToOutbox(`${root}/${id}.spool`, `${root}/outbox`, listed, cap);
 * }
 * const counter = new OutboxDropCounter(`${root}/outbox`);
 * counter.update({ segment: 1, offset: 0 });
 * assert.deepEqual([counter.segments, counter.bytes], [2, 40]);
 * counter.update({ segment: 3, offset: 0 }); // nothing new: nothing counted twice
 * assert.deepEqual([counter.segments, counter.bytes], [2, 40]);
 * ```
 */
export class OutboxDropCounter {
  /** Segments lost so far. */
  segments = 0;
  /** Their bytes (after the position, for the segment it was in). */
  bytes = 0;
  #path: string;
  #size = -1;
  /** The segments counted, and the bytes counted for each. */
  #counted = new Map<number, number>();

  /** @param outbox The outbox directory. */
  constructor(outbox: string) {
    this.#path = `${outbox}/${LEDGER}`;
  }

  /**
   * Counts the ledger's new entries that concern a reader at `from`.
   *
   * @param from The reader's position.
   * @param open The segment it has open, if any.
   */
  update(from: { segment: number; offset: number }, open?: number): void {
    let size: number;
    try {
      size = Deno.statSync(this.#path).size;
    } catch {
      return; // no ledger: nothing was ever cut
    }
    if (size === this.#size) return;
    let text: string;
    try {
      text = Deno.readTextFileSync(this.#path);
    } catch {
      return;
    }
    for (const line of text.split("\n")) {
      const tab = line.indexOf("\t");
      if (tab < 0) continue;
      const id = Number(line.slice(0, tab));
      const bytes = Number(line.slice(tab + 1));
      if (!(id >= from.segment) || !Number.isFinite(bytes) || this.#counted.has(id)) continue;
      // the open segment is read on through its file: not lost, and never counted later
      // (once the reader leaves it, its position is past it)
      if (id === open) continue;
      const lost = id === from.segment ? Math.max(0, bytes - from.offset) : bytes;
      this.#counted.set(id, lost);
      this.segments++;
      this.bytes += lost;
    }
    this.#size = size; // read again at its next growth only
    if (this.#counted.size > 100_000) {
      for (const id of this.#counted.keys()) if (id < from.segment) this.#counted.delete(id);
    }
  }

  /**
   * Takes back the count of a segment the reader opened after all: the cap notes a drop before
   * it deletes the segment, so a reader may open one counted already (between the two, or when
   * a kill came between them), and reads it whole from the open file.
   *
   * @param id The segment opened.
   */
  opened(id: number): void {
    const lost = this.#counted.get(id);
    if (lost === undefined || lost < 0) return;
    this.segments--;
    this.bytes -= lost;
    // kept, as counted for nothing: the ledger's line is not counted again
    this.#counted.set(id, -1);
  }
}

/** One ledger line (ASCII: its length is its bytes). */
function ledgerLine(id: number, size: number): string {
  return `${id}\t${size}\n`;
}

/** A file's size, 0 if it is not there. */
function fileSize(path: string): number {
  try {
    return Deno.statSync(path).size;
  } catch {
    return 0;
  }
}

/** Appends to the ledger; past `maxBytes`, keeps its newest lines, half of that at most
 * (readers that far behind count only what it still holds). */
function recordDrops(
  outbox: string,
  dropped: readonly { id: number; size: number }[],
  maxBytes: number,
): void {
  const path = `${outbox}/${LEDGER}`;
  const lines = dropped.map((d) => ledgerLine(d.id, d.size)).join("");
  if (fileSize(path) + lines.length <= maxBytes) {
    Deno.writeTextFileSync(path, lines, { append: true });
    return;
  }
  let all = lines;
  try {
    all = Deno.readTextFileSync(path) + lines;
  } catch {
    // none yet: a cut of more lines than the ledger holds
  }
  const from = all.length <= maxBytes ? 0 : all.indexOf("\n", all.length - (maxBytes >> 1) - 1) + 1;
  const kept = all.slice(from);
  Deno.writeTextFileSync(`${path}.tmp`, kept);
  Deno.renameSync(`${path}.tmp`, path);
}

/** A segment's id: the number its file name starts with. */
function segmentId(path: string): number {
  return Number(path.slice(path.lastIndexOf("/") + 1).replace(/\..*$/, ""));
}

/** The lowest segment of the readers' positions (0 for a reader without one yet). */
function oldestPosition(dir: string): number {
  let min = Infinity;
  try {
    for (const e of Deno.readDirSync(dir)) {
      if (e.isFile && e.name.endsWith(".json")) {
        min = Math.min(min, savedSegment(`${dir}/${e.name}`));
      }
    }
  } catch {
    return 0;
  }
  return min;
}

/** The segment of a saved position (0 if it is being replaced, or unreadable: behind). */
function savedSegment(path: string): number {
  try {
    const o = JSON.parse(Deno.readTextFileSync(path));
    if (Number.isFinite(o?.segment)) return o.segment;
  } catch {
    // being replaced, or unreadable
  }
  return 0;
}
