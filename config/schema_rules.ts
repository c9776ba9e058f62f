/**
 * The `rules:` key of `perfscope.yaml`: alert rules the engine in `alerts/` evaluates every
 * second on the live stream. One object per rule; which keys apply depends on `kind` (default
 * `threshold`), and a key that does not apply to the rule's kind is an error, so a rule never
 * silently means less than it says.
 *
 * @module
 */
import { z } from "zod";
import { readDuration } from "./duration.ts";
import { numberNeedsUnit } from "./_number_needs_unit.ts";
import { repeatedIndexes } from "./_repeated_indexes.ts";
import { labelMap } from "./_label_map.ts";
import { hostName } from "./_host_name.ts";

/** A duration with units that may be zero (`0s`): `for` and `keep_firing_for` default to it. */
function span(min = 0) {
  return z.unknown().transform((value, ctx) => {
    const ms = typeof value === "string" ? readDuration(value) : undefined;
    if (ms === undefined || !Number.isFinite(ms) || ms < min || ms > 8.64e15) {
      ctx.addIssue({
        code: "custom",
        message: `invalid duration ${JSON.stringify(value)}${numberNeedsUnit(value)} ` +
          "(use e.g. 0s, 500ms, 1s, 15m, 7d)" +
          (ms !== undefined && ms < min ? `: must be at least ${min} ms` : ""),
      });
      return z.NEVER;
    }
    return ms;
  });
}

const text = z.string().trim().min(1, "must not be empty");
/**
 * A map with a `__proto__` key refused: zod drops that key unseen, so a rule with
 * `labels: {__proto__: x}` matched every series instead of none.
 */
function ownKeys<T extends z.ZodType>(map: T) {
  return z.unknown().superRefine((value, ctx) => {
    if (typeof value === "object" && value !== null && Object.hasOwn(value, "__proto__")) {
      ctx.addIssue({ code: "custom", message: '"__proto__" cannot be a key here' });
    }
  }).pipe(map);
}

/** Label names and values held to the lake's rules: an instance's labels are a series' labels
 * and these, and a value the lake would refuse selects nothing. */
const labels = ownKeys(labelMap(z.string()));

/** The kinds of rule. */
export const RULE_KINDS = [
  "threshold",
  "rate_of_change",
  "absence",
  "anomaly",
  "predictive",
  "sql",
] as const;

/** The reductions of a window. */
export const RULE_REDUCERS = ["avg", "max", "min", "last", "p95", "rate"] as const;

/** Keys each kind accepts beyond the common ones (alert, kind, severity, annotations, …). */
const KIND_KEYS: Record<(typeof RULE_KINDS)[number], readonly string[]> = {
  threshold: [
    "metric",
    "labels",
    "host",
    "reduce",
    "window",
    "above",
    "below",
    "clear",
    "staleness",
  ],
  rate_of_change: [
    "metric",
    "labels",
    "host",
    "window",
    "per",
    "above",
    "below",
    "clear",
    "staleness",
  ],
  absence: ["metric", "labels", "host", "absent_for"],
  anomaly: ["metric", "labels", "host", "score_above", "points", "learning_points", "staleness"],
  predictive: ["metric", "labels", "host", "above", "below", "within", "lookback", "every"],
  sql: ["sql", "every", "above", "below", "clear"],
};
const COMMON = [
  "alert",
  "kind",
  "severity",
  "annotations",
  "extra_labels",
  "for",
  "keep_firing_for",
  "receiver",
];

