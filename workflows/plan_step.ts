/**
 * Turns a configured step into plans: webhook, allowlisted command, the built-in remediations
 * (renice, cgroup, sysctl) and the maintenance jobs (compact, train, report, backtest), which
 * `serve` supplies since they live in the commands above this folder.
 *
 * @module
 */
import { type ActionConfig, formatDuration, type StepConfig } from "../config/mod.ts";
import { parseSize, planCgroup } from "./plan_cgroup.ts";
import { planRenice } from "./plan_renice.ts";
import { planSysctl } from "./plan_sysctl.ts";
import { runCommand } from "./run_command.ts";
import { refusedPlan, type StepPlan, type TriggerEvent } from "./step_plan.ts";

/** A maintenance job: runs to the end, resolves to a one-line summary, throws on failure. */
export type MaintenanceJob = (signal: AbortSignal) => Promise<string>;

/** The maintenance jobs by name. */
export type MaintenanceJobs = Partial<
  Record<"compact" | "train" | "report" | "backtest", MaintenanceJob>
>;

/** What the steps act with; every effect's root is injectable for tests. */
export interface StepEnv {
  /** The `actions:` allowlist. Default none (every command refused). */
  actions?: readonly ActionConfig[];
  /** Maintenance jobs. Default none (those steps are refused). */
  jobs?: MaintenanceJobs;
  /** cgroup v2 mount. Default `/sys/fs/cgroup`. */
  cgroupRoot?: string;
  /** `/proc`. Default `/proc`. */
  procRoot?: string;
  /** `/proc/sys`. Default `/proc/sys`. */
  procSys?: string;
  /** The process renice must never touch (perfscope). Default `Deno.pid`. */
  selfPid?: number;
}

/**
 * Plans one step.
 *
 * @param step The configured step.
 * @param trigger What the workflow runs for (the webhook body carries it).
 * @param workflow The workflow's name.
 * @param env Allowlist, jobs and roots.
 * @returns One plan, or one per process for `renice`.
 */
export async function planStep(
  step: StepConfig,
  trigger: TriggerEvent,
  workflow: string,
  env: StepEnv = {},
): Promise<StepPlan[]> {
  switch (step.kind) {
    case "webhook":
      return [webhookPlan(step.url, step.timeout ?? 10_000, trigger, workflow)];
    case "command": {
      const action = env.actions?.find((a) => a.name === step.action);
      if (!action) {
        return [
          refusedPlan(
            "command",
            `command ${step.action}`,
            `Action "${step.action}" is not in the allowlist (actions:)`,
          ),
        ];
      }
      return [commandPlan(action)];
    }
    case "renice":
      return await planRenice({
        process: step.process,
        nice: step.nice,
        ...(step.ionice && { ionice: step.ionice }),
        ...(env.procRoot && { procRoot: env.procRoot }),
        ...(env.selfPid !== undefined && { selfPid: env.selfPid }),
      });
    case "cgroup":
      return [
        await planCgroup({
          unit: step.unit,
          resource: step.resource,
          target: parseSize(step.target),
          ...(step.step !== undefined && { step: step.step }),
          ...(step.max_pressure !== undefined && { maxPressure: step.max_pressure }),
          ...(env.cgroupRoot && { cgroupRoot: env.cgroupRoot }),
        }),
      ];
    case "sysctl":
      return [await planSysctl(step.key, step.value, env.procSys)];
    default: {
      const job = env.jobs?.[step.kind];
      if (!job) return [refusedPlan(step.kind, step.kind, `No ${step.kind} job in this process`)];
      return [{
        kind: step.kind,
        what: `${step.kind} (maintenance)`,
        old: null,
        new: null,
        apply: (signal) => job(signal),
      }];
    }
  }
}

function webhookPlan(
  url: string,
  timeoutMs: number,
  trigger: TriggerEvent,
  workflow: string,
): StepPlan {
  return {
    kind: "webhook",
    what: `POST ${url}`,
    old: null,
    new: null,
    async apply(signal) {
      const body = JSON.stringify({
        workflow,
        trigger: {
          type: trigger.type,
          why: trigger.why,
          host: trigger.host,
          at: new Date(trigger.at).toISOString(),
        },
        evidence: trigger.evidence,
      });
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.body?.cancel();
      if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}`);
      return `HTTP ${res.status}`;
    },
  };
}

function commandPlan(action: ActionConfig): StepPlan {
  const timeoutMs = action.timeout ?? 30_000;
  return {
    kind: "command",
    what: `command ${action.name}: ${JSON.stringify(action.argv)}`,
    old: null,
    new: null,
    async apply(signal) {
      const r = await runCommand(action.argv, {
        timeoutMs,
        signal,
        ...(action.env && { env: action.env }),
      });
      const tail = r.output.trim().split("\n").slice(-3).join(" | ");
      // a silent failure read "Exit code 1: " with nothing after the colon
      const said = tail ? `: ${tail}` : " (no output)";
      // killed by the runner's stop (serve stopping): it read "Exit code null (no output)"
      if (signal.aborted) throw new Error(`Stopped: perfscope stopped while it ran${said}`);
      if (r.timedOut) throw new Error(`Timed out after ${formatDuration(timeoutMs)}${said}`);
      if (r.code !== 0) throw new Error(`Exit code ${r.code}${said}`);
      return tail || "exit code 0";
    },
  };
}
