/**
 * Every state change of every alert, in the lake: Parquet files under
 * `ROOT/alerts/date=YYYY-MM-DD/`, columns `ts` (TIMESTAMP ms), `rule`, `fingerprint`, `labels`
 * (JSON), `from_state`, `to_state`, `value` (DOUBLE) and `annotations` (JSON). Transitions are
 * buffered and written in batches (a file per flush and day), each file whole (rename).
 *
 * @module
 */
import { parquetReadObjects } from "hyparquet";
import { parquetWriteBuffer } from "hyparquet-writer";
import { writeFileAtomic } from "../lake/mod.ts";
import type { AlertState, AlertTransition } from "./types.ts";

/** Options of {@linkcode AlertHistoryWriter}. */
export interface AlertHistoryWriterOptions {
  /** Longest time a transition waits in memory, ms. Default 10 000. */
  flushMs?: number;
  /** Transitions that trigger a flush at once. Default 1000. */
  maxRows?: number;
  /** Where a failed write is reported. Default `console.error`. */
  log?: (line: string) => void;
}

/** Time range of {@linkcode readAlertHistory}, ms (`since` inclusive, `until` exclusive). */
export interface ReadAlertHistoryOptions {
  since?: number;
  until?: number;
}

const DAY = 86_400_000;
let sequence = 0;

function dayOf(ts: number): string {
  return new Date(Math.floor(ts / DAY) * DAY).toISOString().slice(0, 10);
}

/** Buffers transitions and writes them as Parquet. */
export class AlertHistoryWriter {
  #root: string;
  #rows: AlertTransition[] = [];
  #firstAt = NaN;
  #flushMs: number;
  #maxRows: number;
  #log: (line: string) => void;

  /**
   * @param root Lake root.
   * @param options Batching; see {@linkcode AlertHistoryWriterOptions}.
   */
  constructor(root: string, options: AlertHistoryWriterOptions = {}) {
    this.#root = root;
    this.#flushMs = options.flushMs ?? 10_000;
    this.#maxRows = options.maxRows ?? 1000;
    this.#log = options.log ?? ((line) => console.error(line));
  }

  /**
   * Buffers transitions.
   *
   * @param transitions What happened.
   * @param wall The wall clock, ms (what `flushIfDue` is given). Default `Date.now()`.
   */
  add(transitions: readonly AlertTransition[], wall = Date.now()): void {
    if (this.#rows.length === 0) this.#firstAt = wall;
    this.#rows.push(...transitions);
    if (this.#rows.length >= this.#maxRows) this.flush();
  }

  /** The transitions not yet written. */
  buffered(): AlertTransition[] {
    return [...this.#rows];
  }

  /**
   * Writes when the oldest buffered transition has waited `flushMs`.
   *
   * @param wall The wall clock, ms.
   */
  flushIfDue(wall: number): void {
    if (this.#rows.length > 0 && wall - this.#firstAt >= this.#flushMs) this.flush();
  }

  /** Writes the buffered transitions now, one file per UTC day. A failure is logged and the
   * rows are kept for the next flush. */
  flush(): void {
    if (this.#rows.length === 0) return;
    const byDay = new Map<string, AlertTransition[]>();
    for (const t of this.#rows) {
      const day = dayOf(t.at);
      byDay.get(day)?.push(t) ?? byDay.set(day, [t]);
    }
    const kept: AlertTransition[] = [];
    for (const [day, rows] of byDay) {
      const path = `${this.#root}/alerts/date=${day}/part-${Date.now()}-${Deno.pid}-${++sequence}` +
        ".parquet";
      try {
        writeFileAtomic(path, encode(rows));
      } catch (error) {
        this.#log(`perfscope alerts: cannot write history: ${(error as Error).message}`);
        kept.push(...rows);
      }
    }
    this.#rows = kept;
    this.#firstAt = kept.length ? Date.now() : NaN;
  }
}

function encode(rows: AlertTransition[]): Uint8Array {
  return new Uint8Array(parquetWriteBuffer({
    columnData: [
      { name: "ts", data: rows.map((r) => r.at), type: "TIMESTAMP", nullable: false },
      { name: "rule", data: rows.map((r) => r.instance.rule), type: "STRING", nullable: false },
      {
        name: "fingerprint",
        data: rows.map((r) => r.instance.fingerprint),
        type: "STRING",
        nullable: false,
      },
      {
        name: "labels",
        data: rows.map((r) => JSON.stringify(r.instance.labels)),
        type: "STRING",
        nullable: false,
      },
      { name: "from_state", data: rows.map((r) => r.from), type: "STRING", nullable: false },
      { name: "to_state", data: rows.map((r) => r.to), type: "STRING", nullable: false },
      {
        name: "value",
        data: Float64Array.from(rows, (r) => r.instance.value),
        type: "DOUBLE",
        nullable: false,
      },
      {
        name: "annotations",
        data: rows.map((r) => JSON.stringify(r.instance.annotations)),
        type: "STRING",
        nullable: false,
      },
    ],
  }));
}

/**
 * Reads the stored transitions in a time range (the day directories it spans only).
 *
 * @param root Lake root.
 * @param options `since`/`until` in ms. Default: everything.
 * @returns Transitions, oldest first. The instance carries what the file holds (rule,
 *   fingerprint, labels, annotations, the state after the change, the value); its times are NaN
 *   except `activeAt`… which are not stored.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readAlertHistory } from "./alert_history.ts";
 * assert.deepEqual(await readAlertHistory(Deno.makeTempDirSync()), []);
 * ```
 */
export async function readAlertHistory(
  root: string,
  options: ReadAlertHistoryOptions = {},
): Promise<AlertTransition[]> {
  const since = options.since ?? -Infinity, until = options.until ?? Infinity;
  const dir = `${root}/alerts`;
  const out: AlertTransition[] = [];
  let days: string[];
  try {
    days = [...Deno.readDirSync(dir)].filter((e) => e.isDirectory && e.name.startsWith("date="))
      .map((e) => e.name.slice(5)).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return out;
    throw error;
  }
  for (const day of days) {
    const start = Date.parse(`${day}T00:00:00Z`);
    if (!(start + DAY > since && start < until)) continue;
    const files = [...Deno.readDirSync(`${dir}/date=${day}`)]
      .filter((e) => e.isFile && e.name.endsWith(".parquet")).map((e) => e.name).sort();
    for (const name of files) {
      const bytes = await Deno.readFile(`${dir}/date=${day}/${name}`);
      const rows = await parquetReadObjects({ file: bytes.buffer as ArrayBuffer });
      for (const r of rows) {
        const at = r.ts instanceof Date ? r.ts.getTime() : Number(r.ts);
        if (at < since || at >= until) continue;
        out.push({
          at,
          from: r.from_state as AlertState,
          to: r.to_state as AlertState,
          instance: {
            rule: String(r.rule),
            fingerprint: String(r.fingerprint),
            labels: JSON.parse(String(r.labels)),
            annotations: r.annotations === undefined ? {} : JSON.parse(String(r.annotations)),
            state: r.to_state as AlertState,
            value: Number(r.value),
            activeAt: NaN,
            firedAt: NaN,
            resolvedAt: NaN,
          },
        });
      }
    }
  }
  return out.sort((a, b) => a.at - b.at);
}
