/**
 * The workflow runner: triggers (alert transitions, schedules, recommendations) → steps, with the
 * safety rules applied in order — dry run unless `enabled: true` (every action audited as
 * advice), approval, concurrency (skip or queue; one run of a workflow at a time, across
 * processes too: see run_lock.ts), stabilization window, actions per hour per host, backing off
 * when someone else changed a setting since our last write — and rollback of reversible actions.
 * Every decision and action goes to the audit log; the state that must survive a restart (what
 * we last wrote, when we acted, how to undo) is in `DATA/workflows/state.json`.
 *
 * @module
 */
import type { AlertTransition } from "../alerts/mod.ts";
import type { Recommendation } from "../analytics/mod.ts";
import type { WorkflowConfig } from "../config/mod.ts";
import { type HeldLock, sameHost, writeFileAtomic } from "../lake/mod.ts";
import { AuditLog, type AuditMode, type AuditRecord } from "./audit_log.ts";
import { planStep, type StepEnv } from "./plan_step.ts";
import {
  describeRun,
  type RunHolder,
  takeRunLock,
  waitRunLock,
  WorkflowBusyError,
} from "./run_lock.ts";
import { refusedPlan, type StepPlan, type TriggerEvent, type UndoRecord } from "./step_plan.ts";
import { undoAction } from "./undo_action.ts";

/** Options of {@linkcode Workflows}. */
export interface WorkflowsOptions extends StepEnv {
  /** Lake root: the audit log goes to `audit/`, the state to `workflows/state.json`. */
  root: string;
  /** The configured workflows. */
  workflows: readonly WorkflowConfig[];
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** This host's name (audit records, default trigger host). Default `Deno.hostname()`. */
  host?: string;
  /** The audit log. Default one under `root`. */
  audit?: AuditLog;
  /** How this process was started, as a run's lock file names it to a refused approval or a
   * skipped trigger elsewhere (`deno task serve`). Default `perfscope`. */
  command?: string;
}

/** An action waiting for approval. */
export interface PendingApproval {
  id: string;
  workflow: string;
  why: string;
  host: string;
  requestedAt: number;
  expiresAt: number;
}

/**
 * What became of an approval or a reversible action that is no longer open: a second Approve or
 * Roll back on it (two tabs, a list drawn before the first click landed) is told this.
 */
export interface AnsweredAction {
  workflow: string;
  /** `approved` or `expired` (an approval), `rolled-back` or `backed-off` (an action). */
  result: "approved" | "expired" | "rolled-back" | "backed-off";
  /** When (ms epoch). */
  at: number;
  /** Who answered (`approver:<who>`, `workflows` for an expiry, the rollback's caller). */
  who: string;
}

/** What an approval answers: the workflow, and what becomes of its run, known at once (the
 * stabilization window, the rate limit and whether the workflow is still enabled are read as the
 * run will read them). */
export interface ApprovedRun {
  workflow: string;
  /** False when the run will not act: its window or its rate limit skips it, or it is a dry run. */
  acts: boolean;
  /** In words: `it runs now`, `the run is skipped: stabilization window (no action on h1 before
   * …)`, `its actions are skipped: rate limit (6 in the last hour on h1, max 6)`, … */
  next: string;
}

/** Most answers {@linkcode Workflows.answered} remembers (the oldest are forgotten). */
const MAX_ANSWERED = 1000;

/** How far back {@linkcode Workflows.answered} reads the audit log for an earlier process's answers. */
const ANSWER_LOOKBACK = 30 * 86_400_000;

/** A workflow's state, as `GET /api/workflows` shows it. */
export interface WorkflowStatus {
  name: string;
  /** False: dry run (advice only). */
  enabled: boolean;
  trigger: WorkflowConfig["trigger"];
  running: boolean;
  queued: number;
  /** Real actions in the last hour, all hosts. */
  actionsLastHour: number;
  maxActionsPerHour: number;
  /** Until when the stabilization window holds (ms epoch; `null` when not). */
  stableUntil: number | null;
  lastRun: { at: number; outcome: string } | null;
  /** Actions of this workflow that can be rolled back (audit ids). */
  reversible: string[];
}

interface Persisted {
  written: Record<string, { value: string; at: number; workflow: string }>;
  actions: Record<string, number[]>;
  lastActionAt: Record<string, number>;
  pending?: Record<string, PendingApproval & { event: TriggerEvent }>;
  undo: Record<
    string,
    { workflow: string; what: string; at: number; undo: UndoRecord; key?: string }
  >;
  /** Rollbacks on resolve waiting for a run of their workflow to end, by workflow. */
  rollbacks?: Record<string, { why: string; at: number }>;
}

