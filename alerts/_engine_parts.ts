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
  /** Board kinds: instances without a series (restored, not seen yet): always stepped. */
  loose: Set<Live>;
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

/** The mutable state of one alert instance. */
export interface Live {
  rule: CompiledRule;
  entry: RuleEntry;
  /** Creation order (the order of the rule's instances). */
  seq: number;
  /** The board and slot it is on (board kinds with a series). */
  board: Board<Live> | undefined;
  slot: number;
  fp: string;
  labels: Record<string, string>;
  series: Series | undefined;
  state: AlertState;
  value: number;
  activeAt: number;
  firedAt: number;
  resolvedAt: number;
  /** When the condition stopped holding while firing (`keep_firing_for`), else NaN. */
  keepSince: number;
  /** When the current state began. */
  since: number;
  /** Restored instances without their series yet: the time staleness counts from. */
  lastSeen: number;
  /** Why it is in its state (no data, an error, a forecast); never deleted (objects keep one shape). */
  reason: string | undefined;
  /** Why it cannot be evaluated (→ `error`). */
  error: string | undefined;
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
