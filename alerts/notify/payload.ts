/**
 * The bodies perfscope sends: Alertmanager's webhook payload (version "4", what every webhook
 * receiver of Alertmanager understands) and the postable alerts of Alertmanager's
 * `POST /api/v2/alerts`.
 *
 * @module
 */

/** Go's zero time, which Alertmanager writes as `endsAt` of a firing alert in a webhook. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";

/** One alert as the notifier holds it. */
export interface NotifyAlert {
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** When it started firing, ms epoch. */
  startsAt: number;
  /** When it resolved, ms epoch; `NaN` while firing. */
  endsAt: number;
  /** Link back to where the alert comes from. */
  generatorURL: string;
}

/** One alert in a webhook payload. */
export interface WebhookAlert {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint: string;
}

/** Alertmanager's webhook payload, version "4". */
export interface WebhookPayload {
  version: "4";
  groupKey: string;
  truncatedAlerts: number;
  status: "firing" | "resolved";
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: WebhookAlert[];
}

/** An alert for Alertmanager's `POST /api/v2/alerts`. */
export interface PostableAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
}

/**
 * Writes a label set as Alertmanager does in a group key: `{alertname="X", host="db1"}`, names
 * sorted.
 *
 * @param labels The labels.
 * @returns The text.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatLabelSet } from "./payload.ts";
 * assert.equal(formatLabelSet({ b: "2", a: "1" }), '{a="1", b="2"}');
 * ```
 */
export function formatLabelSet(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(", ")}}`;
}

/** The labels (or annotations) every record has with the same value. */
function common(records: readonly Record<string, string>[]): Record<string, string> {
  const [first, ...rest] = records;
  if (!first) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(first)) {
    if (rest.every((r) => r[k] === v)) out[k] = v;
  }
  return out;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : ZERO_TIME;
}

/** What {@linkcode webhookPayload} needs besides the alerts. */
export interface WebhookGroup {
  receiver: string;
  groupKey: string;
  groupLabels: Record<string, string>;
  externalURL: string;
  /** Most alerts listed; the rest are counted in `truncatedAlerts`. Default all. */
  maxAlerts?: number;
}

/**
 * Builds the webhook payload of one group notification.
 *
 * @param group Receiver, group key and labels, external URL.
 * @param alerts The group's alerts to report (firing ones have `endsAt` NaN).
 * @returns The payload; `status` is `firing` while any alert fires.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { webhookPayload } from "./payload.ts";
 * const p = webhookPayload(
 *   { receiver: "ops", groupKey: '{}:{alertname="A"}', groupLabels: { alertname: "A" }, externalURL: "http://x" },
 *   [{ fingerprint: "0123456789abcdef", labels: { alertname: "A" }, annotations: {}, startsAt: 0, endsAt: NaN, generatorURL: "" }],
 * );
 * assert.equal(p.version, "4");
 * assert.equal(p.alerts[0]?.endsAt, "0001-01-01T00:00:00Z");
 * ```
 */
export function webhookPayload(
  group: WebhookGroup,
  alerts: readonly NotifyAlert[],
): WebhookPayload {
  const listed = group.maxAlerts !== undefined && group.maxAlerts > 0
    ? alerts.slice(0, group.maxAlerts)
    : alerts;
  const firing = alerts.some((a) => !Number.isFinite(a.endsAt));
  return {
    version: "4",
    groupKey: group.groupKey,
    truncatedAlerts: alerts.length - listed.length,
    status: firing ? "firing" : "resolved",
    receiver: group.receiver,
    groupLabels: group.groupLabels,
    commonLabels: common(alerts.map((a) => a.labels)),
    commonAnnotations: common(alerts.map((a) => a.annotations)),
    externalURL: group.externalURL,
    alerts: listed.map((a) => ({
      status: Number.isFinite(a.endsAt) ? "resolved" : "firing",
      labels: a.labels,
      annotations: a.annotations,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.endsAt),
      generatorURL: a.generatorURL,
      fingerprint: a.fingerprint,
    })),
  };
}

/**
 * Builds the postable alert for Alertmanager. A firing alert gets an end in the future
 * (`now + validForMs`), as Prometheus sends it: Alertmanager resolves it by itself if perfscope
 * stops re-sending (stopped, or cut off), and the re-sends keep it firing.
 *
 * @param alert The alert.
 * @param now Clock, ms.
 * @param validForMs How long a firing alert stays valid without a re-send.
 * @returns The postable alert.
 */
export function postableAlert(alert: NotifyAlert, now: number, validForMs: number): PostableAlert {
  return {
    labels: alert.labels,
    annotations: alert.annotations,
    startsAt: iso(alert.startsAt),
    endsAt: iso(Number.isFinite(alert.endsAt) ? alert.endsAt : now + validForMs),
    generatorURL: alert.generatorURL,
  };
}
