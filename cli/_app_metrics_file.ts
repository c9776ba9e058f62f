/**
 * Private: the app-metric registry (units, kinds and help the receivers learned) kept in the
 * data directory, `DATA/receivers/app_metrics.json`, so that a restarted serve and the commands
 * that run beside it (`deno task report`) know the units of application metrics too. The
 * receivers hold the registry in memory and do not import the lake; the file is read and written
 * here, with the lake's atomic writer, by the commands.
 *
 * @module
 */
import { writeFileAtomic } from "../lake/mod.ts";
import { errorLine } from "./_args.ts";
import {
  appMetricsJson,
  appMetricsVersion,
  MAX_APP_METRICS,
  restoreAppMetrics,
} from "../receivers/mod.ts";

/** Largest file read: every entry at its longest (name, unit, help), JSON-escaped, fits. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/**
 * The registry file of a data directory.
 *
 * @param root Lake root.
 * @returns Its path.
 */
export function appMetricsPath(root: string): string {
  return `${root}/receivers/app_metrics.json`;
}

/**
 * Adds the saved registry of `root` to this process's. A missing file is a first start (no
 * line); an unreadable, oversized, damaged or hostile one is ignored with one log line, and
 * entries a receiver would not have made are skipped (named in the same line).
 *
 * @param root Lake root.
 * @param log Where a problem is reported; default stderr.
 * @returns How many entries were restored (0 when the file was ignored).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appMetricsPath, loadAppMetrics } from "./_app_metrics_file.ts";
 * const root = Deno.makeTempDirSync();
 * assert.equal(loadAppMetrics(root), 0); // a first start
 * Deno.mkdirSync(`${root}/receivers`);
 * Deno.writeTextFileSync(appMetricsPath(root), "{not json");
 * const lines: string[] = [];
 * assert.equal(loadAppMetrics(root, (l) => lines.push(l)), 0);
 * assert.match(lines[0]!, /ignoring .*app_metrics\.json/);
 * ```
 */
export function loadAppMetrics(
  root: string,
  log: (line: string) => void = console.error,
): number {
  const path = appMetricsPath(root);
  let text: string;
  try {
    const info = Deno.statSync(path);
    if (!info.isFile) throw new Error("not a regular file");
    if (info.size > MAX_FILE_BYTES) {
      throw new Error(`${info.size} bytes, more than ${MAX_FILE_BYTES} for ${MAX_APP_METRICS}`);
    }
    text = Deno.readTextFileSync(path);
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) {
      log(`perfscope: ignoring ${path}: ${errorLine(error)}`);
    }
    return 0;
  }
  try {
    const { restored, skipped } = restoreAppMetrics(text);
    if (skipped > 0) log(`perfscope: ${path}: skipped ${skipped} invalid entries`);
    return restored;
  } catch (error) {
    log(`perfscope: ignoring ${path}: ${errorLine(error)}`);
    return 0;
  }
}

/**
 * Writes this process's registry to `root` (whole, by rename). A failure is logged: serving and
 * storing go on; only the units of a later start are at stake.
 *
 * @param root Lake root.
 * @param log Where a failure is reported; default stderr.
 * @returns Whether it was written.
 */
export function saveAppMetrics(
  root: string,
  log: (line: string) => void = console.error,
): boolean {
  try {
    // no fsync: losing the last seconds of metadata to a power cut costs units, not samples
    writeFileAtomic(appMetricsPath(root), new TextEncoder().encode(appMetricsJson()), {
      sync: false,
    });
    return true;
  } catch (error) {
    log(`perfscope: cannot save the app-metric registry: ${errorLine(error)}`);
    return false;
  }
}

/** Options of {@linkcode keepAppMetricsSaved}. */
export interface KeepAppMetricsSavedOptions {
  /** How often a changed registry is written, ms; default 5000 (names change rarely; a source
   * churning names costs at most one write per period). */
  everyMs?: number;
  /** Where a failure is reported; default stderr. */
  log?: (line: string) => void;
}

/**
 * Writes the registry to `root` whenever it changed, every `everyMs`, until stopped; `stop`
 * writes a last time if anything is new, so a clean shutdown loses nothing.
 *
 * @param root Lake root.
 * @param options Period and log.
 * @returns A handle whose `stop` ends the timer and saves what is new.
 */
export function keepAppMetricsSaved(
  root: string,
  options: KeepAppMetricsSavedOptions = {},
): { stop(): void } {
  const log = options.log ?? console.error;
  // what the file already holds (just loaded, or nothing new yet) needs no write
  let saved = appMetricsVersion();
  const flush = () => {
    const now = appMetricsVersion();
    if (now !== saved && saveAppMetrics(root, log)) saved = now;
  };
  const timer = setInterval(flush, options.everyMs ?? 5000);
  Deno.unrefTimer(timer);
  return {
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
