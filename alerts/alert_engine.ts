/**
 * The alert rule engine: fed the live samples (`observe`), it keeps per series only the window
 * its rules read, and each `evaluate(now)` steps every alert instance through
 * inactive → pending → firing → resolved (plus nodata and error), reporting the changes. The
 * clock is always the caller's, so the same engine runs live (serve, once a second) and over
 * history (the backtest).
 *
 * @module
 */
import { formatLabels, type Labels, parseLabels, type Sample } from "../collectors/mod.ts";
import type { RuleConfig } from "../config/mod.ts";
import type { IngestBatch } from "../lake/mod.ts";
import { type CompiledRule, compileRule, ruleMatches } from "./compile_rule.ts";
import { fingerprint } from "./fingerprint.ts";
import { renderTemplate } from "./render_template.ts";
import type { AlertInstance, AlertState, AlertTransition } from "./types.ts";
import {
  instanceLabels,
  Live,
  type RuleEntry,
  type Series,
  series as makeSeries,
  seriesBase,
} from "./_engine_parts.ts";
import { arm, Board, onBoard, syncBoard, syncSlot } from "./_board.ts";
import {
  anomalyObserve,
  forecastDue,
  FORECASTS_PER_EVALUATION,
  predictiveObserve,
  runForecast,
} from "./_kinds.ts";
import { sqlApply, sqlForgettable, sqlTick } from "./_sql_rule.ts";
import { readState, type SavedState, writeState } from "./_state_file.ts";
import {
  AlertHistoryWriter,
  readAlertHistory,
  type ReadAlertHistoryOptions,
} from "./alert_history.ts";

/** Options of {@linkcode AlertEngine}. */
export interface AlertEngineOptions {
  /** Lake root: instance states persist in `ROOT/alerts/state.json` and every transition goes
   * to `ROOT/alerts/date=…/*.parquet`. Default: nothing persisted (a backtest). */
  root?: string;
  /** Runs a SQL rule's SELECT (in the `/api/query` sandbox) and returns its rows as objects.
   * Default: none (SQL rules are then in the `error` state). */
  query?: (sql: string) => Promise<Record<string, unknown>[]>;
  /** Wall clock for restoring state and timing history flushes, ms. Default `Date.now`. */
  now?: () => number;
  /** Time buffered transitions wait before they are written to Parquet, ms. Default 10 000. */
  historyFlushMs?: number;
  /** How long a resolved instance stays listed, ms. Default 15 min (as Prometheus). */
  resolvedRetentionMs?: number;
  /** How long a `nodata` instance waits for its series before it turns inactive, ms. Default
   * 1 h. */
  nodataRetentionMs?: number;
  /** Where problems writing state or history are reported. Default `console.error`. */
  log?: (line: string) => void;
  /**
   * Step every threshold and rate-of-change instance at every evaluation, instead of only those
   * whose step can change more than their value (the results are the same; the tests compare
   * both ways). Default false.
   */
  fullSteps?: boolean;
}

/** What {@linkcode AlertEngine.sizes} counts. */
export interface AlertEngineSizes {
  /** Metrics with series held. */
  metrics: number;
  /** (metric, host) pairs with series held. */
  hosts: number;
  /** Series held. */
  series: number;
  /** Instances of all rules, inactive ones included. */
  instances: number;
}

const HOLDING: ReadonlySet<AlertState> = new Set(["pending", "firing"]);
const CLEANUP_MS = 60_000;
const DEAD_SERIES_MS = 600_000;

/**
 * Evaluates alert rules over the live stream. Not thread-safe; call from one event loop.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { AlertEngine } from "./alert_engine.ts";
 * const engine = new AlertEngine([{ alert: "Hot", metric: "t", above: 80, for: 2000 }]);
 * const feed = (ts: number, value: number) =>
 *   engine.observe({ ts: [ts], host: ["h"], metric: ["t"], labels: [""], value: [value] });
 * feed(0, 90);
 * assert.deepEqual(engine.evaluate(0).map((t) => t.to), ["pending"]);
 * feed(1000, 95);
 * assert.deepEqual(engine.evaluate(1000), []);
 * feed(2000, 91);
 * assert.deepEqual(engine.evaluate(2000).map((t) => t.to), ["firing"]);
 * feed(3000, 10);
 * assert.deepEqual(engine.evaluate(3000).map((t) => t.to), ["resolved"]);
 * ```
 */
