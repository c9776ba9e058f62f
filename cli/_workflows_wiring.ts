/**
 * What `serve` runs for workflows: the maintenance jobs (compaction with retention and rollups,
 * model refit, report, rule backtest), each in a child process of its own so a long job never
 * holds the server's event loop; the scheduler that runs them on their cron times (and the
 * workflows with a `schedule` trigger); and the workflow runner itself. Private to the commands.
 *
 * @module
 */
import { analyzeCapacity, lakeSource } from "../analytics/mod.ts";
import type { PerfscopeConfig } from "../config/mod.ts";
import { canonicalHost, type Lake } from "../lake/mod.ts";
import type { WorkflowsDeps } from "../web/mod.ts";
import {
  AuditLog,
  type MaintenanceJobs,
  type ScheduledJob,
  Scheduler,
  Workflows,
} from "../workflows/mod.ts";
import { runCliProcess } from "./_run_cli_process.ts";

const HERE = new URL(".", import.meta.url).pathname;

/**
 * Runs `deno run -A cli/<script> ...args` to its end.
 *
 * @param script File under cli/.
 * @param args Its arguments.
 * @param signal Stops it (SIGTERM).
 * @returns The last line of its stdout.
 * @throws {Error} With the last line of stderr when it exits non-zero.
 */
export async function runCliJob(
  script: string,
  args: string[],
  signal: AbortSignal,
): Promise<string> {
  const out = await runCliProcess(script, args, signal);
  const last = (bytes: Uint8Array) =>
    new TextDecoder().decode(bytes).split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean).at(-1);
  if (out.code !== 0) throw new Error(last(out.stderr) ?? `exit code ${out.code}`);
  return last(out.stdout) ?? "done";
}

/**
 * The maintenance jobs for a lake.
 *
 * @param root Lake root.
 * @param config The settings (retention, config file for the backtest).
 * @param configPath The config file, passed to the rule backtest.
 * @returns The jobs by name.
 */
export function maintenanceJobs(
  root: string,
  config: PerfscopeConfig,
  configPath?: string,
): MaintenanceJobs {
  const retention = `${config.lake?.retention ?? 30 * 86_400_000}ms`;
  return {
    compact: (signal) =>
      runCliJob("compact.ts", ["--data", root, "--retention", retention, "--skip-if-busy"], signal),
    train: (signal) => runCliJob("train.ts", ["--data", root, "--skip-if-busy"], signal),
    report: (signal) => runCliJob("report.ts", ["--data", root], signal),
    async backtest(signal) {
      const cli = `${HERE}alerts.ts`;
      try {
        await Deno.stat(cli);
      } catch {
        throw new Error("No rule backtest in this build (cli/alerts.ts is missing)");
      }
      if (!configPath) throw new Error("The rule backtest needs a config file with rules:");
      return await runCliJob("alerts.ts", [
        "backtest",
        "--config",
        configPath,
        "--data",
        root,
        "--since",
        "7d",
      ], signal);
    },
  };
}

/** What {@linkcode startWorkflows} started. */
export interface WorkflowsRuntime {
  workflows: Workflows | undefined;
  scheduler: Scheduler;
  /** For `createApp({ workflows })`. */
  deps: WorkflowsDeps;
  /** Stops the scheduler and the runner, waiting for running jobs. */
  stop(): Promise<void>;
}

/** Options of {@linkcode startWorkflows}. */
export interface StartWorkflowsOptions {
  root: string;
  config: PerfscopeConfig;
  configPath?: string;
  lake: Lake;
  /** Put compaction on the scheduler (`schedule.compact`, default hourly). Default true. */
  compact?: boolean;
  /** Clock. Default `Date.now`. */
  now?: () => number;
  log?: (line: string) => void;
}

/**
 * Creates the runner (when `workflows:` is set) and starts the scheduler with the maintenance jobs
 * of `schedule:` (compaction hourly by default), the workflows' own schedules, and, when a
 * workflow waits for a recommendation, the capacity recommendations every 15 minutes. Runs
 * missed while stopped run once at start (see workflows/scheduler.ts).
 *
 * @param options Root, config, lake.
 * @returns The runtime.
 */
export function startWorkflows(options: StartWorkflowsOptions): WorkflowsRuntime {
  const { root, config } = options;
  const now = options.now ?? Date.now;
  const jobs = maintenanceJobs(root, config, options.configPath);
  // the host name the collector writes (collect.host) is the one alerts carry in their labels,
  // stored in lower case as the lake stores it, so audit records name the host as queries do
  const host = canonicalHost(config.collect?.host ?? Deno.hostname());
  const audit = new AuditLog(root, { now, host });
  const workflows = config.workflows?.length
    ? new Workflows({
      root,
      workflows: config.workflows,
      actions: config.actions ?? [],
      jobs,
      audit,
      now,
      host,
      command: "deno task serve",
    })
    : undefined;
  const schedule = config.schedule ?? {};
  const scheduled: ScheduledJob[] = [];
  const compactCron = schedule.compact ?? (options.compact === false ? undefined : "0 * * * *");
  if (compactCron && options.compact !== false) {
    scheduled.push({ name: "compact", cron: compactCron, run: jobs.compact! });
  }
  for (const name of ["train", "report", "backtest"] as const) {
    const cron = schedule[name];
    if (cron) scheduled.push({ name, cron, run: jobs[name]! });
  }
  for (const w of config.workflows ?? []) {
    if (!("schedule" in w.trigger)) continue;
    const cron = w.trigger.schedule;
    scheduled.push({
      name: `workflow:${w.name}`,
      cron,
      run() {
        // this firing's outcome or decision (waiting for approval, skipped), not the last run's
        return workflows!.fire(w.name, {
          type: "schedule",
          why: `schedule ${cron}`,
          host: audit.host,
          at: now(),
          evidence: { cron },
        });
      },
    });
  }
  if (workflows && config.workflows!.some((w) => "recommendation" in w.trigger)) {
    scheduled.push({
      name: "recommendations",
      cron: "*/15 * * * *",
      async run() {
        const a = await analyzeCapacity(lakeSource(options.lake), { clock: now, charts: 0 });
        workflows.onRecommendations(a.recommendations);
        const n = a.recommendations.length;
        return `${n} recommendation${n === 1 ? "" : "s"}`;
      },
    });
  }
  const scheduler = new Scheduler({
    root,
    jobs: scheduled,
    now,
    audit,
    ...(schedule.timezone && { timezone: schedule.timezone }),
    ...(options.log && { log: options.log }),
  });
  workflows?.start();
  const caught = scheduler.start();
  caught.then((names) => {
    if (names.length) {
      (options.log ?? console.error)(
        `perfscope serve: catch-up run of ${names.join(", ")} (missed while stopped)`,
      );
    }
  });
  return {
    workflows,
    scheduler,
    deps: {
      ...(workflows && { workflows }),
      scheduler,
      ...(config.blackouts && { blackouts: config.blackouts }),
      ...(schedule.timezone && { timezone: schedule.timezone }),
    },
    async stop() {
      // both at once: a scheduled workflow's job (and a catch-up at start) waits for its run,
      // which only the runner's stop cuts; the scheduler first left serve waiting on the run's
      // command until the stop deadline exited it, the command left running
      const stopping = Promise.all([scheduler.stop(), workflows?.stop()]);
      await caught.catch(() => {});
      await stopping;
    },
  };
}
