/**
 * The audit log: append-only JSON lines under `DATA/audit/audit-YYYY-MM-DD.jsonl`, one record
 * per decision and per action phase, each line written and fsynced before the call returns. An
 * action gets a `started` record before it runs and a `completed` record after, under one id, so
 * a process killed in between leaves a `started` record alone: read back as "started, outcome
 * unknown", never as nothing.
 *
 * @module
 */

/** Whether an action changed the system or only said what it would do. */
export type AuditMode = "dry-run" | "real";

/** What became of a decision or an action. */
export type AuditResult =
  | "ok"
  | "failed"
  | "refused"
  | "skipped"
  | "advice"
  | "awaiting-approval"
  | "approved"
  | "expired"
  // a rollback on resolve found a run of its workflow going: it rolls back once that run ends
  | "waiting"
  | "rolled-back"
  | "backed-off";

/** One line of the audit log. */
export interface AuditRecord {
  /** Shared by an action's `started` and `completed` records; unique per decision. */
  id: string;
  /** When the record was written (ms epoch). */
  ts: number;
  /** `decision` (a choice: skip, refuse, wait, advise), `started` or `completed` (an action). */
  phase: "decision" | "started" | "completed";
  /** The workflow or scheduled job. */
  workflow: string;
  /** The step's kind (`sysctl`, `renice`, `compact`, …). */
  step?: string;
  /** Who acted: `workflow:<name>`, `scheduler`, `approver:<who>`. */
  who: string;
  /** What, in words, naming the exact target (e.g. `renice pid 4242 (stress-ng) 0 → 10`). */
  what: string;
  /** Why: the trigger in words (e.g. `alert HighCpu firing on web1`). */
  why: string;
  /** The trigger's evidence (alert instance, recommendation, schedule time). */
  evidence?: unknown;
  /** The value before (`null` when none or unknown). */
  old?: string | null;
  /** The value after (or that would be set). */
  new?: string | null;
  mode: AuditMode;
  /** Outcome; absent on `started` records. */
  result?: AuditResult;
  /** Error or reason, one line. */
  detail?: string;
  /** How long the action took, ms (`completed` records). */
  durationMs?: number;
  /** The host acted on. */
  host: string;
  /** The process that wrote the record. */
  pid: number;
}

/** An action or decision as read back: `started` and `completed` merged. */
export interface AuditEntry extends AuditRecord {
  /** `unknown` when only the `started` record exists (the process died mid-action). */
  outcome: AuditResult | "unknown";
  /** When the action started (the `started` record's time), else the record's time. */
  startedAt: number;
}

const DAY = 86_400_000;

function dayOf(ts: number): string {
  return new Date(ts).toISOString().slice(0, 10);
}

/** Options of {@linkcode AuditLog}. */
export interface AuditLogOptions {
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** Host named in records. Default `Deno.hostname()`. */
  host?: string;
}

/**
 * Appends to and reads the audit log of a lake.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AuditLog } from "./audit_log.ts";
 * const log = new AuditLog(await Deno.makeTempDir(), { now: () => Date.UTC(2026, 0, 1), host: "h" });
 * const id = log.start({ workflow: "w", who: "workflow:w", what: "sysctl vm.swappiness 60 → 10", why: "test", mode: "real" });
 * assert.equal((await log.read())[0]!.outcome, "unknown");
 * log.complete(id, { result: "ok", durationMs: 3 });
 * assert.equal((await log.read())[0]!.outcome, "ok");
 * ```
 */
export class AuditLog {
  readonly dir: string;
  readonly host: string;
  #now: () => number;
  #open = new Map<string, AuditRecord>();
  #seq = 0;

  /**
   * @param root Lake root; records go to `<root>/audit/`.
   * @param options Clock and host name.
   */
  constructor(root: string, options: AuditLogOptions = {}) {
    this.dir = `${root}/audit`;
    this.#now = options.now ?? Date.now;
    this.host = options.host ?? Deno.hostname();
  }

  /** A new record id, unique across processes (time, pid, sequence). */
  newId(): string {
    return `${this.#now().toString(36)}-${Deno.pid.toString(36)}-${(++this.#seq).toString(36)}`;
  }

