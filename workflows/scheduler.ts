/**
 * The cron scheduler `serve` runs: maintenance jobs (compaction with retention and rollups, model
 * refit, reports, rule backtests) and workflows with a `schedule` trigger. Cron expressions are
 * read by `croner`; the clock is injected, and `tick()` does the work, so tests drive it without
 * waiting. Each job's last run, outcome and next run are kept in `DATA/schedule/state.json` and
 * every run is audited.
 *
 * Catch-up policy for runs missed while perfscope was stopped: at start, a job whose last
 * scheduled time passed since its last run runs **once**, right away (its audit record says it is
 * a catch-up); missed runs are never replayed one by one. A job that never ran before waits for
 * its next scheduled time. A run that was going when the process died shows outcome `unknown`.
 * Runs of one job never overlap: a time that comes while it still runs is skipped (audited).
 *
 * @module
 */
import { Cron } from "croner";
import { writeFileAtomic } from "../lake/mod.ts";
import type { AuditLog } from "./audit_log.ts";

/** A job: a name, a cron expression and what to run. */
export interface ScheduledJob {
  name: string;
  cron: string;
  /** Runs the job; resolves to a one-line summary, throws on failure. */
  run: (signal: AbortSignal) => Promise<string>;
}

/** A job's last run. */
export interface JobRun {
  /** Start (ms epoch). */
  at: number;
  outcome: "ok" | "failed" | "running" | "unknown";
  detail?: string;
  durationMs?: number;
  /** True when this run made up for runs missed while stopped. */
  catchUp?: boolean;
}

/** A job as `GET /api/schedule` shows it. */
export interface JobStatus {
  name: string;
  cron: string;
  running: boolean;
  lastRun: JobRun | null;
  /** Next scheduled start, ISO time (`null` when the expression has no more). */
  nextRun: string | null;
}

/** Options of {@linkcode Scheduler}. */
export interface SchedulerOptions {
  /** Lake root: state goes to `<root>/schedule/state.json`. */
  root: string;
  jobs: readonly ScheduledJob[];
  /** Clock in ms. Default `Date.now`. */
  now?: () => number;
  /** IANA time zone of the expressions. Default `UTC`. */
  timezone?: string;
  /** Where runs are audited. Default none. */
  audit?: AuditLog;
  /** Longest sleep between ticks, ms (a clock change is noticed within it). Default 60 000. */
  maxSleepMs?: number;
  /** Where one-line outcomes go. Default `console.error`. */
  log?: (line: string) => void;
}

/**
 * Runs jobs on their cron schedules.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Scheduler } from "./scheduler.ts";
 * let t = Date.UTC(2026, 0, 5, 12, 30);
 * const ran: number[] = [];
 * const s = new Scheduler({
 *   root: await Deno.makeTempDir(),
 *   now: () => t,
 *   jobs: [{ name: "hourly", cron: "0 * * * *", run: () => (ran.push(t), Promise.resolve("done")) }],
 * });
 * assert.equal(s.status()[0]!.nextRun, "2026-01-05T13:00:00.000Z");
 * t = Date.UTC(2026, 0, 5, 13, 0, 1);
 * await s.tick();
 * assert.equal(ran.length, 1);
 * assert.equal(s.status()[0]!.lastRun!.outcome, "ok");
 * ```
 */
export class Scheduler {
  #o: SchedulerOptions;
  #now: () => number;
  #crons = new Map<string, Cron>();
  #due = new Map<string, number>();
  #last: Record<string, JobRun> = {};
  #running = new Map<string, Promise<void>>();
  #stop = new AbortController();
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** @param options Jobs, root, clock, time zone, audit log. */
  constructor(options: SchedulerOptions) {
    this.#o = options;
    this.#now = options.now ?? Date.now;
    for (const job of options.jobs) {
      this.#crons.set(
        job.name,
        new Cron(job.cron, { paused: true, timezone: options.timezone ?? "UTC" }),
      );
    }
    try {
      this.#last = JSON.parse(Deno.readTextFileSync(this.#path)) as Record<string, JobRun>;
      for (const run of Object.values(this.#last)) {
        if (run.outcome === "running") run.outcome = "unknown";
      }
    } catch {
      // first start: no runs yet
    }
    const now = this.#now();
    for (const job of options.jobs) this.#due.set(job.name, this.#next(job.name, now));
  }

