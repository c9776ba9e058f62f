/**
 * Where silences are kept on disk: a snapshot (`silences.json`, `{"silences": [...]}`, written
 * whole to a temporary name, flushed, then renamed) and a log beside it (`silences.log`, one
 * silence as JSON per line, appended and flushed). Each change appends the silence as it now
 * stands, about 300 bytes, where rewriting the snapshot costs 3 MB near the 10,000-silence cap;
 * once the log holds as many records as there are silences (at least 256), the silences are
 * written as a new snapshot and the log emptied, so a write costs a constant share of one
 * snapshot.
 *
 * A record counts once its line ends: a crash in the middle of an append leaves a line without
 * its newline, which is cut off at the next open (the change it held was never acknowledged).
 * Replaying a record sets the silence under its id, so a crash between a snapshot's rename and
 * the log's emptying replays records the snapshot already holds, to the same result.
 *
 * @module
 */
import { syncDir, writeFileAtomic } from "../../lake/mod.ts";
import type { Silence } from "./silence.ts";

/** Fewest log records before a compaction (below it the snapshot is rewritten rarely enough). */
const MIN_COMPACT = 256;

/** What {@linkcode readSilenceFiles} found. */
export interface StoredSilences {
  /** The silences, each as its last record says (snapshot, then the log in order). */
  silences: Map<string, Silence>;
  /** Complete records in the log. */
  records: number;
}

/** The log's path beside the snapshot's. */
export function silenceLogPath(snapshot: string): string {
  return snapshot.replace(/\.json$/, "") + ".log";
}

/**
 * Reads the snapshot and the log, cutting a torn last line off the log.
 *
 * @param snapshot The snapshot's path (`…/silences.json`).
 * @returns The silences and the log's record count (none of either when neither file exists).
 * @throws {SyntaxError} When the snapshot is not a silences file or a complete log line is not a
 * silence (neither is ever overwritten).
 */
export async function readSilenceFiles(snapshot: string): Promise<StoredSilences> {
  const silences = new Map<string, Silence>();
  const text = await readIfThere(snapshot);
  if (text !== undefined) {
    const parsed = JSON.parse(text) as { silences?: Silence[] };
    if (!Array.isArray(parsed.silences)) {
      throw new SyntaxError(`${snapshot}: not a silences file (no "silences" array)`);
    }
    for (const s of parsed.silences) silences.set(s.id, s);
  }
  const log = silenceLogPath(snapshot);
  const bytes = await Deno.readFile(log).catch((error) => {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  });
  if (bytes === undefined) return { silences, records: 0 };
  const end = bytes.lastIndexOf(10) + 1; // after the last newline: what follows is torn
  if (end < bytes.length) await Deno.truncate(log, end);
  const lines = new TextDecoder().decode(bytes.subarray(0, end)).split("\n");
  let records = 0;
  for (let i = 0; i < lines.length - 1; i++) {
    const line = lines[i]!;
    if (line === "") continue;
    let s: Silence;
    try {
      s = JSON.parse(line) as Silence;
    } catch {
      throw new SyntaxError(`${log}:${i + 1}: not a silence record`);
    }
    if (typeof s?.id !== "string" || !Array.isArray(s.matchers)) {
      throw new SyntaxError(`${log}:${i + 1}: not a silence record`);
    }
    silences.set(s.id, s);
    records++;
  }
  return { silences, records };
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw error;
  }
}

/** Options of {@linkcode SilenceLog}. */
export interface SilenceLogOptions {
  /** Records the log holds already (from {@linkcode readSilenceFiles}). Default 0. */
  records?: number;
  /** Compact once the log holds this many records, or as many as there are silences if more.
   * Default 256. */
  minCompact?: number;
  /** Rewrite the snapshot at every change instead of appending (what perfscope did before the
   * log; the bench compares both). Default false. */
  rewrite?: boolean;
}

/** Appends changes to the log and compacts it into the snapshot. Not concurrent: the store
 * serializes its writes. */
export class SilenceLog {
  readonly #snapshot: string;
  readonly #log: string;
  readonly #minCompact: number;
  readonly #rewrite: boolean;
  #records: number;
  #encoder = new TextEncoder();

  /**
   * @param snapshot The snapshot's path (`…/silences.json`); the log is `…/silences.log`.
   * @param options Records already in the log and the compaction threshold.
   */
  constructor(snapshot: string, options: SilenceLogOptions = {}) {
    this.#snapshot = snapshot;
    this.#log = silenceLogPath(snapshot);
    this.#records = options.records ?? 0;
    this.#minCompact = options.minCompact ?? MIN_COMPACT;
    this.#rewrite = options.rewrite ?? false;
  }

  /**
   * Records one silence as it now stands (flushed to disk before it resolves), then compacts
   * when the log has grown to the size of the snapshot.
   *
   * @param silence The created or changed silence.
   * @param all Every silence kept (what a compaction writes).
   */
  async write(silence: Silence, all: () => Silence[]): Promise<void> {
    // (a compaction's snapshot holds this silence: `all` is read after the store changed)
    if (this.#rewrite) return this.#compact(all());
    if (this.#records + 1 >= this.#minCompact) {
      const kept = all();
      if (this.#records + 1 >= kept.length) return this.#compact(kept);
    }
    const dir = this.#log.slice(0, this.#log.lastIndexOf("/"));
    await Deno.mkdir(dir, { recursive: true });
    const fresh = this.#records === 0 && !(await exists(this.#log));
    const file = await Deno.open(this.#log, { append: true, create: true });
    let start = -1;
    try {
      start = (await file.stat()).size;
      const bytes = this.#encoder.encode(JSON.stringify(silence) + "\n");
      let done = 0;
      while (done < bytes.length) done += await file.write(bytes.subarray(done));
      await file.syncData();
    } catch (error) {
      // a part of the line (a full disk) would have the next record glued on, making a whole
      // line that is no record: take it back, so the log still ends on a whole record
      if (start >= 0) await file.truncate(start).catch(() => {});
      throw error;
    } finally {
      file.close();
    }
    if (fresh) syncDir(dir); // the new file's name is on disk too
    this.#records++;
  }

  /** Writes every silence as the snapshot, then empties the log. */
  #compact(all: Silence[]): void {
    writeFileAtomic(this.#snapshot, this.#encoder.encode(JSON.stringify({ silences: all })));
    // after the rename: a crash before this line replays records the snapshot holds already
    try {
      Deno.removeSync(this.#log);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    this.#records = 0;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