interface Runtime {
  running: boolean;
  queue: TriggerEvent[];
  lastRun: { at: number; outcome: string } | null;
}

const HOUR = 3_600_000;
const LOCAL = new Set(["renice", "cgroup", "sysctl", "command"]);
const QUEUE_MAX = 16;
/** Most approvals one workflow keeps waiting; more firings are audited as skipped. */
export const PENDING_MAX = 64;

/** The alert instance a trigger comes from (its fingerprint), if it is an alert. */
function instanceOf(event: TriggerEvent): string | undefined {
  // a schedule is one instance: an unanswered approval of `*/5 * * * *` added one every 5 minutes
  // (up to 64 to click through), each of which would run the same steps again
  if (event.type === "schedule") return `schedule@${event.host}`;
  const fp = (event.evidence as { fingerprint?: unknown } | null)?.fingerprint;
  return event.type === "alert" && typeof fp === "string" ? fp : undefined;
}

/** The audit fields every record of one run shares. */
interface RunBase {
  workflow: string;
  who: string;
  why: string;
  evidence: unknown;
  mode: AuditMode;
  host: string;
}

function runBase(w: WorkflowConfig, event: TriggerEvent, mode: AuditMode): RunBase {
  return {
    workflow: w.name,
    who: `workflow:${w.name}`,
    why: event.why,
    evidence: event.evidence,
    mode,
    host: event.host,
  };
}

/**
 * Runs workflows on triggers, within their safety rules, auditing every decision.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Workflows } from "./workflows.ts";
 * const root = await Deno.makeTempDir();
 * const sys = await Deno.makeTempDir();
 * await Deno.mkdir(`${sys}/vm`);
 * await Deno.writeTextFile(`${sys}/vm/swappiness`, "60\n");
 * const wf = new Workflows({
 *   root, procSys: sys, host: "h",
 *   workflows: [{ name: "w", trigger: { alert: "Swap" }, steps: [{ kind: "sysctl", key: "vm.swappiness", value: "10" }] }],
 * });
 * await wf.fire("w", { type: "manual", why: "test", host: "h", at: Date.now(), evidence: null });
 * assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n"); // dry run by default
 * assert.equal((await wf.audit.read())[0]!.outcome, "advice");
 * ```
 */
export class Workflows {
  readonly audit: AuditLog;
  #o: WorkflowsOptions;
  #now: () => number;
  #host: string;
  #byName = new Map<string, WorkflowConfig>();
  #rt = new Map<string, Runtime>();
  #state: Persisted = { written: {}, actions: {}, lastActionAt: {}, undo: {} };
  #pending = new Map<string, PendingApproval & { event: TriggerEvent }>();
  #seenRecs = new Set<string>();
  // since this process started, bounded: the audit log is the record that lasts
  #answered = new Map<string, AnsweredAction>();
  // answers of earlier processes, read from the audit log once, on the first miss
  #logged: Promise<Map<string, AnsweredAction>> | undefined;
  #inflight = new Set<Promise<void>>();
  // the workflows whose rollback on resolve goes (waiting for the run lock or undoing)
  #rollingBack = new Set<string>();
  #stop = new AbortController();
  #timer: ReturnType<typeof setInterval> | undefined;