export class AlertEngine {
  #rules = new Map<string, RuleEntry>();
  #byMetric = new Map<string, RuleEntry[]>();
  /** Series by metric, host and labels: nested maps look up the batch's own strings, where one
   * joined key would cost a new string and its hash per sample. */
  #series = new Map<string, Map<string, Map<string, Series>>>();
  #labelText = new WeakMap<Labels, string>();
  /** Boards of the series (rebuilt from `#series` when `#boardsStale`). */
  #boards: Board<Live>[] = [];
  #boardsStale = false;
  /** Rules not on boards (sql, absence, anomaly, predictive): visited at every evaluation. */
  #offBoard: RuleEntry[] = [];
  #predictive: RuleEntry[] = [];
  /** Board rules with instances that have no series yet. */
  #withLoose = new Set<RuleEntry>();
  #seq = 0;
  #listeners: ((t: AlertTransition[]) => void)[] = [];
  #pending = new Set<Promise<void>>();
  #options: AlertEngineOptions;
  #clock: () => number;
  #log: (line: string) => void;
  #history: AlertHistoryWriter | undefined;
  #dirty = false;
  /** False while the constructor runs: the saved state is read before anything is written. */
  #ready = false;
  /** A state file exists (read or written): an empty state is then written too. */
  #hadState = false;
  #saveFailing = false;
  #nextCleanup = -Infinity;

