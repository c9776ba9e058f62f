/**
 * Turns monotonically increasing counters into per-second rates. Private to the collectors.
 *
 * @module
 */

interface Last {
  value: number;
  ts: number;
  gen: number;
}

/**
 * Remembers each counter's previous value and time. A rate is `Δvalue / Δseconds` over the
 * real time since that counter was last read; it is `NaN` on the first read, after a decrease
 * (counter reset or wrap: the interval is unknowable), and when time did not move forward.
 */
export class Counters {
  #last = new Map<string, Last>();
  #gen = 0;
  #ts = 0;

  /**
   * Starts a sampling round.
   *
   * @param ts The round's time in ms.
   */
  begin(ts: number): void {
    this.#gen++;
    this.#ts = ts;
  }

  /**
   * Records a counter and returns its per-second rate since the previous record.
   *
   * @param key Unique counter key.
   * @param value The counter's value now.
   * @returns The rate, or `NaN` (see the class doc).
   */
  rate(key: string, value: number): number {
    const last = this.#last.get(key);
    if (!last) {
      this.#last.set(key, { value, ts: this.#ts, gen: this.#gen });
      return NaN;
    }
    const dv = value - last.value;
    const dt = (this.#ts - last.ts) / 1000;
    last.value = value;
    last.ts = this.#ts;
    last.gen = this.#gen;
    return dv >= 0 && dt > 0 ? dv / dt : NaN;
  }

  /**
   * Records a counter and returns its increase since the previous record.
   *
   * @param key Unique counter key.
   * @param value The counter's value now.
   * @returns The increase, or `NaN` on the first record or a decrease.
   */
  delta(key: string, value: number): number {
    const before = this.#last.get(key)?.value;
    this.rate(key, value);
    return before === undefined || value < before ? NaN : value - before;
  }

  /** Forgets counters not recorded in the last `rounds` rounds (gone disks, interfaces). */
  prune(rounds = 10): void {
    for (const [key, last] of this.#last) {
      if (this.#gen - last.gen >= rounds) this.#last.delete(key);
    }
  }
}