  /** @param options Root, workflows, clock, host, step environment. */
  constructor(options: WorkflowsOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    this.#host = options.host ?? Deno.hostname();
    this.audit = options.audit ?? new AuditLog(options.root, { now: this.#now, host: this.#host });
    for (const w of options.workflows) {
      this.#byName.set(w.name, w);
      this.#rt.set(w.name, { running: false, queue: [], lastRun: null });
    }
    try {
      const text = Deno.readTextFileSync(this.#statePath);
      this.#state = { ...this.#state, ...JSON.parse(text) as Partial<Persisted> };
    } catch {
      // first start (or an unreadable state): nothing written yet, nothing to back off from
    }
    // approvals wait across a restart (and expire on time, audited)
    for (const [id, p] of Object.entries(this.#state.pending ?? {})) {
      if (this.#byName.has(p.workflow)) this.#pending.set(id, p);
    }
  }

  get #statePath(): string {
    return `${this.#o.root}/workflows/state.json`;
  }

  #save(): void {
    this.#state.pending = Object.fromEntries(this.#pending);
    Deno.mkdirSync(`${this.#o.root}/workflows`, { recursive: true });
    writeFileAtomic(this.#statePath, new TextEncoder().encode(JSON.stringify(this.#state)));
  }

  /** Starts the approval expiry sweep (every 10 s), and the rollbacks on resolve an earlier
   * process stopped while they waited for a run. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.sweep(), 10_000);
    this.#resumeRollbacks();
  }

  /** Stops the sweep, aborts running steps and waits for them. */
  async stop(): Promise<void> {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stop.abort();
    await this.idle();
  }

  /** Resolves once no workflow runs (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  /**
   * Starts the workflows an alert transition triggers (`trigger.alert` and `on`, default
   * firing), and rolls back where `rollback_on_resolve` asks. Never blocks: runs are async.
   *
   * @param transitions The engine's transitions.
   */
  onAlerts(transitions: readonly AlertTransition[]): void {
    this.sweep();
    for (const t of transitions) {
      const host = t.instance.labels.host ?? this.#host;
      for (const w of this.#byName.values()) {
        if (!("alert" in w.trigger) || w.trigger.alert !== t.instance.rule) continue;
        const on = w.trigger.on ?? "firing";
        if (t.to === "resolved" && on === "firing" && w.rollback_on_resolve) {
          this.#track(
            this.#rollbackWorkflow(w.name, `alert ${t.instance.rule} resolved on ${host}`),
          );
        }
        if (t.to !== on) continue;
        this.#trigger(w, {
          type: "alert",
          why: `alert ${t.instance.rule} ${t.to} on ${host} (value ${t.instance.value})`,
          host,
          at: t.at,
          evidence: t.instance,
        });
      }
    }
  }

  /**
   * Starts the workflows a recommendation triggers (`trigger.recommendation` = its rule), once
   * per appearance: a recommendation still present next time does not trigger again.
   *
   * @param list The current recommendations.
   */
  onRecommendations(list: readonly Recommendation[]): void {
    const now = new Set(list.map((r) => r.id));
    for (const r of list) {
      if (this.#seenRecs.has(r.id)) continue;
      for (const w of this.#byName.values()) {
        if (!("recommendation" in w.trigger) || w.trigger.recommendation !== r.rule) continue;
        this.#trigger(w, {
          type: "recommendation",
          why: `recommendation ${r.id}: ${r.title}`,
          host: r.host,
          at: this.#now(),
          evidence: r,
        });
      }
    }
    this.#seenRecs = now;
  }

  /**
   * Triggers one workflow by name (schedules and tests), through the same safety rules.
   *
   * @param name The workflow.
   * @param event The trigger.
   * @returns Once this trigger's run (if any) is over: what this trigger did, in words (the run's
   *   outcome, or the decision when nothing ran, e.g. `waiting for approval to run renice`).
   * @throws {RangeError} For an unknown workflow.
   */
  async fire(name: string, event: TriggerEvent): Promise<string> {
    const w = this.#byName.get(name);
    if (!w) throw new RangeError(`Unknown workflow ${name}`);
    const rt = this.#rt.get(name)!;
    const before = rt.lastRun;
    const decided = this.#trigger(w, event);
    await this.idle();
    // the scheduler's Schedule table showed the previous run's outcome ("skipped") for a firing
    // that only added an approval: answer for this trigger
    if (decided !== undefined) return decided;
    return rt.lastRun !== before && rt.lastRun ? rt.lastRun.outcome : "done";
  }

  #track(p: Promise<void>): void {
    const done = p.catch((error) => {
      console.error(`perfscope workflows: ${(error as Error).message}`);
    }).finally(() => this.#inflight.delete(done));
    this.#inflight.add(done);
  }

