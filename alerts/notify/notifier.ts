/**
 * The notifier: takes the engine's transitions and turns them into notifications, the way
 * Alertmanager does, without ever making the caller wait. Alerts walk the route tree into groups
 * (`group_by`); a group notifies after `group_wait`, then at most every `group_interval` when it
 * changed, and again after `repeat_interval` when it did not. Silences and inhibition mute alerts
 * at notification time. Each receiver has a bounded queue, a rate limit and one sender that
 * retries with backoff. Alertmanager receivers get every alert pushed as is (they group, silence
 * and inhibit by themselves), re-sent while firing so that they do not resolve it on their own.
 * A receiver's `delay:` holds each alert's changes before they reach it, longer with each flap
 * (see {@linkcode DelayConfig}).
 *
 * @module
 */
import type {
  DelayConfig,
  InhibitRuleConfig,
  ReceiverConfig,
  RouteConfig,
} from "../../config/mod.ts";
import type { AlertTransition } from "../types.ts";
import { deliver, type DeliverOptions } from "./deliver.ts";
import { type CompiledMatcher, compileMatchers, matchesAll } from "./matchers.ts";
import { formatLabelSet, type NotifyAlert, postableAlert, webhookPayload } from "./payload.ts";
import { RateLimit } from "./rate_limit.ts";
import { compileRoute, matchRoutes, type RouteNode } from "./route_tree.ts";
import type { SilenceStore } from "./silences.ts";

/** Options for {@linkcode Notifier}. */
export interface NotifierOptions {
  /** The config's `receivers:`. */
  receivers: readonly ReceiverConfig[];
  /** The config's `route:`; without one nothing is sent. */
  route?: RouteConfig | undefined;
  /** The config's `inhibit_rules:`. Default none. */
  inhibitRules?: readonly InhibitRuleConfig[] | undefined;
  /** Silences to honour. Default none. */
  silences?: SilenceStore | undefined;
  /** Clock in ms; default `Date.now`. */
  now?: () => number;
  /** perfscope's own URL, the payload's `externalURL`. Default `http://127.0.0.1:8000`. */
  externalURL?: string;
  /** Each alert's `generatorURL`. Default `<externalURL>/alerts`. */
  generatorURL?: (alert: { labels: Record<string, string> }) => string;
  /** Notifications queued per receiver before the oldest is dropped. Default 256. */
  queueSize?: number;
  /** How often timers (group waits, repeats, re-sends) are checked, ms; 0: only on `tick()`. Default 200. */
  tickMs?: number;
  /** Attempts, backoff, jitter and fetch for deliveries (headers and timeout come per receiver). */
  delivery?: Omit<DeliverOptions, "headers" | "timeoutMs" | "signal">;
  /** Where one-line messages go. Default `console.warn`. */
  log?: (line: string) => void;
  /**
   * The receiver a rule names (its `receiver:` key), read each time one of its alerts enters:
   * such alerts go only there, grouped and timed as the top route says, instead of down the
   * route tree. Default: every alert follows the route tree.
   */
  ruleReceiver?: (rule: string) => string | undefined;
}

/** Counters per receiver. */
export interface ReceiverStats {
  /** Notifications (webhook calls or Alertmanager pushes) delivered. */
  sent: number;
  /** Given up after every attempt, or refused with a 4xx. */
  failed: number;
  /** Held back by the rate limit. */
  rateLimited: number;
  /** Dropped because the receiver's queue was full. */
  dropped: number;
  /** Attempts beyond the first. */
  retries: number;
  /** The last failure. */
  lastError?: string;
}

interface Receiver {
  config: ReceiverConfig;
  limit: RateLimit | undefined;
  queue: { url: string; body: unknown }[];
  running: boolean;
  stats: ReceiverStats;
  lastLimitLog: number;
}

interface Group {
  node: RouteNode;
  groupKey: string;
  groupLabels: Record<string, string>;
  alerts: Map<string, NotifyAlert>;
  nextFlush: number;
  /** Fingerprints notified as firing last time. */
  lastFiring: Set<string>;
  lastSentAt: number;
}

interface Pushed {
  alert: NotifyAlert;
  /** When it was last pushed; -Infinity: due now. */
  pushedAt: number;
}

