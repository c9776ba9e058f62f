/**
 * Parser for `/proc/loadavg`.
 *
 * @module
 */

/** Load averages and task counts from `/proc/loadavg`. */
export interface LoadAvg {
  /** Load average over 1 minute. */
  load1: number;
  /** Load average over 5 minutes. */
  load5: number;
  /** Load average over 15 minutes. */
  load15: number;
  /** Runnable scheduling entities now (before the slash). */
  running: number;
  /** Scheduling entities that exist (after the slash). */
  total: number;
}

/**
 * Parses `/proc/loadavg`, e.g. `0.26 0.10 0.03 1/82 2536`.
 *
 * @param text The file's contents.
 * @returns The three load averages and the task counts.
 * @throws {SyntaxError} If the first three fields are not numbers.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseLoadAvg } from "./parse_load_avg.ts";
 * const l = parseLoadAvg("0.26 0.10 0.03 1/82 2536\n");
 * assert.equal(l.load5, 0.1);
 * assert.equal(l.total, 82);
 * ```
 */
export function parseLoadAvg(text: string): LoadAvg {
  const parts = text.trim().split(/\s+/);
  const [load1, load5, load15] = parts.slice(0, 3).map((p) => p === "" ? NaN : Number(p));
  if (
    load1 === undefined || load5 === undefined || load15 === undefined ||
    !Number.isFinite(load1) || !Number.isFinite(load5) || !Number.isFinite(load15)
  ) {
    throw new SyntaxError(`Invalid /proc/loadavg: ${JSON.stringify(text.slice(0, 80))}`);
  }
  const tasks = parts[3]?.split("/") ?? [];
  const running = tasks.length === 2 ? Number(tasks[0]) : NaN;
  const total = tasks.length === 2 ? Number(tasks[1]) : NaN;
  return { load1, load5, load15, running, total };
}
