/**
 * The engine's internal records: a rule with its instances, a series with its buffer, and the
 * mutable state of one alert instance.
 *
 * @module
 */
import type { AnomalyDetector } from "../analytics/mod.ts";
import type { Labels } from "../collectors/mod.ts";
import type { CompiledRule } from "./compile_rule.ts";
import type { Board } from "./_board.ts";
import { SeriesBuffer } from "./series_buffer.ts";
import type { AlertState } from "./types.ts";

/** A rule and everything the engine keeps for it. */
export interface RuleEntry {
  rule: CompiledRule;
  /** Its instances by fingerprint. */
  insts: Map<string, Live>;
  /** The same as an array (rebuilt after a change: `undefined`). */
  list: Live[] | undefined;
  /** `absence`: newest sample time of any matching series. */
  lastSeen: number;
  /** `sql`: next run. */
  nextAt: number;
  /** `sql`: a query is in flight. */
  running: boolean;
  /** `sql`: rows of the last successful run (label sets and values). */
  result: { labels: Record<string, string>; value: number }[] | undefined;
  /** `sql`: why the last run failed. */
  error: string | undefined;
  /** `sql`: a run finished since the last evaluation. */
  fresh: boolean;
  /** Position in the rules (transitions come out in this order). */
  ord: number;
  /** Board kinds: instances the scan found due, gathered for this evaluation. */
  due: Live[];
  /** Board kinds: instances without a series (restored, not seen yet): always stepped. Only
   * while there are some (a set per rule is an object and a table for the GC to mark). */
  loose: Set<Live> | undefined;
  /** The numbers of its instances (see {@linkcode Live}); slot 0 is scratch. */
  nums: Float64Array;
  /** Slots in use or freed (starts at 1: after the scratch slot). */
  usedSlots: number;
  /** Slots of forgotten instances, to reuse. */
  freeSlots: number[];
}

/** One series as the engine holds it. */
export interface Series {
  host: string;
  metric: string;
  labels: string;
  labelObj: Labels;
  buf: SeriesBuffer;
  /** Instances that read it. */
  insts: Live[];
  /** Absence rules it keeps quiet. */
  absence: RuleEntry[];
  /** An anomaly or predictive instance reads it (each sample updates them). */
  special: boolean;
  /** Its threshold and rate-of-change instances, as flat arrays. */
  board: Board<Live> | undefined;
}

/** Bins of a predictive rule's lookback: sums and counts by absolute bin number. */
export interface Bins {
  widthMs: number;
  index: Float64Array;
  sum: Float64Array;
  count: Float64Array;
}

/**
 * What anomaly, predictive and SQL instances keep beyond the state every instance has: a side
 * object of those kinds only, so the many threshold instances do not carry these fields.
 */
export interface KindState {
  /** anomaly: points scored, consecutive points at or above the score, last score. */
  seen: number;
  run: number;
  score: number;
  detector: AnomalyDetector | undefined;
  /** predictive: binned history, next forecast, its verdict and seconds to the crossing. */
  bins: Bins | undefined;
  nextAt: number;
  cond: number;
  predicted: number;
  /** sql: in the last result, with this value. */
  inResult: boolean;
  rowValue: number;
}

// The numbers of an instance, in its rule's `nums` (NUMS per instance).
const VALUE = 0, ACTIVE_AT = 1, FIRED_AT = 2, RESOLVED_AT = 3, KEEP_SINCE = 4, SINCE = 5;
const LAST_SEEN = 6, NUMS = 7;

/** Gives an instance its slot in its rule's `nums` (growing them when full). */
function takeSlot(entry: RuleEntry): number {
  const reused = entry.freeSlots.pop();
  if (reused !== undefined) return reused;
  const slot = entry.usedSlots++;
  if ((slot + 1) * NUMS > entry.nums.length) {
    const grown = new Float64Array(Math.max(4, slot + (slot >> 1) + 1) * NUMS);
    grown.set(entry.nums);
    entry.nums = grown;
  }
  return slot;
}

/**
 * The mutable state of one alert instance. Its numbers (value and times) live in its rule's
 * `nums`, a Float64Array: as fields of the record each would be a heap number of its own, which
 * the major GC marks one by one (with 5,000 pending instances, serve's GC paid more than the
 * evaluation did). The accessors keep the record's surface as it was.
 */
export class Live {
  rule: CompiledRule;
  entry: RuleEntry;
  /** Creation order (the order of the rule's instances). */
  seq: number;
  /** The board and slot it is on (board kinds with a series). */
  board: Board<Live> | undefined = undefined;
  slot = 0;
  fp: string;
  series: Series | undefined = undefined;
  state: AlertState = "inactive";
  /** Why it is in its state (no data, an error, a forecast); never deleted (objects keep one shape). */
  reason: string | undefined = undefined;
  /** Why it cannot be evaluated (→ `error`). */
  error: string | undefined = undefined;
  /** anomaly, predictive, sql: their own state (undefined for the other kinds). */
  side: KindState | undefined;
  /** Its place in `entry.nums` (0, a scratch slot, once it was forgotten). */
  #at: number;
  /** Its labels when it has no series to build them from (restored, absence, SQL). */
  #labels: Record<string, string> | undefined;

