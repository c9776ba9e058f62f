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
  // Keyed by group (the metric), then key: no key strings are built per read.
  #last = new Map<string, Map<string, Last>>();
  #gen = 0;
  #pruned = 0;
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
    return this.rateIn("", key, value);
  }

  /**
   * Like {@linkcode Counters.rate}, with the key scoped to a group (e.g. the metric name).
   *
   * @param group The group.
   * @param key Unique counter key within the group.
   * @param value The counter's value now.
   * @returns The rate, or `NaN` (see the class doc).
   */
  rateIn(group: string, key: string, value: number): number {
    let keys = this.#last.get(group);
    if (!keys) this.#last.set(group, keys = new Map());
    const last = keys.get(key);
    if (!last) {
      keys.set(key, { value, ts: this.#ts, gen: this.#gen });
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
    const before = this.#last.get("")?.get(key)?.value;
    this.rate(key, value);
    return before === undefined || value < before ? NaN : value - before;
  }

  /**
   * Forgets counters not recorded in the last `rounds` rounds (gone disks, interfaces). The
   * check runs at most once per `rounds` rounds, so a counter goes after 2 × `rounds` at most.
   */
  prune(rounds = 10): void {
    if (this.#gen - this.#pruned < rounds) return;
    this.#pruned = this.#gen;
    for (const keys of this.#last.values()) {
      for (const [key, last] of keys) {
        if (this.#gen - last.gen >= rounds) keys.delete(key);
      }
    }
  }
}
