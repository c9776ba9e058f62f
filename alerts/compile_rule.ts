/**
 * A rule from the config with every default filled in, in the shape the engine evaluates
 * without looking anything up again.
 *
 * @module
 */
import type { RuleConfig } from "../config/mod.ts";
import type { AlertSeverity } from "./types.ts";
import { fingerprint } from "./fingerprint.ts";
import { canonicalHost } from "../lake/mod.ts";

/** Reductions of a window (see the `reduce:` key). */
export type Reducer = "avg" | "max" | "min" | "last" | "p95" | "rate";

/** A rule ready to evaluate. Durations in ms. */
export interface CompiledRule {
  name: string;
  kind: "threshold" | "rate_of_change" | "absence" | "anomaly" | "predictive" | "sql";
  /** Hash of the rule's config: a reload keeps the state of rules whose hash is unchanged. */
  hash: string;
  severity: AlertSeverity;
  metric: string;
  /** Label pairs a series must have. */
  match: [string, string][];
  host: string | undefined;
  reduce: Reducer;
  /** `reduce` and `windowMs` as one number: rules sharing both share one reduction. */
  reduceKey: number;
  windowMs: number;
  /** Multiplier of a per-second rate (`per` in seconds). */
  perSeconds: number;
  /** The limit (`above` or `below`; NaN when the rule has none). */
  threshold: number;
  /** Where an active alert resolves (hysteresis). */
  clear: number;
  /** True for `above` (and for rules without a threshold). */
  up: boolean;
  forMs: number;
  keepFiringForMs: number;
  stalenessMs: number | undefined;
  absentForMs: number;
  scoreAbove: number;
  points: number;
  learningPoints: number;
  withinMs: number;
  lookbackMs: number;
  everyMs: number;
  sql: string;
  annotations: Record<string, string>;
  extraLabels: Record<string, string>;
  /** History the series buffer must keep for this rule. */
  keepMs: number;
}

/**
 * Fills in a rule's defaults.
 *
 * @param rule A rule as the config schema validated it.
 * @returns The compiled rule.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileRule } from "./compile_rule.ts";
 * const r = compileRule({ alert: "Hot", metric: "cpu_ratio", above: 0.9 });
 * assert.equal(r.kind, "threshold");
 * assert.equal(r.reduce, "last");
 * assert.equal(r.clear, 0.9);
 * assert.equal(r.severity, "warning");
 * ```
 */
export function compileRule(rule: RuleConfig): CompiledRule {
  const kind = rule.kind ?? "threshold";
  const threshold = rule.above ?? rule.below ?? NaN;
  const reduce: Reducer = kind === "rate_of_change" ? "rate" : rule.reduce ?? "last";
  const windowMs = rule.window ?? 60_000;
  const lookbackMs = rule.lookback ?? 3_600_000;
  return {
    name: rule.alert,
    kind,
    hash: fingerprint({ rule: JSON.stringify(rule) }),
    severity: rule.severity ?? "warning",
    metric: rule.metric ?? "",
    // host names are stored in lower case (lake canonicalHost): a rule naming Web1 means web1
    match: Object.entries(rule.labels ?? {}).map((
      [k, v],
    ) => [k, k === "host" ? canonicalHost(v) : v]),
    host: rule.host === undefined ? undefined : canonicalHost(rule.host),
    reduce,
    reduceKey: ["avg", "max", "min", "last", "p95", "rate"].indexOf(reduce) * 1e13 + windowMs,
    windowMs,
    perSeconds: (rule.per ?? 1000) / 1000,
    threshold,
    clear: rule.clear ?? threshold,
    up: rule.below === undefined,
    forMs: rule.for ?? 0,
    keepFiringForMs: rule.keep_firing_for ?? 0,
    stalenessMs: rule.staleness,
    absentForMs: rule.absent_for ?? 0,
    scoreAbove: rule.score_above ?? 0.9,
    points: rule.points ?? 3,
    learningPoints: rule.learning_points ?? 100,
    withinMs: rule.within ?? 0,
    lookbackMs,
    everyMs: rule.every ?? (kind === "sql" ? 30_000 : 60_000),
    sql: rule.sql ?? "",
    annotations: rule.annotations ?? {},
    // a host label perfscope sets goes out as the lake spells hosts: Alertmanager compares label
    // values as written, so one spelling keeps a silence there on `host="web1"` matching
    extraLabels: hostFolded(rule.extra_labels ?? {}),
    keepMs: kind === "threshold" || kind === "rate_of_change"
      ? (reduce === "last" ? 0 : windowMs)
      : 0,
  };
}

/**
 * Tells whether a series belongs to a rule (same metric, the rule's labels a subset of the
 * series', the rule's host if it names one).
 *
 * @param rule The rule.
 * @param host The series' host.
 * @param labels The series' labels.
 * @returns True when it matches.
 */
export function ruleMatches(
  rule: CompiledRule,
  host: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (rule.host !== undefined && rule.host !== host) return false;
  for (const [k, v] of rule.match) {
    if (k === "host" ? host !== v : labels[k] !== v) return false;
  }
  return true;
}

/** Labels with the value of `host`, if any, in lower case ({@linkcode canonicalHost}). */
function hostFolded(labels: Readonly<Record<string, string>>): Record<string, string> {
  const host = labels.host;
  return host === undefined ? { ...labels } : { ...labels, host: canonicalHost(host) };
}
