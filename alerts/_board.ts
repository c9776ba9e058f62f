/**
 * The threshold and rate-of-change instances of one series in flat typed arrays. Each instance is
 * "armed" from its state with the values for which a step would change nothing but its value
 * (and the time its `for` or `keep_firing_for` timer is due): the once-a-second scan reads these
 * few contiguous numbers per instance, and only the instances outside them take the full step.
 * What this saves is memory traffic more than arithmetic: in `serve` the evaluation runs once a
 * second after the caches went cold, and every object an instance touches (its record, its rule)
 * was a cache miss.
 *
 * @module
 */
import type { Reducer } from "./compile_rule.ts";
import type { Live, Series } from "./_engine_parts.ts";

/** The step changes nothing while `value <= limit`. */
const QUIET_LE = 0;
/** … while `value > limit`. */
const QUIET_GT = 1;
/** … while `value >= limit`. */
const QUIET_GE = 2;
/** … while `value < limit`. */
const QUIET_LT = 3;
/** Always take the full step (no threshold: the value alone decides nothing here). */
const ALWAYS = 4;
/** The slot's instance moved to another series' board: skip it. */
const DEAD = 5;
/** Only a missing value (`NaN`) changes nothing (nodata and error leave on any value). */
const QUIET_NAN = 6;

/** Kinds whose instances live on a board. */
export function onBoard(kind: string): boolean {
  return kind === "threshold" || kind === "rate_of_change";
}

/** The instances of one series, as flat arrays (one slot per instance). */
export class Board {
  readonly series: Series;
  readonly insts: Live[];
  /** Distinct reductions of the series (reducer, window, memo key); `group` indexes them. */
  readonly reducers: Reducer[] = [];
  readonly windows: number[] = [];
  readonly keys: number[] = [];
  readonly groupValue: Float64Array;
  readonly group: Uint16Array;
  /** Multiplier of the reduced value (`per` of a rate of change, else 1). */
  readonly mul: Float64Array;
  /** The rule's `staleness` (NaN: five gaps of the series). */
  readonly staleMs: Float64Array;
  readonly code: Uint8Array;
  readonly limit: Float64Array;
  /** The timer: quiet while `now − t0 < span`. */
  readonly t0: Float64Array;
  readonly span: Float64Array;
  /** 1 when a stale series changes nothing (not pending or firing). */
  readonly staleQuiet: Uint8Array;
  /** Values taken by quiet steps, not yet copied into the instance (`lazy` 1). */
  readonly value: Float64Array;
  readonly lazy: Uint8Array;
  anyLazy = false;