/** One alert rule. Durations come out in milliseconds. */
export const ruleSchema = z.strictObject({
  /** Name, also the `alertname` label (letters, digits, `_`). */
  alert: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, "must be letters, digits and _"),
  /** What is checked. Default `threshold`. */
  kind: z.enum(RULE_KINDS).optional(),
  /** Copied into the `severity` label. Default `warning`. */
  severity: z.enum(["info", "warning", "critical"]).optional(),
  /** Texts with `{{ $value }}` and `{{ $labels.x }}` filled in. */
  annotations: ownKeys(z.record(text, z.string())).optional(),
  /** Labels added to every instance (e.g. `team: db`). */
  extra_labels: labels.optional(),
  /** Sends this rule's alerts only to this receiver (one of `receivers:`), not down `route:`. */
  receiver: z.string().trim().min(1, "must not be empty").max(128).optional(),
  /** Time the condition must hold before firing. Default 0s. */
  for: span().optional(),
  /** Time it keeps firing after the condition stops holding. Default 0s. */
  keep_firing_for: span().optional(),
  /** The metric (any metric collected, ingested or scraped). */
  metric: text.optional(),
  /** Subset match on series labels: one instance per matching series. Default: any. */
  labels: labels.optional(),
  /** Only this host's series (a name the lake stores). Default: every host. */
  host: hostName().optional(),
  /** How the window is reduced. Default `last` (the newest sample). */
  reduce: z.enum(RULE_REDUCERS).optional(),
  /** Window reduced. Default 1m (not used by `last`). */
  window: span(1).optional(),
  /** `rate_of_change`: the unit of time of the rate. Default 1s. */
  per: span(1).optional(),
  /** Fires above this value. */
  above: z.number().optional(),
  /** Fires below this value. */
  below: z.number().optional(),
  /** Hysteresis: an active alert resolves only past this value. Default the threshold. */
  clear: z.number().optional(),
  /** A series silent this long counts as stopped (`nodata`). Default 5× its interval, or 1m. */
  staleness: span(1).optional(),
  /** `absence`: fires when no matching series had a sample for this long. */
  absent_for: span(1).optional(),
  /** `anomaly`: the streaming score (0–1) that counts as anomalous. Default 0.9. */
  score_above: z.number().gt(0).max(1).optional(),
  /** `anomaly`: consecutive anomalous points needed. Default 3. */
  points: z.number().int().min(1).max(10_000).optional(),
  /** `anomaly`: points before any score counts. Default 100. */
  learning_points: z.number().int().min(0).max(1_000_000).optional(),
  /** `predictive`: fires when the limit is forecast to be crossed within this time. */
  within: span(1).optional(),
  /** `predictive`: history the forecast is fitted on. Default 1h. */
  lookback: span(1).optional(),
  /** `predictive` and `sql`: how often it is evaluated. Default 60s (predictive), 30s (sql). */
  every: span(1000).optional(),
  /** `sql`: a SELECT over the lake's views, run in the `/api/query` sandbox. */
  sql: text.optional(),
}).superRefine((rule, ctx) => {
  const kind = rule.kind ?? "threshold";
  const allowed = new Set([...COMMON, ...KIND_KEYS[kind]]);
  for (const key of Object.keys(rule)) {
    if (!allowed.has(key)) {
      ctx.addIssue({ code: "custom", path: [key], message: `not a key of kind ${kind}` });
    }
  }
  const need = (key: keyof typeof rule, why: string) => {
    if (rule[key] === undefined) ctx.addIssue({ code: "custom", path: [key], message: why });
  };
  if (kind === "sql") need("sql", `required for a ${kind} rule`);
  else need("metric", `required for a ${kind} rule`);
  if (kind === "absence") need("absent_for", "required for an absence rule");
  if (kind === "predictive") need("within", "required for a predictive rule");
  if (rule.above !== undefined && rule.below !== undefined) {
    ctx.addIssue({ code: "custom", path: ["below"], message: "give either above or below" });
  }
  const threshold = rule.above ?? rule.below;
  if (["threshold", "rate_of_change", "predictive"].includes(kind) && threshold === undefined) {
    ctx.addIssue({ code: "custom", path: ["above"], message: `above or below is required` });
  }
  if (rule.clear !== undefined) {
    if (threshold === undefined) {
      ctx.addIssue({ code: "custom", path: ["clear"], message: "needs above or below" });
    } else if (rule.above !== undefined ? rule.clear > rule.above : rule.clear < rule.below!) {
      ctx.addIssue({
        code: "custom",
        path: ["clear"],
        message: rule.above !== undefined
          ? `must be at most above (${rule.above}), got ${rule.clear}`
          : `must be at least below (${rule.below}), got ${rule.clear}`,
      });
    }
  }
});

/** The `rules:` list; names must be unique. */
export const rulesSchema = z.array(ruleSchema).superRefine((rules, ctx) => {
  for (const i of repeatedIndexes(rules.map((r) => r.alert))) {
    const message = `duplicate rule name ${rules[i]!.alert}`;
    ctx.addIssue({ code: "custom", path: [i, "alert"], message });
  }
});

/** One validated rule (durations in ms). */
export type RuleConfig = z.output<typeof ruleSchema>;
