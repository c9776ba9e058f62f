/**
 * The alert records every part of the alerting path agrees on: the rule engine produces them, the
 * notifier routes them, the workflows trigger on them, the Alerts page and the history show them.
 *
 * @module
 */

/**
 * Where an alert instance stands. `inactive` → `pending` (the condition holds, `for` not yet
 * elapsed) → `firing` → `resolved` (past the clear threshold, after `keep_firing_for`); `nodata`
 * when its series stopped arriving; `error` when the rule could not be evaluated.
 */
export type AlertState = "inactive" | "pending" | "firing" | "resolved" | "nodata" | "error";

/** Severity of a rule, copied into the `severity` label. */
export type AlertSeverity = "info" | "warning" | "critical";

/** One alert instance: one rule × one matching series (or label set). */
export interface AlertInstance {
  /** The rule's name (`alert:`), also the `alertname` label. */
  rule: string;
  /** Stable hash of `labels` (16 hex digits), as Alertmanager's fingerprint. */
  fingerprint: string;
  /** `alertname`, `severity`, `host` and the series' labels, plus the rule's extra labels. */
  labels: Record<string, string>;
  /** The rule's annotations with `{{ $value }}` and `{{ $labels.x }}` filled in. */
  annotations: Record<string, string>;
  state: AlertState;
  /** The reduced value the state stands on (`NaN` when there is none). */
  value: number;
  /** When the condition started to hold (ms epoch); `NaN` when inactive. */
  activeAt: number;
  /** When it started firing (ms epoch); `NaN` if it never fired. */
  firedAt: number;
  /** When it resolved (ms epoch); `NaN` while not resolved. */
  resolvedAt: number;
  /** Why the state is `error`, or a note on a predictive/anomaly alert (e.g. its interval). */
  reason?: string;
}

/** A state change of one instance, as the engine reports it after an evaluation. */
export interface AlertTransition {
  /** When it happened (ms epoch, the evaluation's clock). */
  at: number;
  from: AlertState;
  to: AlertState;
  /** The instance after the change. */
  instance: AlertInstance;
}
