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
import type { CompiledRule, Reducer } from "./compile_rule.ts";
import type { SeriesBuffer } from "./series_buffer.ts";
import type { AlertState } from "./types.ts";

/** What a board reads and writes of an instance (the engine's record has more). */
export interface BoardInst {
  rule: CompiledRule;
  board: Board<BoardInst> | undefined;
  slot: number;
  state: AlertState;
  activeAt: number;
  keepSince: number;
  value: number;
}

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

// One Float64Array per board, STRIDE numbers per slot: a small board is one or two cache lines
// (separate arrays per field cost a miss each on a board of three instances).
const CODE = 0, GROUP = 1, MUL = 2, STALE = 3, LIMIT = 4, T0 = 5, SPAN = 6, STALE_QUIET = 7;
const VALUE = 8, LAZY = 9, STRIDE = 10;

/** The instances of one series, as one flat array (STRIDE numbers per instance). */
export class Board<T extends BoardInst = BoardInst> {
  readonly series: { buf: SeriesBuffer };
  readonly insts: T[];
  /** Distinct reductions of the series (reducer, window, memo key); a slot's GROUP indexes them. */
  readonly reducers: Reducer[] = [];
  readonly windows: number[] = [];
  readonly keys: number[] = [];
  readonly groupValue: Float64Array;
  /**
   * Per slot: CODE (what keeps the step quiet), GROUP, MUL (`per` of a rate of change, else 1),
   * STALE (the rule's `staleness`, NaN: five gaps of the series), LIMIT, T0 and SPAN (the timer:
   * quiet while `now − t0 < span`), STALE_QUIET (1 when a stale series changes nothing: not
   * pending or firing), VALUE and LAZY (a value a quiet step took, not yet copied into the
   * instance).
   */
  readonly slots: Float64Array;
  anyLazy = false;

  /**
   * @param series The series.
   * @param insts Its instances of board kinds (each is moved here from any other board).
   */
  constructor(series: { buf: SeriesBuffer }, insts: T[]) {
    this.series = series;
    this.insts = insts;
    const n = insts.length;
    const a = this.slots = new Float64Array(n * STRIDE);
    for (let i = 0; i < n; i++) {
      const inst = insts[i]!, rule = inst.rule;
      const old = inst.board;
      if (old !== undefined) {
        syncSlot(old, inst.slot);
        if (old.insts[inst.slot] === inst) old.slots[inst.slot * STRIDE + CODE] = DEAD;
      }
      let g = this.keys.indexOf(rule.reduceKey);
      if (g < 0) {
        g = this.keys.push(rule.reduceKey) - 1;
        this.reducers.push(rule.reduce);
        this.windows.push(rule.windowMs);
      }
      const o = i * STRIDE;
      a[o + GROUP] = g;
      a[o + MUL] = rule.kind === "rate_of_change" ? rule.perSeconds : 1;
      a[o + STALE] = rule.stalenessMs ?? NaN;
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
  every(due: (inst: T) => void): void {
    for (let i = 0; i < this.insts.length; i++) {
      if (this.slots[i * STRIDE + CODE] !== DEAD) due(this.insts[i]!);
    }
  }

  /**
   * Finds the instances whose step at `now` may change more than their value and hands them to
   * `due`; the others only take the new value (kept here until {@linkcode syncBoard}).
   *
   * @param now Evaluation time, ms.
   * @param due Receives each instance that needs its full step.
   */
  scan(now: number, due: (inst: T) => void): void {
    const buf = this.series.buf;
    const last = buf.lastTs;
    const gap = buf.gapMs;
    const staleDefault = Number.isFinite(gap) ? 5 * gap : 60_000;
    const gv = this.groupValue;
    for (let g = 0; g < gv.length; g++) {
      gv[g] = buf.reduce(this.reducers[g]!, now, this.windows[g]!, this.keys[g]!);
    }
    const a = this.slots;
    for (let o = 0, i = 0; o < a.length; o += STRIDE, i++) {
      const c = a[o + CODE]!;
      if (c === DEAD) continue;
      const s = a[o + STALE]!;
      if (now - last > (s === s ? s : staleDefault)) {
        if (a[o + STALE_QUIET] === 0) due(this.insts[i]!);
        continue;
      }
      if (c === ALWAYS) {
        due(this.insts[i]!);
        continue;
      }
      const v = gv[a[o + GROUP]!]! * a[o + MUL]!;
      if (v !== v) continue; // no value: the step keeps everything as it is
      if (!(now - a[o + T0]! < a[o + SPAN]!)) {
        due(this.insts[i]!);
        continue;
      }
      const x = a[o + LIMIT]!;
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
      a[o + VALUE] = v;
      a[o + LAZY] = 1;
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
export function arm(inst: BoardInst): void {
  const b = inst.board;
  if (b === undefined) return;
  const a = b.slots, o = inst.slot * STRIDE, rule = inst.rule;
  if (a[o + CODE] === DEAD) return;
  a[o + T0] = 0;
  a[o + SPAN] = Infinity;
  a[o + STALE_QUIET] = 0;
  if (Number.isNaN(rule.threshold)) {
    a[o + CODE] = ALWAYS;
    return;
  }
  switch (inst.state) {
    case "pending":
      // holds past `clear` until `for` has passed
      a[o + CODE] = rule.up ? QUIET_GT : QUIET_LT;
      a[o + LIMIT] = rule.clear;
      a[o + T0] = inst.activeAt;
      a[o + SPAN] = rule.forMs;
      return;
    case "firing":
      if (Number.isNaN(inst.keepSince)) {
        a[o + CODE] = rule.up ? QUIET_GT : QUIET_LT;
      } else {
        // `keep_firing_for` running: quiet while the condition stays off, until it ends
        a[o + CODE] = rule.up ? QUIET_LE : QUIET_GE;
        a[o + T0] = inst.keepSince;
        a[o + SPAN] = rule.keepFiringForMs;
      }
      a[o + LIMIT] = rule.clear;
      return;
    case "nodata":
    case "error":
      a[o + CODE] = QUIET_NAN;
      a[o + STALE_QUIET] = 1;
      return;
    default: // inactive, resolved: quiet while the threshold is not crossed
      a[o + CODE] = rule.up ? QUIET_LE : QUIET_GE;
      a[o + LIMIT] = rule.threshold;
      a[o + STALE_QUIET] = 1;
  }
}

/**
 * Copies a value a quiet step took into the instance.
 *
 * @param b The board.
 * @param i The slot.
 */
export function syncSlot(b: Board, i: number): void {
  const o = i * STRIDE;
  if (b.slots[o + LAZY] !== 1) return;
  b.slots[o + LAZY] = 0;
  b.insts[i]!.value = b.slots[o + VALUE]!;
}

/**
 * Copies every value quiet steps took into the instances (before they are read).
 *
 * @param b The board.
 */
export function syncBoard(b: Board): void {
  if (!b.anyLazy) return;
  b.anyLazy = false;
  for (let i = 0; i < b.insts.length; i++) syncSlot(b, i);
}