  /**
   * @param series The series.
   * @param insts Its instances of board kinds (each is moved here from any other board).
   */
  constructor(series: Series, insts: Live[]) {
    this.series = series;
    this.insts = insts;
    const n = insts.length;
    this.group = new Uint16Array(n);
    this.mul = new Float64Array(n);
    this.staleMs = new Float64Array(n);
    this.code = new Uint8Array(n);
    this.limit = new Float64Array(n);
    this.t0 = new Float64Array(n);
    this.span = new Float64Array(n);
    this.staleQuiet = new Uint8Array(n);
    this.value = new Float64Array(n);
    this.lazy = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const inst = insts[i]!, rule = inst.rule;
      const old = inst.board;
      if (old !== undefined) {
        syncSlot(old, inst.slot);
        if (old.insts[inst.slot] === inst) old.code[inst.slot] = DEAD;
      }
      let g = this.keys.indexOf(rule.reduceKey);
      if (g < 0) {
        g = this.keys.push(rule.reduceKey) - 1;
        this.reducers.push(rule.reduce);
        this.windows.push(rule.windowMs);
      }
      this.group[i] = g;
      this.mul[i] = rule.kind === "rate_of_change" ? rule.perSeconds : 1;
      this.staleMs[i] = rule.stalenessMs ?? NaN;
      inst.board = this;
      inst.slot = i;
      arm(inst);
    }
    this.groupValue = new Float64Array(this.keys.length);
  }

  /**
   * Hands every instance to `due` (the engine's `fullSteps`).
   *
   * @param due Receives each instance.
   */
  every(due: (inst: Live) => void): void {
    for (let i = 0; i < this.code.length; i++) if (this.code[i] !== DEAD) due(this.insts[i]!);
  }

  /**
   * Finds the instances whose step at `now` may change more than their value and hands them to
   * `due`; the others only take the new value (kept here until {@linkcode syncBoard}).
   *
   * @param now Evaluation time, ms.
   * @param due Receives each instance that needs its full step.
   */
  scan(now: number, due: (inst: Live) => void): void {
    const buf = this.series.buf;
    const last = buf.lastTs;
    const gap = buf.gapMs;
    const staleDefault = Number.isFinite(gap) ? 5 * gap : 60_000;
    const gv = this.groupValue;
    for (let g = 0; g < gv.length; g++) {
      gv[g] = buf.reduce(this.reducers[g]!, now, this.windows[g]!, this.keys[g]!);
    }
    const code = this.code, limit = this.limit, staleMs = this.staleMs;
    for (let i = 0; i < code.length; i++) {
      const c = code[i]!;
      if (c === DEAD) continue;
      const s = staleMs[i]!;
      if (now - last > (s === s ? s : staleDefault)) {
        if (this.staleQuiet[i] === 0) due(this.insts[i]!);
        continue;
      }
      if (c === ALWAYS) {
        due(this.insts[i]!);
        continue;
      }
      const v = gv[this.group[i]!]! * this.mul[i]!;
      if (v !== v) continue; // no value: the step keeps everything as it is
      if (!(now - this.t0[i]! < this.span[i]!)) {
        due(this.insts[i]!);
        continue;
      }
      const x = limit[i]!;
      const quiet = c === QUIET_LE
        ? v <= x
        : c === QUIET_GT
        ? v > x
        : c === QUIET_GE
        ? v >= x
        : c === QUIET_LT
        ? v < x
        : false;
      if (!quiet) {
        due(this.insts[i]!);
        continue;
      }
      this.value[i] = v;
      this.lazy[i] = 1;
      this.anyLazy = true;
    }
  }
}

/**
 * Sets an instance's slot from its state: the values and time for which its step would change
 * nothing but the value, exactly as the engine's step decides.
 *
 * @param inst An instance on a board.
 */
export function arm(inst: Live): void {
  const b = inst.board;
  if (b === undefined) return;
  const i = inst.slot, rule = inst.rule;
  if (b.code[i] === DEAD) return;
  b.t0[i] = 0;
  b.span[i] = Infinity;
  b.staleQuiet[i] = 0;
  if (Number.isNaN(rule.threshold)) {
    b.code[i] = ALWAYS;
    return;
  }
  switch (inst.state) {
    case "pending":
      // holds past `clear` until `for` has passed
      b.code[i] = rule.up ? QUIET_GT : QUIET_LT;
      b.limit[i] = rule.clear;
      b.t0[i] = inst.activeAt;
      b.span[i] = rule.forMs;
      return;
    case "firing":
      if (Number.isNaN(inst.keepSince)) {
        b.code[i] = rule.up ? QUIET_GT : QUIET_LT;
      } else {
        // `keep_firing_for` running: quiet while the condition stays off, until it ends
        b.code[i] = rule.up ? QUIET_LE : QUIET_GE;
        b.t0[i] = inst.keepSince;
        b.span[i] = rule.keepFiringForMs;
      }
      b.limit[i] = rule.clear;
      return;
    case "nodata":
    case "error":
      b.code[i] = QUIET_NAN;
      b.staleQuiet[i] = 1;
      return;
    default: // inactive, resolved: quiet while the threshold is not crossed
      b.code[i] = rule.up ? QUIET_LE : QUIET_GE;
      b.limit[i] = rule.threshold;
      b.staleQuiet[i] = 1;
  }
}

/**
 * Copies a value a quiet step took into the instance.
 *
 * @param b The board.
 * @param i The slot.
 */
export function syncSlot(b: Board, i: number): void {
  if (b.lazy[i] !== 1) return;
  b.lazy[i] = 0;
  b.insts[i]!.value = b.value[i]!;
}

/**
 * Copies every value quiet steps took into the instances (before they are read).
 *
 * @param b The board.
 */
export function syncBoard(b: Board): void {
  if (!b.anyLazy) return;
  b.anyLazy = false;
  for (let i = 0; i < b.lazy.length; i++) syncSlot(b, i);
}
