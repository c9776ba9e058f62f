/**
 * How long `serve` may take to stop: requests in flight get a grace period, then whatever still
 * runs on the lake's DuckDB connection is interrupted; past a hard deadline the process exits
 * whatever still hangs. Nothing already accepted is lost that way: every accepted push is in the
 * ingest spool before it is answered, and the collector child keeps its own spool, and both are
 * replayed at the next start.
 *
 * @module
 */

/** Time requests in flight get to finish once serve stops, in ms. */
export const STOP_GRACE_MS = 5_000;
/** Time after the stop signal past which serve exits whatever still runs, in ms: past the grace
 * and the collector child's own 10 s between SIGTERM and SIGKILL, with room for the flush. */
export const STOP_DEADLINE_MS = 15_000;
/** Stop signals this close to the first are copies of it (a Ctrl-C on `deno task serve` arrives
 * from the terminal and from deno task), not a second stop, in ms. */
export const SAME_SIGNAL_MS = 1_000;

/** Options for {@linkcode drainServer}. */
export interface DrainOptions {
  /** Time the requests in flight get before `interrupt` is called, in ms. */
  graceMs: number;
  /** Ends what the remaining requests wait for (called every `graceMs / 10` until they end). */
  interrupt: () => void;
  /** Receives the line said when the grace is over. */
  log: (line: string) => void;
}

/**
 * Stops accepting connections and waits for the requests in flight, interrupting their work
 * once the grace is over (a lake read is not cancelled when its client goes away).
 *
 * @param server The server (`Deno.serve`'s).
 * @param options Grace, interrupt and log.
 * @returns A promise that settles once every request has ended.
 */
export async function drainServer(
  server: { shutdown(): Promise<void> },
  options: DrainOptions,
): Promise<void> {
  const done = server.shutdown();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => timer = setTimeout(() => resolve(true), options.graceMs)),
  ]);
  clearTimeout(timer);
  if (!late) return;
  options.log(
    `requests still running ${options.graceMs / 1000} s after the stop: interrupting their queries`,
  );
  options.interrupt();
  // a request may start another statement after its first one failed: interrupt that one too
  const again = setInterval(options.interrupt, Math.max(options.graceMs / 10, 10));
  try {
    await done;
  } finally {
    clearInterval(again);
  }
}

/** Options for {@linkcode armStopDeadline}. */
export interface StopDeadlineOptions {
  /** Says what the stop waits for, for the exit's log line. */
  stage: () => string;
  /** Ends the process. Default `Deno.exit`. */
  exit?: (code: number) => void;
  /** Receives the exit's log line. Default `console.error`. */
  log?: (line: string) => void;
}

/**
 * Exits the process (code 1) `deadlineMs` after it is called unless the returned function is
 * called first (a stop that ended by itself). The timer does not keep the process alive.
 *
 * @param deadlineMs Time before the exit, in ms.
 * @param options What the stop waits for; exit and log.
 * @returns Disarms the deadline.
 */
export function armStopDeadline(deadlineMs: number, options: StopDeadlineOptions): () => void {
  const { exit = Deno.exit, log = console.error } = options;
  const timer = setTimeout(() => {
    log(
      `perfscope serve: still stopping ${deadlineMs / 1000} s after the signal ` +
        `(waiting for ${options.stage()}): exiting now; accepted samples are in the spools and ` +
        "are replayed at the next start",
    );
    exit(1);
  }, deadlineMs);
  Deno.unrefTimer(timer);
  return () => clearTimeout(timer);
}
