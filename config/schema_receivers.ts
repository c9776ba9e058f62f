/**
 * Where alert notifications go: `receivers:` (a webhook taking Alertmanager's payload, or a real
 * Alertmanager), the `route:` tree that picks a receiver and groups alerts, and `inhibit_rules:`.
 * Modelled on Alertmanager's configuration, kept to the parts perfscope needs. A receiver named
 * by a route (or a rule's `receiver:`) that is not defined is an error at its position.
 *
 * @module
 */
import { z } from "zod";
import { formatDuration, MAX_DURATION_MS, readDuration } from "./duration.ts";
import { regexProblem } from "./regex_problem.ts";
import { numberNeedsUnit } from "./_number_needs_unit.ts";
import { repeatedIndexes } from "./_repeated_indexes.ts";
import { labelNameProblem } from "./_label_map.ts";

/** A duration with units that may be zero (`group_wait: 0s` sends at once). */
function span() {
  return z.unknown().transform((value, ctx) => {
    const ms = typeof value === "string" ? readDuration(value) : undefined;
    if (ms === undefined || !(ms >= 0) || ms > MAX_DURATION_MS) {
      ctx.addIssue({
        code: "custom",
        message: `invalid duration ${JSON.stringify(value)}${
          numberNeedsUnit(value)
        } (use e.g. 0s, 500ms, 30s, 5m, 4h)`,
      });
      return z.NEVER;
    }
    return ms;
  });
}

/** A positive duration with units. */
function positive() {
  return span().refine((ms) => ms > 0, "must be greater than zero");
}

/** `name op "value"` as Alertmanager writes a matcher: `severity="critical"`, `host=~"db.*"`. */
const MATCHER =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"]*?))\s*$/;

/** A label matcher as text, checked (and its regular expression compiled) when read. */
const matcher = z.string().max(1024).superRefine((text, ctx) => {
  const m = MATCHER.exec(text);
  if (!m) {
    ctx.addIssue({
      code: "custom",
      message: `invalid matcher ${JSON.stringify(text)} (use e.g. severity="critical")`,
    });
    return;
  }
  if (m[2] === "=~" || m[2] === "!~") {
    const why = regexProblem(m[3] ?? m[4] ?? "");
    if (why !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `invalid regular expression ${JSON.stringify(m[3] ?? m[4])}: ${why}`,
      });
    }
  }
});

const url = z.string().refine((text) => {
  try {
    return ["http:", "https:"].includes(new URL(text).protocol);
  } catch {
    return false;
  }
}, "must be an http:// or https:// URL");

/**
 * Holds each alert's changes before they reach a receiver: a change into firing waits `up`, a
 * resolution waits `down`; a change that comes while one is held (a flap) replaces it and
 * multiplies the hold by `multiplier`, up to `max`; after `max` with no change the hold is back to
 * `up`/`down`. Durations come out in ms, `max` filled in.
 */
export const delaySchema = z.strictObject({
  /** Hold of a change into firing. Default 0s. */
  up: span().optional(),
  /** Hold of a resolution. Default 0s. */
  down: span().optional(),
  /** Growth of the hold with each flap. Default 1 (no growth). */
  multiplier: z.number().min(1, "must be at least 1").max(100).optional(),
  /** Longest hold, and the quiet time that resets it. Default the larger of up and down times
   * the multiplier. */
  max: positive().optional(),
}).transform((d, ctx) => {
  const up = d.up ?? 0, down = d.down ?? 0, multiplier = d.multiplier ?? 1;
  const max = d.max ?? Math.max(up, down) * multiplier;
  if (max < Math.max(up, down)) {
    ctx.addIssue({
      code: "custom",
      path: ["max"],
      message: `must be at least up and down (${formatDuration(Math.max(up, down))}), got ${
        formatDuration(max)
      }`,
    });
    return z.NEVER;
  }
  return { up, down, multiplier, max };
});

/** A receiver's `delay:` after validation (ms). */
export type DelayConfig = z.output<typeof delaySchema>;

const receiverName = z.string().trim().min(1, "must not be empty").max(128);

/** One receiver: exactly one of `webhook` or `alertmanager`. */
export const receiverSchema = z.strictObject({
  /** Name routes refer to. */
  name: receiverName,
  /** URL that gets Alertmanager's webhook payload (version "4") by POST. */
  webhook: url.optional(),
  /** Base URL of an Alertmanager; alerts are pushed to `<url>/api/v2/alerts`. */
  alertmanager: url.optional(),
  /** Extra request headers (e.g. `Authorization`). Default none. */
  headers: z.record(z.string().min(1), z.string()).optional(),
  /** Longest wait for one request. Default 10s. */
  timeout: positive().optional(),
  /** Most notifications per `per` (flood protection); the rest are dropped, counted, logged. */
  rate_limit: z.strictObject({
    /** Notifications allowed per period. */
    count: z.number().int().min(1).max(1_000_000),
    /** The period. Default 1m. */
    per: positive().optional(),
  }).optional(),
  /** Send a notification when the alerts of a group resolve. Default true. */
  send_resolved: z.boolean().optional(),
  /** Webhooks: most alerts listed in one payload, the rest counted in `truncatedAlerts`. Default 0 (all). */
  max_alerts: z.number().int().min(0).max(1_000_000).optional(),
  /** Alertmanager receivers: how often firing alerts are pushed again. Default 1m. */
  resend_every: positive().optional(),
  /** Notification delay with backoff (Netdata's `delay:`), against flapping alerts. Default none. */
  delay: delaySchema.optional(),
}).superRefine((r, ctx) => {
  if ((r.webhook === undefined) === (r.alertmanager === undefined)) {
    ctx.addIssue({ code: "custom", message: "give exactly one of webhook or alertmanager" });
  }
});

