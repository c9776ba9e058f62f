/**
 * The ingest writer: pushed samples go through the same two steps as collected ones, a
 * write-ahead spool (answered once the bytes are in the OS) and Parquet written in batches
 * (every `flushEveryMs` or `flushRows`), so a request costs a parse and one append, not a file.
 *
 * File ids: the lake shows a partition's newest `compact-<C>` and the parts with an id above C,
 * and the collector names its part after its open spool segment S. An ingest part therefore takes
 * the id just above the largest id already in its partition (visible after any compaction that
 * did not include it) and below every open collector segment (so it neither takes the
 * collector's future name nor lifts a later compaction above it). Where no such id exists yet
 * (the collector is mid-flush), that partition waits for the next flush.
 *
 * @module
 */
import { fileNames, parseDataFile, partitionDir, utcDate } from "./_paths.ts";
import {
  type IngestBatch,
  type IngestLimits,
  parseIngestLines,
  type ParseIngestLinesOptions,
} from "./ingest_lines.ts";
import {
  type IngestPlanEntry,
  IngestSegment,
  listIngestSegments,
  readIngestPlan,
  readIngestRecords,
  writeIngestPlan,
} from "./ingest_spool.ts";
import {
  hostTag,
  isUnwritable,
  keepInQuarantine,
  logQuarantine,
  type Quarantined,
  rowLines,
  writeQuarantine,
} from "./quarantine.ts";
import { checkHost } from "./names.ts";
import { listSegments } from "./spool.ts";
import { errorText } from "./write_file_atomic.ts";
import { writePartition } from "./write_samples.ts";

/** Options for {@linkcode IngestWriter}. */
export interface IngestWriterOptions {
  /** Lake root. */
  root: string;
  /** Most time buffered rows wait for Parquet, ms; default 10 000. */
  flushEveryMs?: number;
  /** Buffered rows that trigger a flush; default 500 000. */
  flushRows?: number;
  /** fsync Parquet files (and the plan) before their rename; default true. */
  sync?: boolean;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
  /** Receives errors of timed flushes; default one line on stderr. */
  onError?: (error: unknown) => void;
  /** What one request may carry; defaults in `INGEST_LIMITS` (250 000 lines, 64 host × date
   * partitions, samples from 30 days ago to 5 minutes ahead). */
  limits?: IngestLimits;
  /** Most Parquet files a timed flush writes in one turn of the event loop (the rest follow on
   * the next turns, so requests and `/healthz` are answered in between); default 64. */
  flushPartitions?: number;
  /** Time a timed flush may spend in one turn of the event loop, ms (at least one file is
   * written per turn; a file costs ~5–20 ms with fsync); default 50. */
  flushBudgetMs?: number;
  /** Receives each batch of spooled samples moved to `spool/quarantine/` because it can never
   * be written (see `quarantine.ts`); default one line on stderr. */
  onQuarantine?: (q: Quarantined) => void;
}

interface Group {
  host: string;
  date: string;
  ts: number[];
  metric: string[];
  labels: string[];
  value: number[];
  segments: Set<number>;
}

export {
  INGEST_LIMITS,
  type IngestBatch,
  type IngestLimits,
  parseIngestLines,
  type ParseIngestLinesOptions,
} from "./ingest_lines.ts";

const DAY = 86_400_000;

/** A group's columns without the rows that have no finite value (no copy when all have one). */
function withValues(g: Group): Pick<Group, "ts" | "metric" | "labels" | "value"> {
  let k = 0;
  while (k < g.value.length && Number.isFinite(g.value[k])) k++;
  if (k === g.value.length) return g;
  const out = {
    ts: g.ts.slice(0, k),
    metric: g.metric.slice(0, k),
    labels: g.labels.slice(0, k),
    value: g.value.slice(0, k),
  };
  for (let i = k + 1; i < g.value.length; i++) {
    if (!Number.isFinite(g.value[i])) continue;
    out.ts.push(g.ts[i]!), out.metric.push(g.metric[i]!), out.labels.push(g.labels[i]!);
    out.value.push(g.value[i]!);
  }
  return out;
}

/**
 * Validates, spools and batches pushed samples. Opening it replays a leftover ingest spool.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IngestWriter, openLake } from "./mod.ts";
 * const root = Deno.makeTempDirSync();
 * const ts = Date.UTC(2024, 0, 1);
 * const writer = new IngestWriter({ root, sync: false, now: () => ts + 60_000 });
 * const body = new TextEncoder().encode(`{"ts":${ts},"host":"h","metric":"m","value":1}\n`);
 * assert.equal(writer.write(body).ts.length, 1);
 * assert.equal(writer.flush(), 1);
 * writer.close();
 * const lake = await openLake({ root });
 * assert.equal((await lake.query("SELECT count(*) AS n FROM samples"))[0]!.n, 1);
 * lake.close();
 * ```
 */