  get #path(): string {
    return `${this.#o.root}/schedule/state.json`;
  }

  #next(name: string, after: number): number {
    return this.#crons.get(name)!.nextRun(new Date(after))?.getTime() ?? Infinity;
  }

  #save(): void {
    Deno.mkdirSync(`${this.#o.root}/schedule`, { recursive: true });
    writeFileAtomic(this.#path, new TextEncoder().encode(JSON.stringify(this.#last)));
  }

  /**
   * Starts: runs the catch-up (see the module doc), then ticks on a timer until {@linkcode stop}.
   *
   * @returns The jobs that ran as a catch-up.
   */
  async start(): Promise<string[]> {
    const now = this.#now();
    const caught: string[] = [];
    for (const job of this.#o.jobs) {
      const last = this.#last[job.name];
      if (!last) continue;
      const prev = this.#crons.get(job.name)!.previousRuns(1, new Date(now))[0]?.getTime();
      if (prev !== undefined && prev > last.at) {
        caught.push(job.name);
        this.#launch(job, true, prev);
      }
    }
    await Promise.all(this.#running.values());
    this.#schedule();
    return caught;
  }

  #schedule(): void {
    if (this.#stop.signal.aborted) return;
    const next = Math.min(...this.#due.values());
    const wait = Math.max(0, Math.min(next - this.#now(), this.#o.maxSleepMs ?? 60_000));
    this.#timer = setTimeout(() => {
      // not awaited: a long job must not hold back the others' times
      void this.tick();
      this.#schedule();
    }, wait);
  }

  /**
   * Starts every job that is due at the clock's time and waits for them.
   *
   * @returns Once the started runs are over.
   */
  async tick(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    const now = this.#now();
    for (const job of this.#o.jobs) {
      const due = this.#due.get(job.name)!;
      if (due > now) continue;
      this.#due.set(job.name, this.#next(job.name, now));
      if (this.#running.has(job.name)) {
        this.#o.audit?.decide({
          workflow: `schedule:${job.name}`,
          who: "scheduler",
          what: `skipped ${job.name}: the previous run is still going`,
          why: `cron ${job.cron} due ${new Date(due).toISOString()}`,
          mode: "real",
          result: "skipped",
        });
        continue;
      }
      this.#launch(job, false, due);
    }
    await Promise.all(this.#running.values());
  }

  #launch(job: ScheduledJob, catchUp: boolean, due: number): void {
    const at = this.#now();
    const why = catchUp
      ? `catch-up: the run due ${new Date(due).toISOString()} was missed while stopped`
      : `cron ${job.cron} due ${new Date(due).toISOString()}`;
    this.#last[job.name] = { at, outcome: "running", ...(catchUp && { catchUp }) };
    this.#save();
    const id = this.#o.audit?.start({
      workflow: `schedule:${job.name}`,
      step: job.name,
      who: "scheduler",
      what: job.name,
      why,
      mode: "real",
    });
    const t0 = performance.now();
    const done = (async () => {
      let run: JobRun;
      try {
        const detail = await job.run(this.#stop.signal);
        run = { at, outcome: "ok", detail, durationMs: Math.round(performance.now() - t0) };
      } catch (error) {
        run = {
          at,
          outcome: "failed",
          detail: (error as Error).message.split("\n")[0]!,
          durationMs: Math.round(performance.now() - t0),
        };
      }
      if (catchUp) run.catchUp = true;
      this.#last[job.name] = run;
      this.#save();
      if (id) {
        this.#o.audit!.complete(id, {
          result: run.outcome === "ok" ? "ok" : "failed",
          durationMs: run.durationMs!,
          ...(run.detail && { detail: run.detail }),
        });
      }
      if (!this.#stop.signal.aborted) {
        (this.#o.log ?? ((l) => console.error(`perfscope serve: ${l}`)))(
          `${job.name}: ${run.outcome === "ok" ? "" : "failed: "}${run.detail ?? ""}`,
        );
      }
    })().finally(() => this.#running.delete(job.name));
    this.#running.set(job.name, done);
  }

  /** Each job's last run, outcome and next run. */
  status(): JobStatus[] {
    return this.#o.jobs.map((job) => {
      const due = this.#due.get(job.name)!;
      return {
        name: job.name,
        cron: job.cron,
        running: this.#running.has(job.name),
        lastRun: this.#last[job.name] ?? null,
        nextRun: Number.isFinite(due) ? new Date(due).toISOString() : null,
      };
    });
  }

  /** Stops ticking, aborts running jobs and waits for them. */
  async stop(): Promise<void> {
    this.#stop.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    await Promise.all(this.#running.values());
  }
}