  /**
   * Appends one record and fsyncs it before returning.
   *
   * @param record The record without `ts`, `host`, `pid` (filled in) and `id` (made if absent).
   * @returns The record written.
   */
  append(
    record: Omit<AuditRecord, "ts" | "host" | "pid" | "id"> & { id?: string; host?: string },
  ): AuditRecord {
    const full: AuditRecord = {
      ...record,
      id: record.id ?? this.newId(),
      ts: this.#now(),
      host: record.host ?? this.host,
      pid: Deno.pid,
    };
    Deno.mkdirSync(this.dir, { recursive: true });
    const file = Deno.openSync(`${this.dir}/audit-${dayOf(full.ts)}.jsonl`, {
      read: true,
      append: true,
      create: true,
    });
    try {
      // a line torn by a crash mid-write is ended first, so this record stands on its own line
      const size = file.statSync().size;
      let lead = "";
      if (size > 0) {
        const last = new Uint8Array(1);
        file.seekSync(size - 1, Deno.SeekMode.Start);
        file.readSync(last);
        if (last[0] !== 10) lead = "\n";
      }
      const bytes = new TextEncoder().encode(lead + JSON.stringify(full) + "\n");
      let done = 0;
      while (done < bytes.length) done += file.writeSync(bytes.subarray(done));
      file.syncSync();
    } finally {
      file.close();
    }
    return full;
  }

  /**
   * Records a decision (skip, refuse, advice, wait for approval).
   *
   * @param record The decision with its `result`.
   * @returns Its id.
   */
  decide(
    record: Omit<AuditRecord, "ts" | "host" | "pid" | "id" | "phase"> & { host?: string },
  ): string {
    return this.append({ ...record, phase: "decision" }).id;
  }

  /**
   * Records that an action starts, before it runs.
   *
   * @param record What is about to happen.
   * @returns The id to pass to {@linkcode AuditLog.complete}.
   */
  start(
    record: Omit<AuditRecord, "ts" | "host" | "pid" | "id" | "phase" | "result"> & {
      host?: string;
    },
  ): string {
    const written = this.append({ ...record, phase: "started" });
    this.#open.set(written.id, written);
    return written.id;
  }

  /**
   * Records how a started action ended.
   *
   * @param id The id from {@linkcode AuditLog.start}.
   * @param outcome Result, detail, duration and the value after.
   */
  complete(
    id: string,
    outcome: { result: AuditResult; detail?: string; durationMs?: number; new?: string | null },
  ): void {
    const started = this.#open.get(id);
    this.#open.delete(id);
    const base = started ?? { workflow: "?", who: "?", what: "?", why: "?", mode: "real" as const };
    const { ts: _ts, pid: _pid, phase: _phase, ...rest } = base as AuditRecord;
    this.append({ ...rest, ...outcome, id, phase: "completed" });
  }

  /**
   * Reads the log back, newest first, an action's two records merged into one entry.
   *
   * @param options `since`/`until` (ms epoch; default everything).
   * @returns The entries; torn or corrupt lines are skipped.
   */
  async read(options: { since?: number; until?: number } = {}): Promise<AuditEntry[]> {
    return mergeRecords(await this.records(options));
  }

  /**
   * Reads the raw records in the order written.
   *
   * @param options `since`/`until` (ms epoch).
   * @returns The records.
   */
  async records(options: { since?: number; until?: number } = {}): Promise<AuditRecord[]> {
    const since = options.since ?? -Infinity, until = options.until ?? Infinity;
    const names: string[] = [];
    try {
      for await (const e of Deno.readDir(this.dir)) {
        const m = /^audit-(\d{4}-\d{2}-\d{2})\.jsonl$/.exec(e.name);
        if (!m || !e.isFile) continue;
        const day = Date.parse(m[1]!);
        if (day + DAY <= since || day > until) continue;
        names.push(e.name);
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    const out: AuditRecord[] = [];
    for (const name of names.sort()) {
      const text = await Deno.readTextFile(`${this.dir}/${name}`);
      for (const line of text.split("\n")) {
        if (line === "") continue;
        try {
          const r = JSON.parse(line) as AuditRecord;
          if (typeof r.id === "string" && r.ts >= since && r.ts <= until) out.push(r);
        } catch {
          // a line torn by a crash mid-write: the fsync of the next record still stands
        }
      }
    }
    return out;
  }
}

/**
 * Merges `started` and `completed` records by id into entries, newest first.
 *
 * @param records Records in the order written.
 * @returns One entry per decision or action.
 */
export function mergeRecords(records: readonly AuditRecord[]): AuditEntry[] {
  const byId = new Map<string, AuditEntry>();
  for (const r of records) {
    const seen = byId.get(r.id);
    if (seen && r.phase === "completed") {
      byId.set(r.id, {
        ...seen,
        ...r,
        outcome: r.result ?? "unknown",
        startedAt: seen.startedAt,
      });
    } else if (!seen) {
      byId.set(r.id, {
        ...r,
        outcome: r.phase === "started" ? "unknown" : r.result ?? "unknown",
        startedAt: r.ts,
      });
    }
  }
  // newest first; records of the same millisecond stay in reverse order of writing
  return [...byId.values()].reverse().sort((a, b) => b.startedAt - a.startedAt);
}