export class IngestWriter {
  #root: string;
  #sync: boolean;
  #now: () => number;
  #flushRows: number;
  #segment: IngestSegment;
  #pending: number[] = [];
  #plan: IngestPlanEntry[];
  #groups = new Map<string, Group>();
  /** Accepted batches not yet sorted into groups (that work waits for the flush, off the
   * request path). */
  #queued: { batch: IngestBatch; segment: number }[] = [];
  #last: Group | undefined;
  #lastDay = NaN;
  #rows = 0;
  #timer: ReturnType<typeof setInterval>;
  #soon: ReturnType<typeof setTimeout> | undefined;
  #onError: (error: unknown) => void;
  #limits: IngestLimits;
  #flushPartitions: number;
  #flushBudgetMs: number;
  /** Files the next timed turn plans: what fit the budget last time (planning costs a directory
   * listing per partition, so a turn does not plan far more than it can write). */
  #turnSize: number;
  /** Writable partitions a bounded flush left for its next turn. */
  #more = false;
  #onQuarantine: (q: Quarantined) => void;
  #quarantined = 0;

  /**
   * @param options See {@linkcode IngestWriterOptions}.
   * @throws {RangeError} If a flush setting is not positive.
   * @throws {LakeError} If the spool cannot be read or written. A replayed record that cannot
   * become Parquet is quarantined; one that fails for now (disk full) stays buffered and goes to
   * `onError`.
   */
  constructor(options: IngestWriterOptions) {
    const flushEveryMs = options.flushEveryMs ?? 10_000;
    this.#flushRows = options.flushRows ?? 500_000;
    if (!(flushEveryMs > 0)) throw new RangeError(`Invalid flushEveryMs: ${flushEveryMs}`);
    if (!(this.#flushRows > 0)) throw new RangeError(`Invalid flushRows: ${this.#flushRows}`);
    this.#flushPartitions = options.flushPartitions ?? 64;
    this.#flushBudgetMs = options.flushBudgetMs ?? 50;
    this.#turnSize = this.#flushPartitions;
    if (!(this.#flushBudgetMs >= 0)) {
      throw new RangeError(`Invalid flushBudgetMs: ${this.#flushBudgetMs}`);
    }
    if (!(this.#flushPartitions >= 1)) {
      throw new RangeError(`Invalid flushPartitions: ${this.#flushPartitions}`);
    }
    this.#limits = { ...options.limits };
    this.#onQuarantine = options.onQuarantine ?? logQuarantine;
    this.#root = options.root;
    this.#sync = options.sync ?? true;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ??
      ((e) => console.error(`ingest: ${e instanceof Error ? e.message : e}`));
    this.#plan = readIngestPlan(this.#root);
    let lastId = 0;
    for (const seg of listIngestSegments(this.#root)) {
      const { records, undecoded } = readIngestRecords(seg.path);
      if (undecoded > 0) {
        // damaged on disk: the records before the damage replay below; the segment is kept
        // whole, since the requests after the damage cannot be told apart from it
        const name = seg.path.slice(seg.path.lastIndexOf("/") + 1);
        const path = keepInQuarantine(this.#root, seg.path, `ingest-${name}`);
        this.#onQuarantine({
          path,
          rows: 0,
          reason: `damaged ingest spool segment: its last ${undecoded} bytes cannot be decoded ` +
            `(the ${records.length} requests before them were replayed)`,
        });
      }
      records.forEach((text, i) => {
        let batch: IngestBatch;
        try {
          batch = parseIngestLines(text, { trusted: true });
        } catch (error) {
          // refused by today's rules (an older version or a hand edit spooled it): keep it aside
          if (!(error instanceof RangeError)) throw error;
          const path = writeQuarantine(this.#root, `ingest-${seg.id}-${i + 1}`, text);
          this.#quarantine({ path, rows: text.split("\n").filter((l) => l.trim()).length }, error);
          return;
        }
        this.#add(batch, seg.id, true);
      });
      this.#pending.push(seg.id);
      lastId = seg.id;
    }
    this.#segment = new IngestSegment(this.#root, Math.max(this.#now(), lastId + 1));
    if (this.#pending.length > 0) this.#tryFlush(true);
    this.#timer = setInterval(() => this.#tryFlush(true), flushEveryMs);
    Deno.unrefTimer(Number(this.#timer));
  }

  /** Rows waiting for Parquet. */
  get buffered(): number {
    return this.#rows;
  }

  /** Samples moved to the quarantine since this writer opened. */
  get quarantined(): number {
    return this.#quarantined;
  }

  #quarantine(q: Omit<Quarantined, "reason">, error: unknown): void {
    this.#quarantined += q.rows;
    this.#onQuarantine({ ...q, reason: errorText(error) });
  }

  /**
   * Parses and validates a JSON-lines body, appends it to the spool, and buffers its rows.
   * Nothing of a body with a bad line is written.
   *
   * @param body The request body.
   * @param options Clock (default: the writer's), and limits that override the writer's.
   * @returns The samples as columns.
   * @throws {RangeError} On the first bad line (see `parseIngestLines`) or past a limit.
   * @throws {LakeError} If the spool cannot be written.
   */
  write(body: Uint8Array, options: Omit<ParseIngestLinesOptions, "trusted"> = {}): IngestBatch {
    const batch = parseIngestLines(body, { ...this.#limits, now: this.#now(), ...options });
    this.#segment.append(body);
    this.#queued.push({ batch, segment: this.#segment.id });
    this.#rows += batch.ts.length;
    if (this.#rows >= this.#flushRows && this.#soon === undefined) {
      this.#soon = setTimeout(() => this.#tryFlush(true), 0);
    }
    return batch;
  }

  /**
   * Validates and stores samples that arrive as columns (the receivers: scrape, OTLP, StatsD,
   * probes) by the same rules and limits as {@linkcode IngestWriter.write}: they are encoded as
   * ingest lines, so there is one validation path and one spool format.
   *
   * @param batch The samples; labels in canonical form (`k=v,…`), `NaN` for no value.
   * @param options Clock (default: the writer's), and limits that override the writer's.
   * @returns The samples as validated columns.
   * @throws {RangeError} On the first bad sample or past a limit; nothing is written.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestWriter } from "./mod.ts";
   * const root = Deno.makeTempDirSync();
   * const ts = Date.UTC(2024, 0, 1);
   * const writer = new IngestWriter({ root, sync: false, now: () => ts });
   * const batch = { ts: [ts], host: ["h"], metric: ["m"], labels: ["a=1"], value: [2] };
   * assert.equal(writer.writeBatch(batch).labels[0], "a=1");
   * writer.close();
   * ```
   */
  writeBatch(
    batch: IngestBatch,
    options: Omit<ParseIngestLinesOptions, "trusted"> = {},
  ): IngestBatch {
    let text = "";
    for (let i = 0; i < batch.ts.length; i++) {
      const v = batch.value[i]!;
      text += `{"ts":${batch.ts[i]},"host":${JSON.stringify(batch.host[i])},"metric":${
        JSON.stringify(batch.metric[i])
      },"labels":${JSON.stringify(batch.labels[i])},"value":${Number.isFinite(v) ? v : "null"}}\n`;
    }
    return this.write(new TextEncoder().encode(text), options);
  }

  #add(b: IngestBatch, segment: number, replay: boolean): void {
    const n = b.ts.length;
    for (let i = 0; i < n; i++) {
      const ts = b.ts[i]!, host = b.host[i]!;
      const day = Math.floor(ts / DAY);
      let g = this.#last;
      if (g === undefined || g.host !== host || day !== this.#lastDay) {
        const date = utcDate(day * DAY);
        const key = `${host}\n${date}`;
        g = this.#groups.get(key);
        if (!g) {
          g = { host, date, ts: [], metric: [], labels: [], value: [], segments: new Set() };
          this.#groups.set(key, g);
        }
        if (replay && this.#written(g, segment)) {
          this.#last = undefined;
          continue;
        }
        this.#last = g, this.#lastDay = day;
        g.segments.add(segment);
      }
      g.ts.push(ts), g.metric.push(b.metric[i]!), g.labels.push(b.labels[i]!);
      g.value.push(b.value[i]!);
      if (replay) this.#rows++;
    }
    if (replay) this.#last = undefined;
  }

  /** True when a flush before a crash already wrote this segment's rows of this partition. */
  #written(g: Group, segment: number): boolean {
    return this.#plan.some((p) => {
      if (p.host !== g.host || p.date !== g.date || !p.segments.includes(segment)) return false;
      let names: string[];
      try {
        names = fileNames(partitionDir(this.#root, "metrics", g.host, g.date));
      } catch (error) {
        if (isUnwritable(error)) return false; // never written: the flush quarantines it
        throw error;
      }
      return names.some((name) => {
        const f = parseDataFile(name);
        return f !== undefined && (f.kind === "part" ? f.id === p.id : p.done && f.id >= p.id);
      });
    });
  }

  /** A timed flush: at most `flushPartitions` files now, the rest on the next turns. */
  #tryFlush(start: boolean): void {
    if (this.#soon !== undefined) clearTimeout(this.#soon);
    this.#soon = undefined;
    try {
      this.#flush(start, this.#turnSize, this.#flushBudgetMs);
    } catch (error) {
      this.#onError(error);
      return;
    }
    if (this.#more) this.#soon = setTimeout(() => this.#tryFlush(false), 0);
  }

  /**
   * Writes the buffered rows to Parquet now (one file per host and date) and deletes the spool
   * segments they came from once nothing of them waits any more. A partition that can never be
   * written (its host name is refused by the rules or the file system) is moved to the
   * quarantine instead of blocking the others.
   *
   * @param options `maxPartitions`: most files to write in this call (default: all).
   * @returns Rows written (rows without a finite value are not stored).
   * @throws {LakeError} If a file cannot be written for now, e.g. disk full (its rows and those
   * of the partitions after it stay buffered).
   */
  flush(options: { maxPartitions?: number } = {}): number {
    return this.#flush(true, options.maxPartitions ?? Infinity);
  }

  /** `start`: take in the accepted batches and rotate the segment; otherwise only continue
   * writing the groups a bounded flush left. */
  #flush(start: boolean, maxPartitions: number, budgetMs = Infinity): number {
    const began = performance.now();
    this.#turnSize = Math.min(this.#flushPartitions, this.#turnSize * 2);
    this.#more = false;
    if (this.#rows === 0 && this.#pending.length === 0) return 0;
    if (start) {
      for (const q of this.#queued) this.#add(q.batch, q.segment, false);
      this.#queued = [];
      const old = this.#segment;
      this.#segment = new IngestSegment(this.#root, Math.max(this.#now(), old.id + 1));
      old.close();
      this.#pending.push(old.id);
      this.#last = undefined;
    }
    const open = listSegments(this.#root).map((s) => s.id);
    const hi = open.length ? Math.min(...open) : Infinity;
    const now = this.#now();
    const todo: [string, Group, IngestPlanEntry][] = [];
    for (const [key, g] of this.#groups) {
      let lo = -1;
      try {
        checkHost(g.host); // before the host becomes part of a path
        const dir = partitionDir(this.#root, "metrics", g.host, g.date);
        for (const name of fileNames(dir)) lo = Math.max(lo, parseDataFile(name)?.id ?? -1);
      } catch (error) {
        if (!isUnwritable(error)) throw error;
        this.#quarantineGroup(key, g, error);
        continue;
      }
      const id = lo >= 0 ? lo + 1 : Math.min(now, hi - 1);
      if (id >= hi) continue;
      if (todo.length >= maxPartitions) {
        this.#more = true;
        break;
      }
      todo.push([key, g, { host: g.host, date: g.date, id, segments: [...g.segments] }]);
    }
    let written = 0;
    const done: IngestPlanEntry[] = [];
    try {
      this.#savePlan(todo.map((t) => t[2]));
      let handled = 0;
      for (const [key, g, entry] of todo) {
        if (handled++ > 0 && performance.now() - began > budgetMs) {
          this.#more = true; // the rest on the next turn (their plan entries were only intents)
          this.#turnSize = handled - 1;
          break;
        }
        let file;
        try {
          file = writePartition(
            withValues(g),
            { root: this.#root, id: entry.id, host: g.host, date: g.date, sync: this.#sync },
          );
        } catch (error) {
          if (!isUnwritable(error)) throw error;
          this.#quarantineGroup(key, g, error);
          continue;
        }
        written += file?.rows ?? 0;
        this.#rows -= g.ts.length;
        this.#groups.delete(key);
        done.push({ ...entry, done: true });
      }
    } finally {
      this.#plan.push(...done);
      this.#savePlan([]);
    }
    if (this.#groups.size === 0) {
      for (const seg of listIngestSegments(this.#root)) {
        if (this.#pending.includes(seg.id)) Deno.removeSync(seg.path);
      }
      this.#pending = [];
      this.#plan = [];
      this.#savePlan([]);
    }
    return written;
  }

  /** Moves a partition that can never be written to the quarantine (throws, keeping it, if the
   * quarantine cannot be written either). */
  #quarantineGroup(key: string, g: Group, error: unknown): void {
    const name = `ingest-${Math.min(...g.segments)}-${g.date}-${hostTag(g.host)}`;
    const path = writeQuarantine(this.#root, name, rowLines(g.host, g));
    this.#rows -= g.ts.length;
    this.#groups.delete(key);
    if (this.#last === g) this.#last = undefined;
    this.#quarantine({ path, rows: g.ts.length }, error);
  }

  #savePlan(extra: IngestPlanEntry[]): void {
    writeIngestPlan(this.#root, [...this.#plan, ...extra], this.#sync);
  }

  /** Flushes everything, stops the timer and closes the spool (deleting it when everything was
   * written). */
  close(): void {
    clearInterval(this.#timer);
    if (this.#soon !== undefined) clearTimeout(this.#soon);
    try {
      this.flush();
    } finally {
      this.#segment.close(this.#pending.length === 0 && this.#rows === 0);
    }
  }
}
