/**
 * The recent samples of one series, kept only as far back as the rules on it look: a ring of
 * times and values that grows to the window it must hold and drops what falls out of it.
 *
 * @module
 */
import type { Reducer } from "./compile_rule.ts";

/** Most points one series keeps (a 1-day window at 1 Hz fits); older ones are dropped first. */
export const MAX_POINTS = 1 << 17;

const scratch = { buf: new Float64Array(64) };

/** Sorts the first n values in place: windows are short, and this allocates nothing. */
function insertionSort(a: Float64Array, n: number): void {
  if (n > 256) {
    a.subarray(0, n).sort();
    return;
  }
  for (let i = 1; i < n; i++) {
    const x = a[i]!;
    let j = i - 1;
    while (j >= 0 && a[j]! > x) (a[j + 1] = a[j]!, j--);
    a[j + 1] = x;
  }
}

/** A ring buffer of one series' samples, in time order. */
export class SeriesBuffer {
  /** History to keep behind the newest sample, ms. */
  keepMs = 0;
  /** Time of the newest sample (ms), `-Infinity` before the first. */
  lastTs = -Infinity;
  /** Smoothed gap between samples, ms (`NaN` until two samples). */
  gapMs = NaN;
  #ts = new Float64Array(4);
  #v = new Float64Array(4);
  #head = 0;
  #len = 0;
  // Reductions already computed at one evaluation time: rules sharing a series, reducer and
  // window (common: one rule per label set of a metric) reduce it once.
  // Typed arrays with a count: an array emptied by `length = 0` and refilled each second would
  // allocate a new backing store every time (garbage the collector pays for in `serve`).
  #memoAt = NaN;
  #memoKey = new Float64Array(4);
  #memoValue = new Float64Array(4);
  #memoCount = 0;

  /** Samples held. */
  get length(): number {
    return this.#len;
  }

  /**
   * Appends a sample; one older than the newest is ignored (a late duplicate or backfill).
   *
   * @param ts Time, ms.
   * @param value Value (`NaN` for none).
   * @returns False when the sample was out of order and dropped.
   */
  push(ts: number, value: number): boolean {
    if (ts <= this.lastTs) {
      if (ts === this.lastTs && this.#len > 0) {
        this.#v[(this.#head + this.#len - 1) % this.#ts.length] = value; // same instant: newest wins
        this.#memoAt = NaN; // a reduction made at this time read the value replaced
        return true;
      }
      return false;
    }
    if (this.lastTs > -Infinity) {
      const gap = ts - this.lastTs;
      this.gapMs = Number.isNaN(this.gapMs) ? gap : this.gapMs + (gap - this.gapMs) * 0.2;
    }
    this.lastTs = ts;
    this.#memoAt = NaN;
    const cut = ts - this.keepMs;
    while (this.#len > 0 && this.#ts[this.#head]! <= cut) {
      this.#head = (this.#head + 1) % this.#ts.length;
      this.#len--;
    }
    if (this.#len === this.#ts.length) {
      if (this.#len >= MAX_POINTS) {
        this.#head = (this.#head + 1) % this.#ts.length;
        this.#len--;
      } else this.#grow();
    }
    const i = (this.#head + this.#len) % this.#ts.length;
    this.#ts[i] = ts;
    this.#v[i] = value;
    this.#len++;
    return true;
  }

  #grow(): void {
    const cap = this.#ts.length * 2;
    const ts = new Float64Array(cap), v = new Float64Array(cap);
    for (let k = 0; k < this.#len; k++) {
      const i = (this.#head + k) % this.#ts.length;
      ts[k] = this.#ts[i]!;
      v[k] = this.#v[i]!;
    }
    this.#ts = ts;
    this.#v = v;
    this.#head = 0;
  }

  /**
   * Reduces the finite samples in the window `(now − windowMs, now]`.
   *
   * @param reducer How: `last` takes the newest finite sample at or before `now` whatever its
   *   age (staleness is judged apart); `rate` is (last − first) / seconds between them.
   * @param now End of the window, ms.
   * @param windowMs Length of the window, ms.
   * @param key Identifies `reducer` and `windowMs` for the memo of one evaluation time: rules
   *   with the same key share the result. Default none (computed every time).
   * @returns The value, or `NaN` when the window holds no finite sample (`rate`: fewer than 2).
   */
  reduce(reducer: Reducer, now: number, windowMs: number, key = NaN): number {
    if (reducer === "last" || Number.isNaN(key)) return this.#reduce(reducer, now, windowMs);
    if (now === this.#memoAt) {
      for (let i = 0; i < this.#memoCount; i++) {
        if (this.#memoKey[i] === key) return this.#memoValue[i]!;
      }
    } else {
      this.#memoAt = now;
      this.#memoCount = 0;
    }
    const value = this.#reduce(reducer, now, windowMs);
    if (this.#memoCount === this.#memoKey.length) {
      const keys = new Float64Array(this.#memoCount * 2), values = new Float64Array(keys.length);
      keys.set(this.#memoKey);
      values.set(this.#memoValue);
      this.#memoKey = keys;
      this.#memoValue = values;
    }
    this.#memoKey[this.#memoCount] = key;
    this.#memoValue[this.#memoCount++] = value;
    return value;
  }

  #reduce(reducer: Reducer, now: number, windowMs: number): number {
    const ts = this.#ts, v = this.#v, cap = ts.length;
    let k = this.#len - 1;
    while (k >= 0 && ts[(this.#head + k) % cap]! > now) k--;
    if (reducer === "last") {
      for (; k >= 0; k--) {
        const x = v[(this.#head + k) % cap]!;
        if (Number.isFinite(x)) return x;
      }
      return NaN;
    }
    const from = now - windowMs;
    let n = 0, sum = 0, max = -Infinity, min = Infinity;
    let lastT = NaN, lastV = NaN, firstT = NaN, firstV = NaN;
    if (reducer === "p95" && scratch.buf.length < this.#len) {
      scratch.buf = new Float64Array(this.#ts.length);
    }
    for (; k >= 0; k--) {
      const i = (this.#head + k) % cap;
      const t = ts[i]!;
      if (t <= from) break;
      const x = v[i]!;
      if (!Number.isFinite(x)) continue;
      if (n === 0) (lastT = t, lastV = x);
      firstT = t;
      firstV = x;
      if (reducer === "p95") scratch.buf[n] = x;
      n++;
      sum += x;
      if (x > max) max = x;
      if (x < min) min = x;
    }
    if (n === 0) return NaN;
    switch (reducer) {
      case "avg":
        return sum / n;
      case "max":
        return max;
      case "min":
        return min;
      case "rate":
        return n < 2 ? NaN : (lastV - firstV) / ((lastT - firstT) / 1000);
      default: {
        // p95 as R-7 (linear between order statistics), what numpy and d3.quantile give
        const a = scratch.buf;
        insertionSort(a, n);
        const h = (n - 1) * 0.95, lo = Math.floor(h);
        return a[lo]! + (h - lo) * (a[Math.min(lo + 1, n - 1)]! - a[lo]!);
      }
    }
  }
}
