/**
 * Compaction on a timer for `serve`: every `everyMs` a separate `compact` process merges the
 * partitions, builds the rollups and applies retention. A process of its own, so that a long
 * merge never holds the server's event loop, and a crash of one run leaves the server standing
 * (compaction is safe to interrupt). Private to the commands.
 *
 * @module
 */
import { runCliProcess } from "./_run_cli_process.ts";
import { sleep } from "./_sleep.ts";

/** Options for {@linkcode scheduleCompaction}. */
export interface CompactScheduleOptions {
  /** Lake root. */
  root: string;
  /** Time between runs in ms (from the end of one to the start of the next). */
  everyMs: number;
  /** Retention passed to `compact`, in ms. */
  retentionMs: number;
  /** Stops the schedule; a run in progress gets SIGTERM and is awaited. */
  signal: AbortSignal;
  /** Delay before the first run in ms. Default one minute, so a fresh start is not slowed. */
  firstDelayMs?: number;
  /** Where the one-line outcome of each run goes. Default `console.error`. */
  log?: (line: string) => void;
}

async function runOnce(options: CompactScheduleOptions, log: (line: string) => void) {
  const out = await runCliProcess(
    "compact.ts",
    ["--data", options.root, "--retention", `${options.retentionMs}ms`, "--skip-if-busy"],
    options.signal,
  );
  const text = new TextDecoder().decode(out.code === 0 ? out.stdout : out.stderr).trim();
  const line = text.split("\n").at(-1) || `exit code ${out.code}`;
  if (!options.signal.aborted) {
    log(out.code === 0 ? `compaction: ${line}` : `compaction failed: ${line}`);
  }
}

/**
 * Runs compaction every `everyMs` until the signal aborts. Runs never overlap.
 *
 * @param options Root, period, retention, stop signal.
 * @returns A promise that settles once the schedule has stopped and no run is left.
 */
export async function scheduleCompaction(options: CompactScheduleOptions): Promise<void> {
  const log = options.log ?? ((line: string) => console.error(`perfscope serve: ${line}`));
  await sleep(options.firstDelayMs ?? 60_000, options.signal);
  while (!options.signal.aborted) {
    try {
      await runOnce(options, log);
    } catch (error) {
      log(`compaction failed: ${(error as Error).message.split("\n")[0]}`);
    }
    await sleep(options.everyMs, options.signal);
  }
}
