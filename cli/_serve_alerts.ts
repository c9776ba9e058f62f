/**
 * How `serve` runs the alert engine: samples from the collector's spool and from ingest go in
 * as they arrive, and the rules are evaluated right after each collector snapshot (once for a
 * spool's backlog read in one go) and shortly after ingested samples (so an alert is not up to a
 * second late), and at least once a second by an unref'd timer (for `for`, staleness and absence
 * when no sample comes). Nothing here can block the collector: it runs in another process and
 * only its spool is read.
 *
 * @module
 */
import type { AlertEngine } from "../alerts/mod.ts";
import { type RuleConfig, ruleSchema } from "../config/mod.ts";
import type { Sample } from "../collectors/mod.ts";
import type { IngestBatch } from "../lake/mod.ts";
import type { IngestSink, SqlSandbox } from "../web/mod.ts";

/** Options of {@linkcode startAlertLoop}. */
export interface AlertLoopOptions {
  /** Stops the timer. */
  signal: AbortSignal;
  /** Longest time between evaluations, ms. Default 1000. */
  intervalMs?: number;
  /**
   * Ingested samples are evaluated this long after the first of them arrives, ms: batches
   * arriving meanwhile share that evaluation, so ingest never costs more than one evaluation of
   * every rule per this time. Default 100.
   */
  ingestDelayMs?: number;
  /** Clock, ms. Default `Date.now`. */
  now?: () => number;
  /** Where a failed evaluation is reported. Default `console.error`. */
  log?: (line: string) => void;
}

/** The running loop. */
export interface AlertLoop {
  /** Feeds a collector snapshot and evaluates at once, after the snapshots fed with it in the
   * same synchronous run (a spool's backlog is evaluated once, as a whole). */
  snapshot(samples: readonly Sample[]): void;
  /** Feeds accepted ingest samples (evaluated `ingestDelayMs` later, with any that follow). */
  ingest(batch: IngestBatch): void;
}

/**
 * Starts evaluating the engine every `intervalMs` (and after each snapshot).
 *
 * @param engine The engine.
 * @param options Stop signal, interval, clock.
 * @returns The feed functions.
 */
export function startAlertLoop(engine: AlertEngine, options: AlertLoopOptions): AlertLoop {
  const intervalMs = options.intervalMs ?? 1000;
  const ingestDelayMs = options.ingestDelayMs ?? 100;
  const now = options.now ?? Date.now;
  const log = options.log ?? ((line) => console.error(line));
  let last = -Infinity;
  const evaluate = () => {
    last = now();
    try {
      engine.evaluate(last);
    } catch (error) {
      log(`perfscope serve: alert evaluation failed: ${(error as Error).message}`);
    }
  };
  const timer = setInterval(() => {
    if (now() - last >= intervalMs * 0.9) evaluate();
  }, intervalMs);
  Deno.unrefTimer(timer);
  let pending: ReturnType<typeof setTimeout> | undefined;
  let queued = false;
  options.signal.addEventListener("abort", () => {
    clearInterval(timer);
    clearTimeout(pending);
  }, { once: true });
  return {
    snapshot(samples) {
      engine.observe(samples);
      // once for the caller's whole run of snapshots: at a start the spool tail hands over the
      // newest segment's backlog (all since the collector's last flush) in one go, and evaluated
      // at the clock after each of them a series was stale on its old samples, then fresh again
      // (pending → nodata → pending with its `for` restarted, a firing alert announced again)
      if (queued) return;
      queued = true;
      queueMicrotask(() => {
        queued = false;
        evaluate();
      });
    },
    ingest(batch) {
      engine.observe(batch);
      if (pending !== undefined || options.signal.aborted) return;
      const once = setTimeout(() => {
        pending = undefined;
        evaluate();
      }, ingestDelayMs);
      Deno.unrefTimer(once);
      pending = once;
    },
  };
}

/**
 * Wraps the ingest writer so every accepted batch also reaches the alert engine.
 *
 * @param sink The writer.
 * @param onBatch Receives each accepted batch.
 * @returns A sink with the same behaviour.
 */
export function observingSink(sink: IngestSink, onBatch: (batch: IngestBatch) => void): IngestSink {
  return {
    write(body, options) {
      const batch = sink.write(body, options);
      onBatch(batch);
      return batch;
    },
    writeBatch(input, options) {
      const batch = sink.writeBatch(input, options);
      onBatch(batch);
      return batch;
    },
    // both optional, and both must pass through: without `check` the route cannot refuse a
    // request before reading its body, without `writeAsync` it parses on the event loop in one go
    ...(sink.check && { check: () => sink.check!() }),
    ...(sink.window && { window: (now: number) => sink.window!(now) }),
    ...(sink.writeAsync && {
      async writeAsync(
        body: Uint8Array | readonly Uint8Array[],
        options: Parameters<NonNullable<IngestSink["writeAsync"]>>[1],
      ) {
        const batch = await sink.writeAsync!(body, options);
        onBatch(batch);
        return batch;
      },
    }),
  };
}

/**
 * The query function of SQL rules: the `/api/query` sandbox, rows as objects.
 *
 * @param sandbox The sandbox.
 * @returns `query(sql)` resolving to rows keyed by column name.
 */
export function sandboxQuery(
  sandbox: SqlSandbox,
): (sql: string) => Promise<Record<string, unknown>[]> {
  return async (sql) => {
    const result = await sandbox.query(sql);
    return result.rows.map((row) =>
      Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]]))
    );
  };
}

/**
 * Validates one rule given as JSON (the Alerts page's backtest) by the config's rules.
 *
 * @param input The rule, durations as text (`"5s"`).
 * @returns The rule, durations in ms.
 * @throws {RangeError} Naming the first problem's key, e.g. `Invalid rule: for: invalid duration`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseRuleInput } from "./_serve_alerts.ts";
 * assert.equal(parseRuleInput({ alert: "A", metric: "m", above: 1, for: "5s" }).for, 5000);
 * assert.throws(() => parseRuleInput({ alert: "A", metric: "m" }), /Invalid rule: above: /);
 * ```
 */
export function parseRuleInput(input: unknown): RuleConfig {
  const result = ruleSchema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const key = issue.path.map(String).join(".");
  throw new RangeError(`Invalid rule: ${key ? `${key}: ` : ""}${issue.message}`);
}