  #mode(w: WorkflowConfig): AuditMode {
    return w.enabled ? "real" : "dry-run";
  }

  /** Starts a run, or decides not to now; returns that decision in words, `undefined` on a run. */
  #trigger(w: WorkflowConfig, event: TriggerEvent): string | undefined {
    const rt = this.#rt.get(w.name)!;
    const base = runBase(w, event, this.#mode(w));
    if (rt.running) {
      if ((w.concurrency ?? "skip") === "queue" && rt.queue.length < QUEUE_MAX) {
        rt.queue.push(event);
        return this.#decided({
          ...base,
          what: "queued behind the run in progress",
          result: "skipped",
          detail: "concurrency: queue",
        });
      }
      return this.#decided({
        ...base,
        what: "skipped: the previous run is still going",
        result: "skipped",
        detail: `concurrency: ${w.concurrency ?? "skip"}`,
      });
    }
    if (w.enabled && w.approval) {
      // one approval per alert instance, and a bound on all: an alert on many (pushed) series
      // or a flapping one added one per firing, each rewriting the whole state file
      this.sweep();
      const waiting = [...this.#pending.values()].filter((p) => p.workflow === w.name);
      const instance = instanceOf(event);
      const same = instance === undefined
        ? undefined
        : waiting.find((p) => instanceOf(p.event) === instance);
      if (same) {
        return this.#decided({
          ...base,
          what: `skipped: approval ${same.id} for this ${
            event.type === "schedule" ? "schedule" : "alert"
          } already waits`,
          result: "skipped",
        });
      }
      if (waiting.length >= PENDING_MAX) {
        return this.#decided({
          ...base,
          what: `skipped: ${waiting.length} approvals of this workflow already wait`,
          result: "skipped",
          detail: `at most ${PENDING_MAX} wait at once; answer or let them expire`,
        });
      }
      const what = `waiting for approval to run ${w.steps.map((s) => s.kind).join(", ")}`;
      const id = this.audit.decide({ ...base, what, result: "awaiting-approval" });
      const at = this.#now();
      this.#pending.set(id, {
        id,
        workflow: w.name,
        why: event.why,
        host: event.host,
        requestedAt: at,
        expiresAt: at + (w.approval_expires ?? HOUR),
        event,
      });
      this.#save();
      return what;
    }
    return this.#start(w, event);
  }

  /**
   * Takes the workflow's run lock and starts the run; when a run of it goes in another process
   * (two `serve` on one data directory, each with the scheduler and the alerts), audits the skip
   * and returns its words instead. A `queue` workflow skips too: a queue here would need this
   * process to wait on another's run.
   */
  #start(w: WorkflowConfig, event: TriggerEvent): string | undefined {
    const base = runBase(w, event, this.#mode(w));
    let lock: ReturnType<typeof takeRunLock>;
    try {
      lock = this.#takeRun(w, event);
    } catch (error) {
      // without the lock, no run: one at a time is not known to hold
      return this.#decided({
        ...base,
        what: "refused: cannot take the run lock",
        result: "refused",
        detail: (error as Error).message.split("\n")[0]!,
      });
    }
    if ("busy" in lock) {
      return this.#decided({
        ...base,
        what: `skipped: ${describeRun(lock.busy)} is still going`,
        result: "skipped",
        detail: "one run of a workflow at a time",
      });
    }
    this.#track(this.#run(w, event, lock.held));
    return undefined;
  }

  /** The workflow's run lock for a run of `event` starting now (see run_lock.ts). */
  #takeRun(w: WorkflowConfig, event: TriggerEvent): ReturnType<typeof takeRunLock> {
    return takeRunLock(this.#o.root, this.#runHolder(w.name, event.why));
  }

  /** This process as the holder of a workflow's run lock from now, for `why`. */
  #runHolder(workflow: string, why: string): RunHolder {
    return {
      pid: Deno.pid,
      // the machine, as a reader of the lock file compares it (this.#host may be collect.host)
      hostname: Deno.hostname(),
      command: this.#o.command ?? "perfscope",
      started: this.#now(),
      workflow,
      why,
    };
  }

  /** Audits a decision not to run now; returns its words. */
  #decided(record: Parameters<AuditLog["decide"]>[0]): string {
    this.audit.decide(record);
    return record.what;
  }

  /** Pending approvals, oldest first. */
  pending(): PendingApproval[] {
    this.sweep();
    return [...this.#pending.values()].map(({ event: _e, ...p }) => p);
  }

  /** Expires approvals past their time (audited as `expired`). */
  sweep(): void {
    const now = this.#now();
    for (const [id, p] of this.#pending) {
      if (p.expiresAt > now) continue;
      this.#pending.delete(id);
      this.#answer(id, { workflow: p.workflow, result: "expired", at: now, who: "workflows" });
      this.#save();
      this.audit.decide({
        workflow: p.workflow,
        who: "workflows",
        what: `approval ${id} expired unanswered`,
        why: p.why,
        mode: "real",
        result: "expired",
        host: p.host,
      });
    }
  }

  /**
   * Approves a pending action: the workflow runs now, still within its limits (its stabilization
   * window and rate limit may skip it; the answer says so). While a run of the workflow goes, in
   * this process or another, the approval is refused and keeps waiting.
   *
   * @param id The approval's id (from {@linkcode Workflows.pending}).
   * @param who Who approved (audited).
   * @returns The workflow and what becomes of its run, or `undefined` when no such approval is
   *   pending (expired).
   * @throws {WorkflowBusyError} While a run of the workflow goes (the message names it and when
   *   it started); the approval is left as it was.
   */
  approve(id: string, who: string): ApprovedRun | undefined {
    this.sweep();
    const p = this.#pending.get(id);
    if (!p) return undefined;
    const w = this.#byName.get(p.workflow)!;
    // Refused rather than kept for after the run: an approval is given for what the approver saw
    // before the running one acted, which may be what that run just dealt with (the same process
    // reniced twice), so they decide again. Nothing is lost: the approval waits on until it
    // expires. And a run kept for after one going in another process would need this one to
    // watch that process's lock.
    const lock = this.#takeRun(w, p.event);
    if ("busy" in lock) {
      throw new WorkflowBusyError(
        w.name,
        lock.busy,
        `approval ${id} still waits: approve it again once that run ends`,
      );
    }
    try {
      return this.#approved(w, p, who, lock.held);
    } catch (error) {
      lock.held.release();
      throw error;
    }
  }

  /** Answers an approval whose run holds the lock, and starts the run. */
  #approved(
    w: WorkflowConfig,
    p: PendingApproval & { event: TriggerEvent },
    who: string,
    lock: HeldLock,
  ): ApprovedRun {
    const id = p.id;
    this.#pending.delete(id);
    this.#answer(id, {
      workflow: p.workflow,
      result: "approved",
      at: this.#now(),
      who: `approver:${who}`,
    });
    this.#save();
    this.audit.decide({
      workflow: w.name,
      who: `approver:${who}`,
      what: `approved ${id}`,
      why: p.why,
      evidence: p.event.evidence,
      mode: "real",
      result: "approved",
      host: p.host,
    });
    const outlook = this.#runOutlook(w, p.event.host);
    this.#track(this.#run(w, p.event, lock));
    return { workflow: w.name, ...outlook };
  }

  /** What a run of the workflow for the host started now will do, as far as it is known before
   * its steps are planned: the same window and rate limit as {@linkcode Workflows.#steps} and
   * {@linkcode Workflows.#act} read. */
  #runOutlook(w: WorkflowConfig, host: string): { acts: boolean; next: string } {
    if (this.#mode(w) !== "real") {
      return {
        acts: false,
        next: "it runs as a dry run (advice only): the workflow is not enabled",
      };
    }
    const key = `${w.name}@${host}`;
    const now = this.#now();
    const stableUntil = this.#stableUntil(w, key);
    if (now < stableUntil) {
      return {
        acts: false,
        next: `the run is skipped: stabilization window (no action on ${host} before ${
          new Date(stableUntil).toISOString()
        })`,
      };
    }
    const recent = this.#recentActions(key, now).length;
    const max = maxActionsPerHour(w);
    if (recent >= max) {
      return {
        acts: false,
        next:
          `its actions are skipped: rate limit (${recent} in the last hour on ${host}, max ${max})`,
      };
    }
    return { acts: true, next: "it runs now" };
  }

  /** The end of the workflow's stabilization window on a host (`-Infinity` before any action). */
  #stableUntil(w: WorkflowConfig, key: string): number {
    return (this.#state.lastActionAt[key] ?? -Infinity) + (w.stabilization ?? 300_000);
  }

  /** The workflow's actions on a host in the hour before `now`. */
  #recentActions(key: string, now: number): number[] {
    return (this.#state.actions[key] ?? []).filter((t) => t > now - HOUR);
  }

  /**
   * What became of an approval or a reversible action that is no longer open (approved, expired,
   * rolled back or backed off): from this process's memory, else from the audit log of the last
   * 30 days (read once, on the first miss), so a repeated click after a restart gets the same
   * answer.
   *
   * @param id The approval's or the action's id.
   * @returns The answer, or `undefined` when neither knows of one.
   */
  async answered(id: string): Promise<AnsweredAction | undefined> {
    const known = this.#answered.get(id);
    if (known) return known;
    this.#logged ??= this.#readAnswers();
    return (await this.#logged).get(id);
  }

  #answer(id: string, answer: AnsweredAction): void {
    this.#answered.set(id, answer);
    if (this.#answered.size > MAX_ANSWERED) {
      this.#answered.delete(this.#answered.keys().next().value!);
    }
  }

  /** The answers the audit log records (the newest {@linkcode MAX_ANSWERED}). */
  async #readAnswers(): Promise<Map<string, AnsweredAction>> {
    let records;
    try {
      records = await this.audit.records({ since: this.#now() - ANSWER_LOOKBACK });
    } catch {
      // unreadable now: answer from memory only and try again on the next miss
      this.#logged = undefined;
      return new Map();
    }
    const out = new Map<string, AnsweredAction>();
    for (const r of records) {
      const found = answerOf(r);
      if (!found) continue;
      out.delete(found.id);
      out.set(found.id, found.answer);
      if (out.size > MAX_ANSWERED) out.delete(out.keys().next().value!);
    }
    return out;
  }

  /** Runs the steps holding the workflow's run lock, then the next queued trigger (its own). */
  async #run(w: WorkflowConfig, event: TriggerEvent, lock: HeldLock): Promise<void> {
    const rt = this.#rt.get(w.name)!;
    rt.running = true;
    let outcome = "ok";
    try {
      outcome = await this.#steps(w, event);
    } finally {
      rt.running = false;
      rt.lastRun = { at: this.#now(), outcome };
      lock.release();
    }
    // the lock is taken again, so the lock file names the run that goes
    const next = rt.queue.shift();
    if (next) this.#start(w, next);
  }

  /** Runs the steps; resolves to the run's outcome in a word. */
  async #steps(w: WorkflowConfig, event: TriggerEvent): Promise<string> {
    const mode = this.#mode(w);
    const base = runBase(w, event, mode);
    const key = `${w.name}@${event.host}`;
    const now = this.#now();
    if (mode === "real") {
      const stableUntil = this.#stableUntil(w, key);
      if (now < stableUntil) {
        this.audit.decide({
          ...base,
          what: "skipped: stabilization window",
          result: "skipped",
          detail: `no action before ${new Date(stableUntil).toISOString()}`,
        });
        return "skipped";
      }
    }
    let acted = false;
    // what this run changed so far, in words with how to undo it
    const applied: string[] = [];
    try {
      for (const step of w.steps) {
        // renice, cgroup, sysctl and commands act on this machine: never for another host's alert
        // alerts carry the host as the lake stores it (lower case); the machine's name may not be
        const plans = LOCAL.has(step.kind) && !sameHost(event.host, this.#host)
          ? [
            refusedPlan(
              step.kind,
              `${step.kind} on ${this.#host}`,
              `The trigger is about host ${event.host}, this is ${this.#host}: local steps act only on their own host`,
            ),
          ]
          : await planStep(step, event, w.name, this.#o);
        for (const plan of plans) {
          const r = await this.#act(w, plan, base, key, applied);
          if (r === "acted") acted = true;
          if (r === "stop") {
            // what ran before the failure stays: say so, and how to undo it, once per run
            if (applied.length) {
              this.audit.decide({
                ...base,
                what: `run stopped at its ${step.kind} step (${
                  w.steps.indexOf(step) + 1
                } of ${w.steps.length}); left in place: ${applied.join("; ")}`,
                result: "failed",
                detail: "earlier steps are not undone by a later step's failure",
              });
            }
            return "stopped";
          }
        }
      }
      return mode === "real" ? "ok" : "advice";
    } finally {
      if (acted) {
        this.#state.lastActionAt[key] = this.#now();
        this.#save();
      }
    }
  }

  async #act(
    w: WorkflowConfig,
    plan: StepPlan,
    base: RunBase,
    key: string,
    applied: string[] = [],
  ): Promise<"acted" | "next" | "stop"> {
    const rec = { ...base, step: plan.kind, what: plan.what, old: plan.old, new: plan.new };
    if (plan.refused) {
      this.audit.decide({ ...rec, result: "refused", detail: plan.refused });
      return "stop";
    }
    if (plan.noop) {
      this.audit.decide({ ...rec, result: "skipped", detail: plan.noop });
      return "next";
    }
    const last = plan.key ? this.#state.written[plan.key] : undefined;
    if (last && plan.old !== last.value) {
      this.audit.decide({
        ...rec,
        result: "backed-off",
        detail:
          `Changed by someone else since our last change: we wrote ${last.value}, it is ${plan.old} now; leaving it`,
      });
      return "stop";
    }
    if (base.mode === "dry-run") {
      this.audit.decide({ ...rec, result: "advice", detail: "dry run: set enabled: true to act" });
      return "next";
    }
    const now = this.#now();
    const recent = this.#recentActions(key, now);
    const max = maxActionsPerHour(w);
    if (recent.length >= max) {
      this.audit.decide({
        ...rec,
        result: "skipped",
        detail:
          `Rate limit: ${recent.length} actions in the last hour on ${base.host} (max ${max})`,
      });
      return "stop";
    }
    const id = this.audit.start(rec);
    const t0 = performance.now();
    this.#state.actions[key] = [...recent, now];
    try {
      const detail = await plan.apply(this.#stop.signal);
      if (plan.key && plan.new !== null) {
        this.#state.written[plan.key] = { value: plan.new, at: this.#now(), workflow: w.name };
      }
      if (plan.undo) {
        this.#state.undo[id] = {
          workflow: w.name,
          what: plan.what,
          at: now,
          undo: plan.undo,
          ...(plan.key && { key: plan.key }),
        };
      }
      this.audit.complete(id, {
        result: "ok",
        durationMs: Math.round(performance.now() - t0),
        ...(detail && { detail }),
      });
      applied.push(`${plan.what} (${plan.undo ? `roll back: ${id}` : "not reversible"})`);
      return "acted";
    } catch (error) {
      this.audit.complete(id, {
        result: "failed",
        durationMs: Math.round(performance.now() - t0),
        detail: (error as Error).message.split("\n")[0]!,
      });
      return "stop";
    } finally {
      this.#save();
    }
  }

  /**
   * Rolls back one reversible action (sysctl, cgroup, renice) by its audit id, unless someone
   * changed the value since (then it backs off and says so).
   *
   * @param id The action's audit id.
   * @param who Who asked (audited).
   * @returns The outcome: `rolled-back`, `backed-off`, `failed`, or `undefined` for no such action.
   * @throws {WorkflowBusyError} While a run of the action's workflow goes, in this process or
   *   another (a rollback beside it would undo a change while it is being made); the action stays
   *   reversible.
   */
  async rollback(id: string, who = "workflows"): Promise<string | undefined> {
    const u = this.#state.undo[id];
    if (!u) return undefined;
    const lock = takeRunLock(this.#o.root, this.#runHolder(u.workflow, `rollback of ${id}`));
    if ("busy" in lock) {
      throw new WorkflowBusyError(
        u.workflow,
        lock.busy,
        `${id} is not rolled back: roll it back again once that run ends`,
      );
    }
    try {
      return await this.#undo(id, who);
    } finally {
      lock.held.release();
    }
  }

  /** Rolls back one action; the caller holds its workflow's run lock. */
  async #undo(id: string, who: string): Promise<string | undefined> {
    const u = this.#state.undo[id];
    if (!u) return undefined;
    const rec = {
      workflow: u.workflow,
      who,
      why: `rollback of ${id}`,
      mode: "real" as const,
      host: this.#host,
      step: "rollback",
      what: `undo: ${u.what}`,
    };
    const tid = this.audit.start(rec);
    const t0 = performance.now();
    let result: "rolled-back" | "backed-off" | "failed";
    let detail: string;
    try {
      detail = await undoAction(u.undo, this.#o.procRoot);
      result = detail.startsWith("Changed by someone else") ? "backed-off" : "rolled-back";
    } catch (error) {
      result = "failed";
      detail = (error as Error).message.split("\n")[0]!;
    }
    this.audit.complete(tid, { result, detail, durationMs: Math.round(performance.now() - t0) });
    if (result !== "failed") {
      delete this.#state.undo[id];
      this.#answer(id, { workflow: u.workflow, result, at: this.#now(), who });
      // what we wrote last is now the old value again (or, backed off, stays ours to compare)
      if (result === "rolled-back" && u.key) {
        const value = u.undo.kind === "file" ? u.undo.value : String(u.undo.nice);
        this.#state.written[u.key] = { value, at: this.#now(), workflow: u.workflow };
      }
      this.#save();
    }
    return result;
  }

  /**
   * Rolls back a workflow's reversible actions, newest first, holding its run lock: while a run of
   * it goes (in this process or another) the rollback waits for it (audited as `waiting`) and
   * then undoes what is reversible by then, that run's actions included. Skipping it instead
   * would leave the change in place with nothing to retry it (the alert resolved once); running
   * it beside the run would undo a change while it is being made. A wait is kept in the state
   * file, so a stop or a crash meanwhile leaves it to the next {@linkcode Workflows.start}.
   */
  async #rollbackWorkflow(name: string, why: string): Promise<void> {
    // one at a time per workflow: the one going undoes all that is reversible when it gets the
    // lock, so a second resolve meanwhile has nothing more to ask
    if (this.#rollingBack.has(name)) return;
    this.#rollingBack.add(name);
    try {
      await this.#rollbackHolding(name, why);
    } finally {
      this.#rollingBack.delete(name);
    }
  }

  async #rollbackHolding(name: string, why: string): Promise<void> {
    const ids = () =>
      Object.entries(this.#state.undo).filter(([, u]) => u.workflow === name)
        .sort((a, b) => b[1].at - a[1].at).map(([id]) => id);
    // nothing of ours to undo and no run of ours that could add some: nothing to wait for
    if (!ids().length && !this.#rt.get(name)?.running) return this.#rollbackDone(name);
    const who = `workflow:${name} (alert resolved)`;
    const base = { workflow: name, who, why, mode: "real" as const, host: this.#host };
    let busy: { run: RunHolder | undefined } | undefined;
    let lock;
    try {
      lock = await waitRunLock(this.#o.root, () => this.#runHolder(name, `rollback on ${why}`), {
        signal: this.#stop.signal,
        onBusy: (run) => {
          busy = { run };
          (this.#state.rollbacks ??= {})[name] = { why, at: this.#now() };
          this.#save();
          this.audit.decide({
            ...base,
            what: `rollback waits: ${describeRun(run)} is still going`,
            result: "waiting",
            detail: "it rolls back once that run ends",
          });
        },
      });
    } catch (error) {
      this.#rollbackDone(name);
      this.audit.decide({
        ...base,
        what: "rollback refused: cannot take the run lock",
        result: "refused",
        detail: `${(error as Error).message.split("\n")[0]}; still reversible: ${ids().join(", ")}`,
      });
      return;
    }
    if (!lock) {
      // stopped: the wait stays in the state file for the next start
      this.audit.decide({
        ...base,
        what: `rollback not done yet: perfscope stopped while ${describeRun(busy?.run)} went`,
        result: "waiting",
        detail: `it rolls back when perfscope starts again; until then reversible by hand: ${
          ids().join(", ") || "none"
        }`,
      });
      return;
    }
    try {
      const todo = ids();
      if (!todo.length && busy) {
        this.audit.decide({
          ...base,
          what: "rollback done: nothing left to roll back after that run",
          result: "skipped",
        });
      }
      for (const id of todo) await this.#undo(id, who);
    } finally {
      lock.release();
      this.#rollbackDone(name);
    }
  }

  /** Forgets a kept wait of a rollback on resolve, if any. */
  #rollbackDone(name: string): void {
    if (!this.#state.rollbacks?.[name]) return;
    delete this.#state.rollbacks[name];
    this.#save();
  }

  /** Takes up the rollbacks on resolve that an earlier process left waiting (stopped, crashed). */
  #resumeRollbacks(): void {
    for (const [name, r] of Object.entries(this.#state.rollbacks ?? {})) {
      if (this.#byName.get(name)?.rollback_on_resolve) {
        this.#track(this.#rollbackWorkflow(name, r.why));
        continue;
      }
      this.#rollbackDone(name);
      const left = Object.entries(this.#state.undo).filter(([, u]) => u.workflow === name);
      this.audit.decide({
        workflow: name,
        who: "workflows",
        what: "rollback dropped: the workflow no longer rolls back on resolve",
        why: r.why,
        mode: "real",
        result: "skipped",
        host: this.#host,
        detail: `reversible by hand: ${left.map(([id]) => id).join(", ") || "none"}`,
      });
    }
  }

  /** Each workflow's state. */
  states(): WorkflowStatus[] {
    const now = this.#now();
    return [...this.#byName.values()].map((w) => {
      const rt = this.#rt.get(w.name)!;
      const keys = Object.keys(this.#state.actions).filter((k) => k.startsWith(`${w.name}@`));
      const last = Math.max(
        -Infinity,
        ...keys.map((k) => this.#state.lastActionAt[k] ?? -Infinity),
      );
      const until = last + (w.stabilization ?? 300_000);
      return {
        name: w.name,
        enabled: w.enabled ?? false,
        trigger: w.trigger,
        running: rt.running,
        queued: rt.queue.length,
        actionsLastHour: keys.reduce(
          (a, k) => a + this.#state.actions[k]!.filter((t) => t > now - HOUR).length,
          0,
        ),
        maxActionsPerHour: w.max_actions_per_hour ?? 6,
        stableUntil: until > now ? until : null,
        lastRun: rt.lastRun,
        reversible: Object.entries(this.#state.undo).filter(([, u]) => u.workflow === w.name).map((
          [id],
        ) => id),
      };
    });
  }
}

/** The answer one audit record gives, by the words {@linkcode Workflows} writes. */
function answerOf(r: AuditRecord): { id: string; answer: AnsweredAction } | undefined {
  const base = { workflow: r.workflow, at: r.ts, who: r.who };
  if (r.phase === "decision" && r.result === "approved") {
    const m = /^approved (\S+)$/.exec(r.what);
    if (m) return { id: m[1]!, answer: { ...base, result: "approved" } };
  } else if (r.phase === "decision" && r.result === "expired") {
    const m = /^approval (\S+) expired unanswered$/.exec(r.what);
    if (m) return { id: m[1]!, answer: { ...base, result: "expired" } };
  } else if (
    r.phase === "completed" && r.step === "rollback" &&
    (r.result === "rolled-back" || r.result === "backed-off")
  ) {
    const m = /^rollback of (\S+)$/.exec(r.why);
    if (m) return { id: m[1]!, answer: { ...base, result: r.result } };
  }
  return undefined;
}

/** The workflow's rate limit: actions per host in an hour (default 6), read by the run and by an
 * approval's answer alike. */
function maxActionsPerHour(w: WorkflowConfig): number {
  return w.max_actions_per_hour ?? 6;
}
