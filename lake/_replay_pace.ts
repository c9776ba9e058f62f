/**
 * The pace of a replay at start that a stop signal can cut short: work in steps, and a turn of
 * the event loop (where signal handlers and timers run) once a step ends past `turnMs` of work
 * since the last turn. Shared by the collector's spool replay (`replay_spool.ts`) and the ingest
 * writer's (`IngestWriter.open`).
 *
 * @module
 */

/** Work between two turns of the event loop, ms: how long a stop signal may wait for it. A turn
 * costs up to 4 ms once timers nest, so a turn after every step made a replay of 3,000 small
 * requests take 9 s instead of 2 s. */
export const REPLAY_TURN_MS = 20;

/** Paces one replay (see the module doc). */
export class ReplayPace {
  #since = performance.now();
  #signal: AbortSignal | undefined;
  #turnMs: number;

  /**
   * @param signal Stops the replay; default none.
   * @param turnMs Work between turns, ms; default {@linkcode REPLAY_TURN_MS}.
   */
  constructor(signal?: AbortSignal, turnMs = REPLAY_TURN_MS) {
    this.#signal = signal;
    this.#turnMs = turnMs;
  }

  /** Whether the signal has stopped the replay (as of the last turn: handlers run only then). */
  get stopped(): boolean {
    return this.#signal?.aborted ?? false;
  }

  /**
   * Ends a step: takes a turn of the event loop if `turnMs` of work have passed since the last
   * one (or `now` is set).
   *
   * @param now Take the turn whatever the time (after a step that cannot be cut, e.g. before a
   * long one).
   * @returns Whether the replay is to stop.
   */
  async step(now = false): Promise<boolean> {
    if (now || performance.now() - this.#since >= this.#turnMs) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.#since = performance.now();
    }
    return this.stopped;
  }
}