/** One alert's changes on their way to one route node with a `delay:`. */
interface Gate {
  /** Whether the node last got the alert as firing. */
  notified: boolean;
  /** The change being held, and when it goes on. */
  pending: { alert: NotifyAlert; dueAt: number } | undefined;
  /** The holds' growth so far: multiplier^(flaps). */
  factor: number;
  /** When the alert last changed. */
  lastChange: number;
}

interface Inhibition {
  source: CompiledMatcher[];
  target: CompiledMatcher[];
  equal: string[];
}

/** Routes, groups and delivers alert notifications. */
export class Notifier {
  readonly #route: RouteNode | undefined;
  readonly #receivers = new Map<string, Receiver>();
  readonly #inhibitions: Inhibition[];
  readonly #silences: SilenceStore | undefined;
  readonly #now: () => number;
  readonly #externalURL: string;
  readonly #generatorURL: (alert: { labels: Record<string, string> }) => string;
  readonly #queueSize: number;
  readonly #delivery: NotifierOptions["delivery"];
  readonly #log: (line: string) => void;
  readonly #ruleReceiver: ((rule: string) => string | undefined) | undefined;
  /** Nodes standing for rules' own receivers, by receiver name (built on first use). */
  readonly #ruleNodes = new Map<string, RouteNode>();
  /** Where each firing alert went, by fingerprint: its resolution follows it there even if the
   * rule's receiver changed meanwhile (rules reload live). */
  readonly #firingNodes = new Map<string, RouteNode[]>();
  readonly #groups = new Map<string, Group>();
  /** Delayed receivers' gates, by node id and fingerprint. */
  readonly #gates = new Map<string, { node: RouteNode; delay: DelayConfig; gate: Gate }>();
  /** Alertmanager receivers: what each holds, by fingerprint. */
  readonly #pushed = new Map<string, Map<string, Pushed>>();
  /** Every alert firing now, by fingerprint: the sources of inhibition. */
  readonly #firing = new Map<string, NotifyAlert>();
  readonly #abort = new AbortController();
  readonly #timer: ReturnType<typeof setInterval> | undefined;
  #busy = 0;
  #waiters: (() => void)[] = [];