  /**
   * @param entry Its rule.
   * @param seq Creation order.
   * @param fp Fingerprint.
   * @param labels Labels; `undefined` when it is made for a series (built from it when read).
   */
  constructor(
    entry: RuleEntry,
    seq: number,
    fp: string,
    labels: Record<string, string> | undefined,
  ) {
    this.rule = entry.rule;
    this.entry = entry;
    this.seq = seq;
    this.fp = fp;
    this.#labels = labels;
    const kind = entry.rule.kind;
    this.side = kind === "anomaly" || kind === "predictive" || kind === "sql"
      ? {
        seen: 0,
        run: 0,
        score: NaN,
        detector: undefined,
        bins: undefined,
        nextAt: -Infinity,
        cond: -1,
        predicted: NaN,
        inResult: false,
        rowValue: NaN,
      }
      : undefined;
    const at = this.#at = takeSlot(entry) * NUMS;
    const a = entry.nums;
    a[at + VALUE] =
      a[at + ACTIVE_AT] =
      a[at + FIRED_AT] =
      a[at + RESOLVED_AT] =
        NaN;
    a[at + KEEP_SINCE] = a[at + SINCE] = NaN;
    a[at + LAST_SEEN] = -Infinity;
  }

  /** Gives its numbers' slot back to the rule (the instance is forgotten); later writes go to
   * the rule's scratch slot, so a stale reference changes no other instance. */
  release(): void {
    if (this.#at === 0) return;
    this.entry.freeSlots.push(this.#at / NUMS);
    this.#at = 0;
  }

  /**
   * Its labels. An instance made for a series builds them from it at each read (snapshots,
   * saving): kept, they were an object and a property array per instance, for the GC to mark.
   */
  get labels(): Record<string, string> {
    return this.#labels ?? seriesLabels(this.rule, this.series!);
  }

  /** Its labels as a new object, the caller's to keep (a snapshot's). */
  labelsCopy(): Record<string, string> {
    return this.#labels === undefined ? seriesLabels(this.rule, this.series!) : { ...this.#labels };
  }

  get value(): number {
    return this.entry.nums[this.#at + VALUE]!;
  }
  set value(v: number) {
    this.entry.nums[this.#at + VALUE] = v;
  }
  get activeAt(): number {
    return this.entry.nums[this.#at + ACTIVE_AT]!;
  }
  set activeAt(v: number) {
    this.entry.nums[this.#at + ACTIVE_AT] = v;
  }
  get firedAt(): number {
    return this.entry.nums[this.#at + FIRED_AT]!;
  }
  set firedAt(v: number) {
    this.entry.nums[this.#at + FIRED_AT] = v;
  }
  get resolvedAt(): number {
    return this.entry.nums[this.#at + RESOLVED_AT]!;
  }
  set resolvedAt(v: number) {
    this.entry.nums[this.#at + RESOLVED_AT] = v;
  }
  /** When the condition stopped holding while firing (`keep_firing_for`), else NaN. */
  get keepSince(): number {
    return this.entry.nums[this.#at + KEEP_SINCE]!;
  }
  set keepSince(v: number) {
    this.entry.nums[this.#at + KEEP_SINCE] = v;
  }
  /** When the current state began. */
  get since(): number {
    return this.entry.nums[this.#at + SINCE]!;
  }
  set since(v: number) {
    this.entry.nums[this.#at + SINCE] = v;
  }
  /** Restored instances without their series yet: the time staleness counts from. */
  get lastSeen(): number {
    return this.entry.nums[this.#at + LAST_SEEN]!;
  }
  set lastSeen(v: number) {
    this.entry.nums[this.#at + LAST_SEEN] = v;
  }
}

/**
 * The labels of a rule's instance: the base (a series' labels and host), the rule's extra labels,
 * `alertname` and `severity`, in this order.
 *
 * @param rule The rule.
 * @param base The base labels.
 * @returns A new object.
 */
export function instanceLabels(
  rule: CompiledRule,
  base: Readonly<Record<string, string>>,
): Record<string, string> {
  return { ...base, ...rule.extraLabels, alertname: rule.name, severity: rule.severity };
}

/**
 * The base labels of a series' instances: its labels, and `host` unless empty.
 *
 * @param s The series.
 * @returns A new object.
 */
export function seriesBase(s: Series): Record<string, string> {
  const labels: Record<string, string> = { ...s.labelObj };
  if (s.host !== "") labels.host = s.host;
  return labels;
}

/**
 * The labels of a rule's instance on a series: as {@linkcode instanceLabels} of
 * {@linkcode seriesBase}, in one object.
 *
 * @param rule The rule.
 * @param s The series.
 * @returns A new object.
 */
export function seriesLabels(rule: CompiledRule, s: Series): Record<string, string> {
  const labels = seriesBase(s);
  for (const _ in rule.extraLabels) return instanceLabels(rule, labels);
  // no extra labels: assignments keep the place of a key already there, as the spread does
  labels.alertname = rule.name;
  labels.severity = rule.severity;
  return labels;
}

/**
 * Creates a series record.
 *
 * @param host Host.
 * @param metric Metric.
 * @param labels Canonical labels.
 * @param labelObj The same as an object.
 * @returns The record (no instances yet).
 */
export function series(host: string, metric: string, labels: string, labelObj: Labels): Series {
  return {
    host,
    metric,
    labels,
    labelObj,
    buf: new SeriesBuffer(),
    insts: [],
    absence: [],
    special: false,
    board: undefined,
  };
}