  /**
   * @param rules The rules (`rules:` of the config, validated).
   * @param options Persistence, the SQL runner, retention; see {@linkcode AlertEngineOptions}.
   */
  constructor(rules: readonly RuleConfig[], options: AlertEngineOptions = {}) {
    this.#options = options;
    this.#clock = options.now ?? Date.now;
    this.#log = options.log ?? ((line) => console.error(line));
    if (options.root !== undefined) {
      this.#history = new AlertHistoryWriter(options.root, {
        flushMs: options.historyFlushMs ?? 10_000,
        log: this.#log,
      });
    }
    this.setRules(rules);
    if (options.root !== undefined) this.#restore(readState(options.root, this.#log));
    this.#ready = true;
  }

  /** The rules in force, by name. */
  get ruleNames(): string[] {
    return [...this.#rules.keys()];
  }

  /**
   * Replaces the rules (a config reload). Rules whose definition did not change keep their
   * instances and timers; instances of removed or changed rules that were not inactive turn
   * inactive with a transition (so receivers resolve them).
   *
   * @param rules The new rules.
   * @param now Time of the change, ms. Default the engine's clock.
   * @returns The transitions of dropped instances (also sent to the listeners).
   */
  setRules(rules: readonly RuleConfig[], now = this.#clock()): AlertTransition[] {
    const next = new Map<string, RuleEntry>();
    for (const config of rules) {
      const rule = compileRule(config);
      const old = this.#rules.get(rule.name);
      next.set(rule.name, old && old.rule.hash === rule.hash ? old : newEntry(rule));
    }
    const out: AlertTransition[] = [];
    for (const [name, entry] of this.#rules) {
      if (next.get(name) === entry) continue;
      const why = next.has(name) ? "rule changed" : "rule removed";
      for (const inst of entry.insts.values()) {
        if (inst.state === "inactive") continue;
        inst.reason = why;
        this.#move(inst, "inactive", now, out);
      }
    }
    this.#rules = next;
    this.#byMetric.clear();
    this.#offBoard = [];
    this.#predictive = [];
    this.#withLoose.clear();
    let ord = 0;
    for (const entry of next.values()) {
      entry.ord = ord++;
      if (!onBoard(entry.rule.kind)) this.#offBoard.push(entry);
      else if (entry.loose !== undefined) this.#withLoose.add(entry);
      if (entry.rule.kind === "predictive") this.#predictive.push(entry);
      if (entry.rule.kind === "sql") continue;
      const list = this.#byMetric.get(entry.rule.metric) ?? [];
      list.push(entry);
      this.#byMetric.set(entry.rule.metric, list);
      if (entry.rule.kind === "absence" && entry.insts.size === 0) this.#absenceInstance(entry);
    }
    this.#boardsStale = true;
    for (const [metric, hosts] of this.#series) {
      if (!this.#byMetric.has(metric)) this.#series.delete(metric);
      else for (const sets of hosts.values()) for (const s of sets.values()) this.#attach(s);
    }
    this.#dirty = true;
    this.#finish(out);
    return out;
  }

  /**
   * Takes in samples: a batch as columns (ingest) or samples (the collector's spool). Samples of
   * metrics no rule reads cost one map lookup; a sample older than its series' newest is
   * dropped.
   *
   * @param batch The samples.
   */
  observe(batch: IngestBatch | readonly Sample[]): void {
    if (Array.isArray(batch)) {
      for (const s of batch as readonly Sample[]) {
        if (!this.#byMetric.has(s.metric)) continue;
        let text = this.#labelText.get(s.labels);
        if (text === undefined) this.#labelText.set(s.labels, text = formatLabels(s.labels));
        this.observeSample(s.host, s.metric, text, s.ts, s.value, s.labels);
      }
      return;
    }
    const b = batch as IngestBatch;
    for (let i = 0; i < b.ts.length; i++) {
      if (!this.#byMetric.has(b.metric[i]!)) continue;
      this.observeSample(b.host[i]!, b.metric[i]!, b.labels[i]!, b.ts[i]!, b.value[i]!);
    }
  }

  /**
   * Takes in one sample.
   *
   * @param host Host.
   * @param metric Metric name.
   * @param labels Canonical label string (`k=v,k2=v2`).
   * @param ts Time, ms.
   * @param value Value (`NaN`: none).
   * @param parsed The labels as an object, when the caller has it.
   */
  observeSample(
    host: string,
    metric: string,
    labels: string,
    ts: number,
    value: number,
    parsed?: Labels,
  ): void {
    let hosts = this.#series.get(metric);
    if (hosts === undefined) {
      if (!this.#byMetric.has(metric)) return;
      this.#series.set(metric, hosts = new Map());
    }
    let sets = hosts.get(host);
    if (sets === undefined) hosts.set(host, sets = new Map());
    let s = sets.get(labels);
    if (s === undefined) {
      s = makeSeries(host, metric, labels, parsed ?? parseLabels(labels));
      sets.set(labels, s);
      this.#attach(s);
    }
    if (!s.buf.push(ts, value)) return;
    for (const entry of s.absence) if (!(entry.lastSeen >= ts)) entry.lastSeen = ts;
    if (!s.special) return;
    for (const inst of s.insts) {
      if (inst.rule.kind === "anomaly") anomalyObserve(inst, ts, value);
      else if (inst.rule.kind === "predictive") predictiveObserve(inst, ts, value);
    }
  }

  /**
   * Evaluates every rule at `now` and returns the state changes (also sent to the listeners,
   * written to the history and persisted).
   *
   * @param now The evaluation's time, ms.
   * @returns The transitions, in rule order.
   */
  evaluate(now: number): AlertTransition[] {
    const out: AlertTransition[] = [];
    this.#forecasts(now);
    if (this.#boardsStale) this.#collectBoards();
    // Threshold and rate-of-change instances: the boards' scan picks those whose step can change
    // more than their value; rules are then visited in order, only those with work to do.
    const visit = this.#offBoard.slice();
    const due = (inst: Live) => {
      const entry = inst.entry;
      if (entry.due.length === 0) visit.push(entry);
      entry.due.push(inst);
    };
    const boards = this.#boards;
    if (this.#options.fullSteps) { for (const b of boards) b.every(due); }
    else for (let b = 0; b < boards.length; b++) boards[b]!.scan(now, due);
    for (const entry of this.#withLoose) {
      if (entry.due.length === 0) visit.push(entry);
      for (const inst of entry.loose!) entry.due.push(inst);
    }
    if (visit.length > 1) visit.sort((a, b) => a.ord - b.ord);
    for (const entry of visit) {
      const rule = entry.rule;
      if (onBoard(rule.kind)) {
        const list = entry.due;
        if (list.length > 1) list.sort((a, b) => a.seq - b.seq); // the rule's instance order
        for (let i = 0; i < list.length; i++) {
          const inst = list[i]!;
          this.#evalSeries(inst, now, out);
          arm(inst);
        }
        list.length = 0;
        continue;
      }
      if (rule.kind === "sql") {
        sqlTick(entry, now, this.#options.query, this.#pending);
        sqlApply(entry, (labels) => this.#instance(entry, labels, undefined));
        if (entry.result === undefined && entry.error === undefined) continue; // no answer yet
        for (const inst of entry.insts.values()) {
          if (inst.error !== undefined) this.#step(inst, now, -2, false, NaN, out);
          else if (entry.error !== undefined) continue; // unknown while the query fails
          else if (inst.side!.inResult) {
            const holding = HOLDING.has(inst.state), v = inst.side!.rowValue;
            this.#step(inst, now, compare(rule, v, holding), false, v, out);
          } else this.#step(inst, now, 0, false, inst.value, out);
        }
        continue;
      }
      if (rule.kind === "absence") {
        if (!(entry.lastSeen > -Infinity)) entry.lastSeen = now; // grace from the first look
        const silent = (now - entry.lastSeen) / 1000;
        const cond = now - entry.lastSeen > rule.absentForMs ? 1 : 0;
        for (const inst of entry.insts.values()) this.#step(inst, now, cond, false, silent, out);
        continue;
      }
      // an array, not the map's iterator: this loop runs for every instance every second
      const list = entry.list ??= [...entry.insts.values()];
      for (let i = 0; i < list.length; i++) this.#evalSeries(list[i]!, now, out);
    }
    if (now >= this.#nextCleanup) this.#cleanup(now, out);
    this.#finish(out);
    this.#history?.flushIfDue(this.#clock());
    return out;
  }

  /** The step of an instance that reads a series (threshold, rate of change, anomaly,
   * predictive): staleness, the value, the condition. */
  #evalSeries(inst: Live, now: number, out: AlertTransition[]): void {
    const rule = inst.rule;
    if (inst.board !== undefined) syncSlot(inst.board, inst.slot);
    const buf = inst.series?.buf;
    const last = buf ? buf.lastTs : inst.lastSeen;
    const staleMs = rule.stalenessMs ??
      (buf && Number.isFinite(buf.gapMs) ? 5 * buf.gapMs : 60_000);
    const stale = now - last > staleMs;
    let value = NaN, cond = -1;
    if (buf && !stale) {
      const holding = inst.state === "pending" || inst.state === "firing";
      if (rule.kind === "anomaly") {
        const k = inst.side!;
        if (k.seen > 0) (value = k.score, cond = k.run >= rule.points ? 1 : 0);
      } else if (rule.kind === "predictive") {
        if (inst.error !== undefined) cond = -2;
        else (value = inst.side!.predicted, cond = inst.side!.cond);
      } else {
        value = buf.reduce(rule.reduce, now, rule.windowMs, rule.reduceKey);
        if (rule.kind === "rate_of_change") value *= rule.perSeconds;
        cond = compare(rule, value, holding);
      }
    }
    this.#step(inst, now, cond, stale, value, out);
  }

  #collectBoards(): void {
    this.#boardsStale = false;
    this.#boards = [];
    for (const hosts of this.#series.values()) {
      for (const sets of hosts.values()) {
        for (const s of sets.values()) if (s.board !== undefined) this.#boards.push(s.board);
      }
    }
  }

  /** Copies the values quiet steps took into the instances (before they are read). */
  #syncValues(): void {
    for (const b of this.#boards) syncBoard(b);
  }

  /**
   * The instances that are not inactive (pending, firing, resolved within the retention,
   * nodata, error), annotations filled in.
   *
   * @returns Snapshots (changing them changes nothing in the engine).
   */
  instances(): AlertInstance[] {
    this.#syncValues();
    const out: AlertInstance[] = [];
    for (const entry of this.#rules.values()) {
      for (const inst of entry.insts.values()) {
        if (inst.state !== "inactive") out.push(snapshot(inst));
      }
    }
    return out;
  }

  /**
   * Counts of what the engine holds, to check that memory follows what is live and not what has
   * passed (hosts that came and went, SQL rows that left the result): the metrics and hosts
   * indexing the series, the series, and the instances of every state (`instances()` leaves
   * the inactive ones out). It walks everything: for tests and diagnostics, not every second.
   *
   * @returns The counts.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { AlertEngine } from "./alert_engine.ts";
   * const engine = new AlertEngine([{ alert: "Hot", metric: "t", above: 80 }]);
   * engine.observe({ ts: [0, 0], host: ["a", "b"], metric: ["t", "t"], labels: ["", ""], value: [1, 2] });
   * engine.evaluate(0);
   * assert.deepEqual(engine.sizes(), { metrics: 1, hosts: 2, series: 2, instances: 2 });
   * ```
   */
  sizes(): AlertEngineSizes {
    let hosts = 0, series = 0, instances = 0;
    for (const byHost of this.#series.values()) {
      hosts += byHost.size;
      for (const sets of byHost.values()) series += sets.size;
    }
    for (const entry of this.#rules.values()) instances += entry.insts.size;
    return { metrics: this.#series.size, hosts, series, instances };
  }

  /**
   * Subscribes to transitions: `cb` gets each evaluation's non-empty list. A listener that
   * throws is reported and does not stop the others.
   *
   * @param cb The listener.
   * @returns A function that unsubscribes it.
   */
  onTransition(cb: (t: AlertTransition[]) => void): () => void {
    this.#listeners.push(cb);
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== cb);
    };
  }

  /**
   * The stored history of transitions in a time range, with the ones not yet written.
   *
   * @param options `since` and `until`, ms (default: everything).
   * @returns Transitions, oldest first.
   */
  async history(options: ReadAlertHistoryOptions = {}): Promise<AlertTransition[]> {
    if (this.#options.root === undefined) return [];
    const stored = await readAlertHistory(this.#options.root, options);
    const since = options.since ?? -Infinity, until = options.until ?? Infinity;
    const buffered = this.#history?.buffered().filter((t) => t.at >= since && t.at < until) ?? [];
    return [...stored, ...buffered];
  }

  /** Waits for the SQL queries in flight (tests, the backtest). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Writes the state and the buffered history now (at shutdown). */
  close(): void {
    if (this.#options.root === undefined) return;
    this.#save();
    this.#history?.flush();
  }

  /** Runs the predictive forecasts that are due, the longest waiting first, at most
   * `FORECASTS_PER_EVALUATION` (the others wait for the next evaluation). */
  #forecasts(now: number): void {
    const due: Live[] = [];
    for (const entry of this.#predictive) {
      for (const inst of entry.insts.values()) if (forecastDue(inst, now)) due.push(inst);
    }
    if (due.length > FORECASTS_PER_EVALUATION) due.sort((a, b) => a.side!.nextAt - b.side!.nextAt);
    for (const inst of due.slice(0, FORECASTS_PER_EVALUATION)) runForecast(inst, now);
  }

  #finish(out: AlertTransition[]): void {
    if (this.#dirty && this.#ready && this.#options.root !== undefined) this.#save();
    if (out.length === 0) return;
    this.#history?.add(out, this.#clock());
    for (const cb of this.#listeners) {
      try {
        cb(out);
      } catch (error) {
        this.#log(`perfscope alerts: a transition listener failed: ${String(error)}`);
      }
    }
  }

  #save(): void {
    this.#dirty = false;
    this.#syncValues();
    const state: SavedState = { version: 1, savedAt: this.#clock(), rules: {} };
    for (const [name, entry] of this.#rules) {
      const list = [...entry.insts.values()].filter((i) => i.state !== "inactive");
      if (list.length === 0) continue;
      state.rules[name] = { hash: entry.rule.hash, instances: list };
    }
    // no file for a lake that never had an alert (serve without rules)
    if (!this.#hadState && Object.keys(state.rules).length === 0) return;
    this.#hadState = true;
    // a failing disk is reported once, not at every change, until a save succeeds again
    const quiet = this.#saveFailing ? () => {} : this.#log;
    this.#saveFailing = !writeState(this.#options.root!, state, quiet);
  }

  #restore(saved: SavedState | undefined): void {
    if (!saved) return;
    this.#hadState = true;
    const now = this.#clock();
    for (const [name, rule] of Object.entries(saved.rules)) {
      const entry = this.#rules.get(name);
      if (!entry || entry.rule.hash !== rule.hash) continue;
      for (const s of rule.instances) {
        const inst = this.#instance(entry, s.labels, undefined);
        Object.assign(inst, {
          state: s.state,
          value: s.value,
          activeAt: s.activeAt,
          firedAt: s.firedAt,
          resolvedAt: s.resolvedAt,
          keepSince: s.keepSince,
          since: s.since,
          lastSeen: now, // the series gets its staleness from now to come back
        });
        if (s.reason !== undefined) inst.reason = s.reason;
      }
    }
  }

  /** Links a series to the rules of its metric (again after a reload). */
  #attach(s: Series): void {
    s.insts = [];
    s.absence = [];
    s.special = false;
    let keep = 0;
    for (const entry of this.#byMetric.get(s.metric) ?? []) {
      if (!ruleMatches(entry.rule, s.host, s.labelObj)) continue;
      if (entry.rule.kind === "absence") {
        s.absence.push(entry);
        continue;
      }
      const inst = this.#instance(entry, seriesBase(s), s);
      s.insts.push(inst);
      if (entry.rule.kind === "anomaly" || entry.rule.kind === "predictive") s.special = true;
      keep = Math.max(keep, entry.rule.keepMs);
    }
    s.buf.keepMs = keep;
    const board = s.insts.filter((i) => onBoard(i.rule.kind));
    for (const inst of board) this.#unloose(inst);
    s.board = board.length > 0 ? new Board(s, board) : undefined;
    this.#boardsStale = true;
  }

  /** An instance got its series: it is on a board now. */
  #unloose(inst: Live): void {
    const entry = inst.entry;
    if (entry.loose === undefined || !entry.loose.delete(inst)) return;
    if (entry.loose.size > 0) return;
    entry.loose = undefined;
    this.#withLoose.delete(entry);
  }

  /** The instance of `entry` with these base labels: the existing one, or a new one. */
  #instance(entry: RuleEntry, base: Record<string, string>, s: Series | undefined): Live {
    const labels = instanceLabels(entry.rule, base);
    const fp = fingerprint(labels);
    let inst = entry.insts.get(fp);
    if (!inst) {
      // one made for a series builds its labels from it when they are read
      entry.insts.set(fp, inst = newLive(entry, this.#seq++, fp, s ? undefined : labels));
      entry.list = undefined;
      if (!s && onBoard(entry.rule.kind)) {
        (entry.loose ??= new Set()).add(inst);
        if (this.#rules.get(entry.rule.name) === entry) this.#withLoose.add(entry);
      }
    }
    if (s) inst.series = s;
    return inst;
  }

  #absenceInstance(entry: RuleEntry): void {
    const base: Record<string, string> = Object.fromEntries(entry.rule.match);
    if (entry.rule.host !== undefined) base.host = entry.rule.host;
    this.#instance(entry, base, undefined);
  }

  /**
   * One instance's step. `cond`: 1 holds, 0 does not, −1 unknown (no finite value: the state
   * stays), −2 the rule could not be evaluated (error).
   */
  #step(
    inst: Live,
    now: number,
    cond: number,
    stale: boolean,
    value: number,
    out: AlertTransition[],
  ): void {
    const rule = inst.rule;
    if (stale) {
      // an error (a forecast that failed) on a series that went silent is nodata too: it then
      // turns inactive after nodataRetentionMs and is dropped, where staying in error kept it
      if (inst.state === "pending" || inst.state === "firing" || inst.state === "error") {
        inst.reason = "no data";
        this.#move(inst, "nodata", now, out);
      }
      return;
    }
    if (cond === -2) {
      if (inst.state !== "error") {
        inst.reason = inst.error ?? "cannot evaluate";
        this.#move(inst, "error", now, out);
      }
      return;
    }
    if (cond === -1) return;
    inst.value = value;
    const active = cond === 1;
    switch (inst.state) {
      case "pending":
        if (!active) {
          inst.activeAt = NaN;
          this.#move(inst, "inactive", now, out);
        } else if (now - inst.activeAt >= rule.forMs) this.#fire(inst, now, out);
        return;
      case "firing":
        if (active) {
          if (!Number.isNaN(inst.keepSince)) (inst.keepSince = NaN, this.#dirty = true);
          return;
        }
        if (rule.keepFiringForMs > 0) {
          if (Number.isNaN(inst.keepSince)) (inst.keepSince = now, this.#dirty = true);
          if (now - inst.keepSince < rule.keepFiringForMs) return;
        }
        inst.keepSince = NaN;
        inst.resolvedAt = now;
        this.#move(inst, "resolved", now, out);
        return;
      default:
        if (active) {
          inst.activeAt = now;
          inst.firedAt = NaN;
          inst.resolvedAt = NaN;
          if (rule.kind !== "predictive") inst.reason = undefined; // a forecast's is current
          if (rule.forMs === 0) this.#fire(inst, now, out);
          else this.#move(inst, "pending", now, out);
        } else if (inst.state === "nodata" || inst.state === "error") {
          inst.reason = undefined;
          this.#move(inst, "inactive", now, out);
        }
    }
  }

  #fire(inst: Live, now: number, out: AlertTransition[]): void {
    inst.firedAt = now;
    this.#move(inst, "firing", now, out);
  }

  #move(inst: Live, to: AlertState, now: number, out: AlertTransition[]): void {
    if (inst.board !== undefined) syncSlot(inst.board, inst.slot);
    const from = inst.state;
    inst.state = to;
    inst.since = now;
    if (to === "inactive") inst.activeAt = NaN;
    this.#dirty = true;
    out.push({ at: now, from, to, instance: snapshot(inst) });
    arm(inst);
  }

  /** Forgets dead series, old resolved/nodata instances and SQL instances whose row left the
   * result, so memory stays bounded. */
  #cleanup(now: number, out: AlertTransition[]): void {
    this.#nextCleanup = now + CLEANUP_MS;
    const resolvedMs = this.#options.resolvedRetentionMs ?? 900_000;
    const nodataMs = this.#options.nodataRetentionMs ?? 3_600_000;
    for (const entry of this.#rules.values()) {
      const sql = entry.rule.kind === "sql";
      const baseFp = sql ? fingerprint(instanceLabels(entry.rule, {})) : "";
      for (const inst of entry.insts.values()) {
        if (inst.state === "resolved" && now - inst.since > resolvedMs) {
          inst.state = "inactive"; // quietly: receivers were told at the resolution
          arm(inst);
          this.#dirty = true;
        } else if (inst.state === "nodata" && now - inst.since > nodataMs) {
          inst.reason = "no data for too long";
          this.#move(inst, "inactive", now, out);
        }
        // SQL rows come and go with the data (label churn): one gone from the result and
        // inactive is forgotten, or every label set ever returned would be kept and stepped
        if (sql && sqlForgettable(inst, baseFp)) {
          entry.insts.delete(inst.fp);
          entry.list = undefined;
          inst.release();
        } else if (
          inst.series === undefined && inst.state === "inactive" && !sql &&
          entry.rule.kind !== "absence"
        ) {
          // restored from state.json for a series that never came back: nodata, then inactive,
          // then nothing would ever drop it (#dropDead walks series), and it was stepped at
          // every evaluation; the series coming back makes a new one
          this.#forget(entry, inst);
        }
      }
    }
    for (const [metric, hosts] of this.#series) {
      for (const [host, sets] of hosts) {
        this.#dropDead(sets, now);
        // a host whose series all went (a container, an autoscaled VM) leaves no map behind
        if (sets.size === 0) hosts.delete(host);
      }
      if (hosts.size === 0) this.#series.delete(metric);
    }
  }

  /** Drops an instance that no series drives. */
  #forget(entry: RuleEntry, inst: Live): void {
    if (entry.insts.get(inst.fp) !== inst) return;
    entry.insts.delete(inst.fp);
    entry.list = undefined;
    if (entry.loose?.delete(inst) && entry.loose.size === 0) {
      entry.loose = undefined;
      this.#withLoose.delete(entry);
    }
    inst.release();
  }

  #dropDead(sets: Map<string, Series>, now: number): void {
    for (const [key, s] of sets) {
      if (now - s.buf.lastTs < DEAD_SERIES_MS) continue;
      if (s.insts.some((i) => i.state !== "inactive")) continue;
      sets.delete(key);
      this.#boardsStale = true;
      for (const inst of s.insts) {
        // only the instances this series' data drives: rule labels that override a series
        // label give two series one instance (read from the series seen last), and the
        // instance under that fingerprint may be a newer one made for the other series
        if (inst.series !== s) continue;
        const entry = this.#rules.get(inst.rule.name);
        if (entry?.insts.get(inst.fp) === inst && entry.insts.delete(inst.fp)) {
          entry.list = undefined;
          inst.release();
        }
      }
    }
  }
}

/** 1 when the value is past the threshold (past `clear` while already active), else 0; −1
 * when there is no value. A rule without a threshold (SQL) holds whenever it has a value. */
function compare(rule: CompiledRule, value: number, holding: boolean): number {
  if (Number.isNaN(value)) return -1;
  if (Number.isNaN(rule.threshold)) return 1;
  const limit = holding ? rule.clear : rule.threshold;
  return (rule.up ? value > limit : value < limit) ? 1 : 0;
}

function newEntry(rule: CompiledRule): RuleEntry {
  return {
    rule,
    insts: new Map(),
    list: undefined,
    lastSeen: -Infinity,
    nextAt: -Infinity,
    running: false,
    result: undefined,
    error: undefined,
    fresh: false,
    ord: 0,
    due: [],
    loose: undefined,
    nums: new Float64Array(0),
    usedSlots: 1,
    freeSlots: [],
  };
}

function newLive(
  entry: RuleEntry,
  seq: number,
  fp: string,
  labels: Record<string, string> | undefined,
): Live {
  return new Live(entry, seq, fp, labels);
}

function snapshot(inst: Live): AlertInstance {
  const rule = inst.rule;
  const labels = inst.labelsCopy();
  const data = {
    value: inst.value,
    labels,
    ...(Number.isNaN(rule.threshold) ? {} : { threshold: rule.threshold }),
    ...(inst.reason === undefined ? {} : { reason: inst.reason }),
  };
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(rule.annotations)) annotations[k] = renderTemplate(v, data);
  return {
    rule: rule.name,
    fingerprint: inst.fp,
    labels,
    annotations,
    state: inst.state,
    value: inst.value,
    activeAt: inst.activeAt,
    firedAt: inst.firedAt,
    resolvedAt: inst.resolvedAt,
    ...(inst.reason === undefined ? {} : { reason: inst.reason }),
  };
}