  /**
   * @param options Receivers, route, inhibition, silences, clock and delivery settings.
   * @throws {RangeError} If the route names a receiver that is not defined.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { Notifier } from "./notifier.ts";
   * const got: unknown[] = [];
   * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
   *   got.push(await req.json());
   *   return new Response("ok");
   * });
   * const notifier = new Notifier({
   *   receivers: [{ name: "ops", webhook: `http://127.0.0.1:${server.addr.port}/` }],
   *   route: { receiver: "ops" },
   *   tickMs: 0,
   * });
   * const instance = {
   *   rule: "Hot", fingerprint: "00000000000000aa", labels: { alertname: "Hot" }, annotations: {},
   *   state: "firing" as const, value: 1, activeAt: 0, firedAt: 1000, resolvedAt: NaN,
   * };
   * notifier.handle([{ at: 1000, from: "pending", to: "firing", instance }]);
   * await notifier.idle();
   * await notifier.close();
   * await server.shutdown();
   * assert.equal((got[0] as { status: string }).status, "firing");
   * ```
   */
  constructor(options: NotifierOptions) {
    this.#now = options.now ?? Date.now;
    this.#externalURL = (options.externalURL ?? "http://127.0.0.1:8000").replace(/\/+$/, "");
    this.#generatorURL = options.generatorURL ?? (() => `${this.#externalURL}/alerts`);
    this.#queueSize = options.queueSize ?? 256;
    this.#delivery = options.delivery;
    this.#log = options.log ?? ((line) => console.warn(line));
    this.#silences = options.silences;
    this.#ruleReceiver = options.ruleReceiver;
    const now = this.#now();
    for (const config of options.receivers) {
      const limit = config.rate_limit
        ? new RateLimit(config.rate_limit.count, config.rate_limit.per ?? 60_000, now)
        : undefined;
      this.#receivers.set(config.name, {
        config,
        limit,
        queue: [],
        running: false,
        stats: { sent: 0, failed: 0, rateLimited: 0, dropped: 0, retries: 0 },
        lastLimitLog: -Infinity,
      });
      if (config.alertmanager !== undefined) this.#pushed.set(config.name, new Map());
    }
    this.#route = options.route ? compileRoute(options.route) : undefined;
    const check = (node: RouteNode): void => {
      if (!this.#receivers.has(node.receiver)) {
        throw new RangeError(`Unknown receiver "${node.receiver}" in route ${node.key}`);
      }
      node.routes.forEach(check);
    };
    if (this.#route) check(this.#route);
    this.#inhibitions = (options.inhibitRules ?? []).map((r) => ({
      source: compileMatchers(r.source_matchers),
      target: compileMatchers(r.target_matchers),
      equal: r.equal ?? [],
    }));
    const tickMs = options.tickMs ?? 200;
    if (tickMs > 0) {
      const timer = setInterval(() => this.tick(), tickMs);
      Deno.unrefTimer(Number(timer));
      this.#timer = timer;
    }
  }

  /**
   * Takes the engine's transitions. Returns at once: grouping is a few map updates, and
   * deliveries run on each receiver's own queue.
   *
   * @param transitions What changed in the last evaluation; only changes into or out of
   * `firing` notify.
   */
  handle(transitions: readonly AlertTransition[]): void {
    if (this.#abort.signal.aborted) return;
    for (const t of transitions) {
      const { instance } = t;
      let alert: NotifyAlert;
      if (t.to === "firing") {
        alert = this.#alert(
          instance,
          Number.isFinite(instance.firedAt) ? instance.firedAt : t.at,
          NaN,
        );
        this.#firing.set(alert.fingerprint, alert);
      } else if (t.from === "firing") {
        const started = this.#firing.get(instance.fingerprint)?.startsAt;
        const end = Number.isFinite(instance.resolvedAt) ? instance.resolvedAt : t.at;
        alert = this.#alert(
          instance,
          started ?? (Number.isFinite(instance.firedAt) ? instance.firedAt : end),
          end,
        );
        this.#firing.delete(alert.fingerprint);
      } else continue;
      this.#enter(alert, false, instance.rule);
    }
    this.tick();
  }

  #alert(
    instance: AlertTransition["instance"],
    startsAt: number,
    endsAt: number,
  ): NotifyAlert {
    const labels = { ...instance.labels };
    return {
      fingerprint: instance.fingerprint,
      labels,
      annotations: { ...instance.annotations },
      startsAt,
      endsAt,
      generatorURL: this.#generatorURL({ labels }),
    };
  }

  /** The nodes that take an alert of `rule`: its own receiver's, else the route tree's. */
  #nodesFor(route: RouteNode, rule: string, labels: Record<string, string>): RouteNode[] {
    const name = this.#ruleReceiver?.(rule);
    if (name === undefined) return matchRoutes(route, labels);
    if (!this.#receivers.has(name)) {
      // a rule reloaded with a receiver added to the file after serve started
      this.#log(`Rule ${rule} names receiver "${name}", not loaded: its alerts follow the route`);
      return matchRoutes(route, labels);
    }
    let node = this.#ruleNodes.get(name);
    if (!node) {
      node = {
        ...route,
        id: `rule:${name}`,
        key: `{}/rule:${name}`,
        receiver: name,
        matchers: [],
        continue: false,
        routes: [],
      };
      this.#ruleNodes.set(name, node);
    }
    return [node];
  }

  #enter(alert: NotifyAlert, notified: boolean, rule: string): void {
    if (!this.#route) return;
    const now = this.#now();
    let nodes: RouteNode[];
    if (Number.isFinite(alert.endsAt)) {
      nodes = this.#firingNodes.get(alert.fingerprint) ??
        this.#nodesFor(this.#route, rule, alert.labels);
      this.#firingNodes.delete(alert.fingerprint);
    } else {
      nodes = this.#nodesFor(this.#route, rule, alert.labels);
      this.#firingNodes.set(alert.fingerprint, nodes);
    }
    for (const node of nodes) {
      const delay = this.#receivers.get(node.receiver)?.config.delay;
      if (delay) this.#hold(node, delay, alert, notified, now);
      else this.#deliverTo(node, alert, notified, now);
    }
  }

  /**
   * Passes an alert's change to a delayed node once its hold is over: a change into firing waits
   * `up`, a resolution `down`; a change while one is held (a flap) replaces it, and the hold
   * grows by `multiplier` up to `max`; after `max` without a change it is back to the start.
   */
  #hold(node: RouteNode, delay: DelayConfig, alert: NotifyAlert, notified: boolean, now: number) {
    const key = `${node.id}|${alert.fingerprint}`;
    const firing = !Number.isFinite(alert.endsAt);
    let entry = this.#gates.get(key);
    if (!entry) {
      entry = {
        node,
        delay,
        gate: { notified: false, pending: undefined, factor: 1, lastChange: -Infinity },
      };
      this.#gates.set(key, entry);
    }
    const gate = entry.gate;
    if (notified) {
      // firing before a restart: announced then, unless it fired less than `up` ago (every hold
      // into firing is at least `up`): that hold died with the process, so it is held again
      // until `up` has passed since it fired, and announced then
      if (firing && now - alert.startsAt < delay.up) {
        gate.lastChange = alert.startsAt;
        gate.pending = { alert, dueAt: alert.startsAt + delay.up };
        return;
      }
      // announced: the node has it as firing already
      gate.notified = firing;
      this.#deliverTo(node, alert, true, now);
      return;
    }
    if (now - gate.lastChange >= delay.max) gate.factor = 1;
    else if (gate.pending) gate.factor *= delay.multiplier;
    gate.lastChange = now;
    gate.pending = undefined;
    // back to what the node last got (the flap undid the held change): nothing to send
    if (firing === gate.notified) return;
    const hold = Math.min((firing ? delay.up : delay.down) * gate.factor, delay.max);
    if (hold > 0) gate.pending = { alert, dueAt: now + hold };
    else {
      gate.notified = firing;
      this.#deliverTo(node, alert, false, now);
    }
  }

  /** Releases the held changes that are due, and forgets quiet alerts the node does not hold. */
  #release(now: number): void {
    for (const [key, { node, delay, gate }] of this.#gates) {
      if (gate.pending && gate.pending.dueAt <= now) {
        const { alert } = gate.pending;
        gate.pending = undefined;
        gate.notified = !Number.isFinite(alert.endsAt);
        this.#deliverTo(node, alert, false, now);
      }
      if (!gate.pending && !gate.notified && now - gate.lastChange >= delay.max) {
        this.#gates.delete(key);
      }
    }
  }

  /**
   * The changes held back by receivers' `delay:` now.
   *
   * @returns One entry per held change: receiver, fingerprint, the alert's labels, whether it
   * fires, when it goes on.
   */
  held(): {
    receiver: string;
    fingerprint: string;
    labels: Record<string, string>;
    firing: boolean;
    dueAt: number;
  }[] {
    const out = [];
    for (const { node, gate } of this.#gates.values()) {
      if (!gate.pending) continue;
      out.push({
        receiver: node.receiver,
        fingerprint: gate.pending.alert.fingerprint,
        labels: gate.pending.alert.labels,
        firing: !Number.isFinite(gate.pending.alert.endsAt),
        dueAt: gate.pending.dueAt,
      });
    }
    return out;
  }

  /** Hands an alert's change to a node: its group, or its Alertmanager's push list. */
  #deliverTo(node: RouteNode, alert: NotifyAlert, notified: boolean, now: number): void {
    const pushed = this.#pushed.get(node.receiver);
    if (pushed) {
      pushed.set(alert.fingerprint, { alert, pushedAt: -Infinity });
      return;
    }
    const groupLabels: Record<string, string> = {};
    for (const name of node.groupBy ?? Object.keys(alert.labels)) {
      // an own label only (a group_by of `constructor` read Object from the prototype)
      if (Object.hasOwn(alert.labels, name)) groupLabels[name] = alert.labels[name]!;
    }
    const id = `${node.id}:${formatLabelSet(groupLabels)}`;
    let group = this.#groups.get(id);
    if (!group) {
      group = {
        node,
        groupKey: `${node.key}:${formatLabelSet(groupLabels)}`,
        groupLabels,
        alerts: new Map(),
        nextFlush: now + node.groupWaitMs,
        lastFiring: new Set(),
        lastSentAt: -Infinity,
      };
      this.#groups.set(id, group);
    }
    group.alerts.set(alert.fingerprint, alert);
    if (notified) {
      // announced before the restart: not new, but its resolution and repeats are due
      group.lastFiring.add(alert.fingerprint);
      group.lastSentAt = now;
      group.nextFlush = now + node.groupIntervalMs;
    }
  }

  /**
   * Takes the alerts that were firing before a restart (the engine's restored state) as already
   * notified: they are not announced again as new, but their resolution is sent, repeats
   * continue after `repeat_interval`, and Alertmanager receivers get them re-sent at once.
   *
   * @param instances The engine's instances after it restored its state; those not firing are
   * skipped.
   */
  resume(instances: readonly AlertTransition["instance"][]): void {
    for (const instance of instances) {
      if (instance.state !== "firing" || this.#firing.has(instance.fingerprint)) continue;
      const started = Number.isFinite(instance.firedAt) ? instance.firedAt : this.#now();
      const alert = this.#alert(instance, started, NaN);
      this.#firing.set(alert.fingerprint, alert);
      this.#enter(alert, true, instance.rule);
    }
    this.tick();
  }

  /**
   * Sends what is due: groups whose wait or interval has passed, Alertmanager pushes and
   * re-sends. Runs on its own timer (`tickMs`); tests with a fake clock call it by hand.
   */
  tick(): void {
    if (this.#abort.signal.aborted) return;
    const now = this.#now();
    this.#release(now);
    for (const [id, group] of this.#groups) {
      if (group.nextFlush > now) continue;
      this.#flush(group, now);
      if (group.alerts.size === 0 && group.lastFiring.size === 0) this.#groups.delete(id);
    }
    for (const [name, pushed] of this.#pushed) this.#push(name, pushed, now);
  }

  #flush(group: Group, now: number): void {
    const receiver = this.#receivers.get(group.node.receiver)!;
    const firing: NotifyAlert[] = [];
    const resolved: NotifyAlert[] = [];
    for (const a of group.alerts.values()) {
      if (Number.isFinite(a.endsAt)) {
        if (group.lastFiring.has(a.fingerprint)) resolved.push(a);
      } else if (!this.muted(a.labels)) firing.push(a);
    }
    const sendResolved = receiver.config.send_resolved ?? true;
    const newFiring = firing.some((a) => !group.lastFiring.has(a.fingerprint));
    let send: boolean;
    if (newFiring) send = true;
    else if (firing.length === 0) {
      send = group.lastFiring.size > 0 && sendResolved && resolved.length > 0;
    } else if (sendResolved && resolved.length > 0) send = true;
    else send = now >= group.lastSentAt + group.node.repeatIntervalMs;
    group.nextFlush = now + group.node.groupIntervalMs;
    if (send) {
      if (!this.#allow(receiver, now)) return; // state kept: retried at the next interval
      const alerts = sendResolved ? [...firing, ...resolved] : firing;
      const body = webhookPayload({
        receiver: receiver.config.name,
        groupKey: group.groupKey,
        groupLabels: group.groupLabels,
        externalURL: this.#externalURL,
        ...(receiver.config.max_alerts && { maxAlerts: receiver.config.max_alerts }),
      }, alerts);
      this.#enqueue(receiver, receiver.config.webhook!, body);
      group.lastSentAt = now;
    }
    group.lastFiring = new Set(firing.map((a) => a.fingerprint));
    for (const [fp, a] of group.alerts) if (Number.isFinite(a.endsAt)) group.alerts.delete(fp);
  }

  #push(name: string, pushed: Map<string, Pushed>, now: number): void {
    const receiver = this.#receivers.get(name)!;
    const resendMs = receiver.config.resend_every ?? 60_000;
    const due: Pushed[] = [];
    for (const p of pushed.values()) {
      if (now - p.pushedAt >= resendMs || p.pushedAt === -Infinity) due.push(p);
    }
    if (due.length === 0) return;
    if (!this.#allow(receiver, now)) return;
    // valid for four re-sends, as Prometheus does, so a late push does not flap the alert
    const body = due.map((p) => postableAlert(p.alert, now, 4 * resendMs));
    for (const p of due) {
      if (Number.isFinite(p.alert.endsAt)) pushed.delete(p.alert.fingerprint);
      else p.pushedAt = now;
    }
    const url = `${receiver.config.alertmanager!.replace(/\/+$/, "")}/api/v2/alerts`;
    this.#enqueue(receiver, url, body);
  }

  #allow(receiver: Receiver, now: number): boolean {
    if (!receiver.limit || receiver.limit.take(now)) return true;
    receiver.stats.rateLimited++;
    const per = receiver.config.rate_limit?.per ?? 60_000;
    if (now - receiver.lastLimitLog >= per) {
      receiver.lastLimitLog = now;
      this.#log(
        `notify: receiver ${receiver.config.name} over its rate limit (${receiver.config.rate_limit?.count} per ${per} ms): held back ${receiver.stats.rateLimited} notifications so far`,
      );
    }
    return false;
  }

  #enqueue(receiver: Receiver, url: string, body: unknown): void {
    if (receiver.queue.length >= this.#queueSize) {
      receiver.queue.shift();
      receiver.stats.dropped++;
      this.#log(
        `notify: receiver ${receiver.config.name} queue full (${this.#queueSize}): dropped the oldest notification`,
      );
    }
    receiver.queue.push({ url, body });
    if (!receiver.running) {
      receiver.running = true;
      this.#busy++;
      // started after the caller's turn: even building the request is not the engine's cost
      queueMicrotask(() => void this.#run(receiver));
    }
  }

  async #run(receiver: Receiver): Promise<void> {
    try {
      for (let job = receiver.queue.shift(); job; job = receiver.queue.shift()) {
        const result = await deliver(job.url, job.body, {
          ...this.#delivery,
          ...(receiver.config.headers && { headers: receiver.config.headers }),
          timeoutMs: receiver.config.timeout ?? 10_000,
          signal: this.#abort.signal,
        });
        receiver.stats.retries += Math.max(0, result.attempts - 1);
        if (result.ok) receiver.stats.sent++;
        else {
          receiver.stats.failed++;
          receiver.stats.lastError = result.error ?? "";
          if (!this.#abort.signal.aborted) {
            this.#log(
              `notify: receiver ${receiver.config.name}: gave up after ${result.attempts} attempts: ${result.error}`,
            );
          }
        }
      }
    } finally {
      receiver.running = false;
      if (--this.#busy === 0) { for (const w of this.#waiters.splice(0)) w(); }
    }
  }

  /**
   * Tells whether an alert is muted now, by a silence or an inhibition.
   *
   * @param labels The alert's labels.
   * @returns True when muted.
   */
  muted(labels: Readonly<Record<string, string>>): boolean {
    return (this.#silences?.silencedBy(labels).length ?? 0) > 0 ||
      this.inhibitedBy(labels).length > 0;
  }

  /**
   * The firing alerts that inhibit one with these labels.
   *
   * @param labels The alert's labels.
   * @returns Fingerprints of the inhibiting alerts; empty when none.
   */
  inhibitedBy(labels: Readonly<Record<string, string>>): string[] {
    const out: string[] = [];
    let self: string | undefined;
    for (const rule of this.#inhibitions) {
      if (!matchesAll(rule.target, labels)) continue;
      self ??= formatLabelSet(labels);
      for (const source of this.#firing.values()) {
        // an alert never inhibits itself (it may match both sides)
        if (formatLabelSet(source.labels) === self) continue;
        if (!matchesAll(rule.source, source.labels)) continue;
        if (rule.equal.every((l) => (source.labels[l] ?? "") === (labels[l] ?? ""))) {
          out.push(source.fingerprint);
        }
      }
    }
    return out;
  }

  /**
   * Counters per receiver.
   *
   * @returns A copy, by receiver name.
   */
  stats(): Record<string, ReceiverStats> {
    return Object.fromEntries([...this.#receivers].map(([name, r]) => [name, { ...r.stats }]));
  }

  /**
   * Resolves when every queue is empty and nothing is being sent (tests, shutdown).
   *
   * @returns A promise.
   */
  idle(): Promise<void> {
    if (this.#busy === 0) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /**
   * Stops the timer and cuts retries short; what is being sent ends with its current attempt.
   *
   * @returns When the senders have stopped.
   */
  async close(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#abort.abort();
    await this.idle();
  }
}