/** A label name an alert may carry (`...` too where `every` is true): any other groups or
 * compares on a label no alert has. */
function alertLabelName(every = false) {
  return z.string().superRefine((name, ctx) => {
    const problem = every && name === "..." ? undefined : labelNameProblem(name);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  });
}

/** A node of the route tree (the top one needs a receiver; children inherit what they omit). */
export interface RouteConfig {
  receiver?: string | undefined;
  matchers?: string[] | undefined;
  group_by?: string[] | undefined;
  group_wait?: number | undefined;
  group_interval?: number | undefined;
  repeat_interval?: number | undefined;
  continue?: boolean | undefined;
  routes?: RouteConfig[] | undefined;
}

const routeFields = {
  /** The receiver of alerts this node takes. The top route's is required. */
  receiver: receiverName.optional(),
  /** Label matchers an alert must all meet to take this child route. */
  matchers: z.array(matcher).max(64).optional(),
  /** Labels that split alerts into groups (`['...']`: every label). Default `['alertname']`. */
  group_by: z.array(alertLabelName(true)).max(64).optional(),
  /** Wait before a new group's first notification. Default 0s (perfscope's real-time bar). */
  group_wait: span().optional(),
  /** Wait before notifying about alerts added to a group already notified. Default 30s. */
  group_interval: positive().optional(),
  /** Wait before repeating a notification that has not changed. Default 4h. */
  repeat_interval: positive().optional(),
  /** Keep looking at the following siblings after this route matched. Default false. */
  continue: z.boolean().optional(),
};

/** A route node and its children. */
export const routeSchema: z.ZodType<RouteConfig> = z.lazy(() =>
  z.strictObject({ ...routeFields, routes: z.array(routeSchema).max(256).optional() })
);

/** Mutes alerts matching `target_matchers` while one matching `source_matchers` fires. */
export const inhibitRuleSchema = z.strictObject({
  source_matchers: z.array(matcher).min(1).max(64),
  target_matchers: z.array(matcher).min(1).max(64),
  /** Labels that must have the same value in source and target. Default none. */
  equal: z.array(alertLabelName()).max(64).optional(),
});

/** The config keys this file adds, spread into `configSchema`. */
export const notifyKeys = {
  receivers: z.array(receiverSchema).max(256).optional(),
  route: routeSchema.optional(),
  inhibit_rules: z.array(inhibitRuleSchema).max(256).optional(),
};

type Path = (string | number)[];

function routeNames(route: RouteConfig, path: Path, out: [string, Path][]): void {
  if (route.receiver !== undefined) out.push([route.receiver, [...path, "receiver"]]);
  route.routes?.forEach((child, i) => routeNames(child, [...path, "routes", i], out));
}

/**
 * The cross-key check `configSchema` runs: every receiver a route or a rule names exists, names
 * are unique, and a route exists (with a receiver at the top) when receivers are defined.
 *
 * @param config The parsed config (before the whole-file check).
 * @param ctx Where issues go; their paths lead the loader to the line and column.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseConfig } from "./load_config.ts";
 * assert.throws(
 *   () => parseConfig("receivers:\n  - name: ops\n    webhook: http://127.0.0.1:9/\nroute:\n  receiver: opz\n"),
 *   /perfscope.yaml:5:13: route.receiver: unknown receiver "opz" \(defined: ops\)/,
 * );
 * ```
 */
export function checkReceiverNames(
  config: { receivers?: { name: string }[] | undefined; route?: RouteConfig | undefined } & {
    rules?: unknown;
  },
  ctx: z.RefinementCtx,
): void {
  const receivers = config.receivers ?? [];
  for (const i of repeatedIndexes(receivers.map((r) => r.name))) {
    const message = `duplicate receiver "${receivers[i]!.name}"`;
    ctx.addIssue({ code: "custom", path: ["receivers", i, "name"], message });
  }
  const defined = new Set(receivers.map((r) => r.name));
  const named: [string, Path][] = [];
  if (config.route) {
    if (config.route.receiver === undefined) {
      ctx.addIssue({ code: "custom", path: ["route"], message: "the top route needs a receiver" });
    }
    if (config.route.matchers?.length) {
      ctx.addIssue({
        code: "custom",
        path: ["route", "matchers"],
        message: "the top route takes every alert: put matchers on child routes",
      });
    }
    routeNames(config.route, ["route"], named);
  } else if (defined.size > 0) {
    ctx.addIssue({
      code: "custom",
      path: ["receivers"],
      message: "receivers need a route: add route: {receiver: <name>}",
    });
  }
  if (Array.isArray(config.rules)) {
    config.rules.forEach((rule: unknown, i) => {
      const r = rule as { receiver?: unknown };
      if (typeof r?.receiver === "string") named.push([r.receiver, ["rules", i, "receiver"]]);
    });
  }
  for (const [name, path] of named) {
    if (!defined.has(name)) {
      const known = [...defined].join(", ") || "none";
      ctx.addIssue({
        code: "custom",
        path,
        message: `unknown receiver "${name}" (defined: ${known})`,
      });
    }
  }
}

/** A validated receiver; durations in milliseconds. */
export type ReceiverConfig = z.output<typeof receiverSchema>;
/** A validated inhibition rule. */
export type InhibitRuleConfig = z.output<typeof inhibitRuleSchema>;
