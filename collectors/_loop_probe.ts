/**
 * Event-loop delay measured by timer lateness. Private to the collectors.
 *
 * @module
 */

/**
 * Runs an unreferenced interval timer (it never keeps the process alive) and records how late
 * each tick fires. {@linkcode LoopProbe.take} returns the worst lateness since the previous
 * call, including a tick that is overdue right now (a blocked loop fires no tick at all).
 */
export class LoopProbe {
  #timer: ReturnType<typeof setInterval> | undefined;
  #expected = 0;
  #worst = 0;

  /** @param intervalMs Tick interval; the smaller, the finer and the costlier. */
  constructor(readonly intervalMs = 1000) {
    this.#expected = performance.now() + intervalMs;
    const timer = setInterval(() => {
      const now = performance.now();
      const late = now - this.#expected;
      if (late > this.#worst) this.#worst = late;
      this.#expected = now + this.intervalMs;
    }, intervalMs);
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Worst lateness in ms since the last call (≥ 0). */
  take(): number {
    const overdue = performance.now() - this.#expected;
    const worst = Math.max(this.#worst, overdue, 0);
    this.#worst = 0;
    return worst;
  }

  /** Stops the timer. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
