/**
 * What the two spool readers share ({@linkcode SpoolCursor} for the collector's spool,
 * {@linkcode IngestSpoolCursor} for the ingest spool): a position kept as a segment id and a byte
 * offset, the walk from segment to segment through the spool and its outbox, the segments found
 * missing or cut by the outbox cap, and the rule for leaving a segment. How records are read
 * inside a segment is each reader's own.
 *
 * @module
 */

import { OutboxDropCounter } from "../lake/mod.ts";

/** Where a reader is in the spool: records before `offset` of segment `segment` are done. */
export interface SpoolPosition {
  /** Segment id (its start, ms). */
  segment: number;
  /** Byte offset in the segment after the last record done (0: none of it). */
  offset: number;
}

/** A segment as the lake lists it. */
interface ListedSegment {
  id: number;
  path: string;
  format: "binary" | "jsonl";
}

/** Where a spool keeps its segments. */
export interface SpoolPlaces {
  /** The spool directory (segments being written, and flushed ones without readers). */
  spool: string;
  /** The outbox directory (flushed segments kept for the readers). */
  outbox: string;
  /** Lists the segments in both, in any order. */
  list(): ListedSegment[];
}

/** A segment a walker has open. */
export interface OpenSegment {
  /** Segment id. */
  id: number;
  file: Deno.FsFile;
}

/** Walks a spool's segments in order from a position; subclasses read the records. */
export abstract class SpoolWalker<O extends OpenSegment> {
  /** The segment being read, if any. */
  protected current: O | undefined;
  /** The position after everything read so far. */
  protected at: SpoolPosition;
  /** Segments passed over as missing or damaged (besides those in the drop ledger). */
  protected dropped = 0;
  #places: SpoolPlaces;
  #drops: OutboxDropCounter;

  /**
   * @param places Where the spool's segments are.
   * @param position Where to start; default the start of the oldest segment there is.
   */
  constructor(places: SpoolPlaces, position?: SpoolPosition) {
    this.#places = places;
    this.#drops = new OutboxDropCounter(places.outbox);
    // a new reader starts at the oldest segment there is (not at 0): drops from before it
    // existed, still in the ledger, are not its own
    this.at = { ...(position ?? { segment: this.#segments()[0]?.id ?? 0, offset: 0 }) };
  }

  /** Bytes of the segments the outbox cap deleted before this reader sent them (from the
   * drop ledger; a segment cut after part of it was sent counts the rest). */
  get droppedBytes(): number {
    return this.#drops.bytes;
  }

  /** Segments found missing or damaged (deleted by the outbox cap before this reader got to
   * them, or unreadable). */
  get droppedSegments(): number {
    return this.dropped + this.#drops.segments;
  }

  /** The segment being read (its file open), if any. */
  get openSegment(): number | undefined {
    return this.current?.id;
  }

  /** The position after everything read so far. */
  get position(): SpoolPosition {
    return { ...this.at };
  }

  /**
   * Counts the segments the outbox cap deleted before this reader read them (from the outbox's
   * drop ledger; one `stat` when nothing was cut since the last call). `read` calls it; a
   * sender stuck retrying calls it too, so drops show while the receiver is down.
   */
  countDrops(): void {
    this.#drops.update(this.at, this.current?.id);
  }

  /** Closes the open segment file. */
  close(): void {
    this.current?.file.close();
    this.current = undefined;
  }

  /** Whether a segment newer than `id` exists (the writer is done with `id` then). */
  protected hasNewer(id: number): boolean {
    return this.#segments().some((s) => s.id > id);
  }

  /** Closes a segment and moves the position to the start of the next one. */
  protected leave(o: O): void {
    o.file.close();
    if (this.current === o) this.current = undefined;
    this.at = { segment: o.id + 1, offset: 0 };
  }

  /**
   * Prepares a segment just opened for reading at `offset`, learning what the records before
   * it define, and moves the position to where reading goes on in it.
   *
   * @param file The segment, at its start.
   * @param id Its id.
   * @param offset Where the position is in it (0 for a segment after the position's).
   * @returns The open segment, or `undefined` if it cannot be read (closed and counted then).
   */
  protected abstract start(file: Deno.FsFile, id: number, offset: number): O | undefined;

  /** Opens the segment holding the position (or the next one that can be read). */
  protected openNext(): O | undefined {
    const { segment, offset } = this.at;
    for (const s of this.#segments()) {
      if (s.id < segment) continue;
      const file = this.#openEither(s);
      // not there: deleted by the outbox cap (the ledger counts it once a later one opens)
      if (!file) continue;
      // before the position moves on past segments the cap cut, and after finding them
      // missing: the cap notes a drop before deleting it, so the ledger read now holds every
      // segment passed over (read before the listing, a cut in between went uncounted). The
      // one opened is read whole from its file, even if the cap noted it (and deletes it now).
      this.#drops.update(this.at, s.id);
      this.#drops.opened(s.id);
      const o = this.start(file, s.id, s.id === segment ? offset : 0);
      if (!o) continue;
      this.current = o;
      return o;
    }
    return undefined;
  }

  #segments(): ListedSegment[] {
    return this.#places.list()
      .filter((s) => s.format === "binary")
      .sort((a, b) => a.id - b.id);
  }

  /** Opens a segment where it is now: in the spool, or moved to the outbox since the listing. */
  #openEither(s: ListedSegment): Deno.FsFile | undefined {
    const name = s.path.slice(s.path.lastIndexOf("/") + 1);
    const { spool, outbox } = this.#places;
    for (const dir of [spool, outbox, spool]) {
      try {
        return Deno.openSync(`${dir}/${name}`, { read: true });
      } catch {
        // not there (moved, or deleted): try the next place
      }
    }
    return undefined;
  }
}
