/**
 * How `serve` wires notifications to the alert engine: the notifier hears every transition, takes
 * the engine's restored firing alerts as already announced, and the web app gets the engine's
 * view, the silences and a backtest over the lake. The engine is taken by its shape (the
 * methods used here), so this file does not depend on how the engine is built.
 *
 * @module
 */
import {
  type AlertInstance,
  type AlertTransition,
  type FiringInterval,
  type Notifier,
  openNotifications,
  type SilenceStore,
} from "../alerts/mod.ts";
import type { PerfscopeConfig } from "../config/mod.ts";
import type { Lake } from "../lake/mod.ts";
import type { AlertsView, BacktestFn, BacktestInterval } from "../web/mod.ts";

/** What the wiring needs of the alert engine. */
export interface EngineLike {
  instances(): AlertInstance[];
  onTransition(cb: (transitions: AlertTransition[]) => void): void;
}

/** Options for {@linkcode startNotifications}. */
export interface StartNotificationsOptions {
  /** Lake root (silences under `<root>/alerts/`). */
  root: string;
  /** perfscope's URL as receivers should link to it (never with the token). */
  externalURL: string;
  /** The receiver a rule names, if any (see the notifier's `ruleReceiver`). Default none. */
  ruleReceiver?: (rule: string) => string | undefined;
}

/**
 * Builds the notifier and silences from the config and connects them to the engine.
 *
 * @param engine The alert engine, after it restored its state.
 * @param config The config (`receivers`, `route`, `inhibit_rules`).
 * @param options Root and external URL.
 * @returns The notifier (close it on shutdown) and the silences.
 */
export async function startNotifications(
  engine: EngineLike,
  config: Pick<PerfscopeConfig, "receivers" | "route" | "inhibit_rules">,
  options: StartNotificationsOptions,
): Promise<{ notifier: Notifier; silences: SilenceStore }> {
  const opened = await openNotifications(config, {
    root: options.root,
    externalURL: options.externalURL,
    ...(options.ruleReceiver && { ruleReceiver: options.ruleReceiver }),
  });
  opened.notifier.resume(engine.instances());
  engine.onTransition((transitions) => opened.notifier.handle(transitions));
  return opened;
}

/**
 * The engine as the web app sees it.
 *
 * @param engine The alert engine.
 * @param history Reads stored transitions (the engine's `readAlertHistory` bound to the root).
 * @param rules The current rules (read on each call, so a reload shows).
 * @returns The view for `WebDeps.alerts`.
 */
export function alertsView(
  engine: Pick<EngineLike, "instances">,
  history: AlertsView["history"],
  rules: () => readonly {
    alert: string;
    metric?: string | undefined;
    extra_labels?: Record<string, string> | undefined;
  }[],
): AlertsView {
  return {
    instances: () => engine.instances(),
    history,
    rules: () =>
      rules().map((r) => {
        const extra = Object.keys(r.extra_labels ?? {});
        return {
          alert: r.alert,
          ...(r.metric && { metric: r.metric }),
          ...(extra.length > 0 && { extraLabels: extra }),
        };
      }),
  };
}

/** A series of the lake as the replay takes it. */
export interface LakeSeries {
  host: string;
  metric: string;
  labels: string;
  ts: ArrayLike<number>;
  values: ArrayLike<number>;
}

/** Options for {@linkcode lakeBacktest}. */
export interface LakeBacktestOptions<R extends { metric?: string | undefined }> {
  /** Validates one rule as the config would (throws `RangeError` with the problem). */
  parseRule(rule: unknown): R;
  /** Replays rules over series (the engine's `backtestRules`). */
  replay(
    rules: R[],
    series: LakeSeries[],
    options: { from: number; until: number },
  ): readonly FiringInterval[];
  /** Most points read per series. Default 200 000. */
  maxPoints?: number;
}

/**
 * A backtest for `POST /api/alerts/backtest`: validates the rule, reads its metric's series over
 * the range from the lake (the tier follows the range), and replays.
 *
 * @param lake The open lake.
 * @param options The rule parser and the replay.
 * @returns The function for `WebDeps.backtest`.
 * @throws {RangeError} (from the returned function) When the rule names no metric.
 */
export function lakeBacktest<R extends { metric?: string | undefined }>(
  lake: Pick<Lake, "seriesMany" | "extent">,
  options: LakeBacktestOptions<R>,
): BacktestFn {
  return async function backtest(input, since, until): Promise<BacktestInterval[]> {
    const rule = options.parseRule(input);
    if (!rule.metric) throw new RangeError("Backtest needs a rule with a metric");
    // replayed only from the lake's first sample: before it nothing was collected, and an
    // absence rule said it would have fired all that time
    const first = Math.min(...(await lake.extent()).map((e) => e.first));
    const from = Math.max(since, first);
    if (!(from < until)) return [];
    const read = await lake.seriesMany({
      metric: rule.metric,
      from,
      to: until,
      maxPoints: options.maxPoints ?? 200_000,
    });
    const intervals = options.replay([rule], read.series, { from, until });
    return intervals.map((i) => ({ ...i, end: Number.isFinite(i.end) ? i.end : null }));
  };
}
