/**
 * The config keys of workflows (issue 9): `workflows:` (triggers → steps, run dry unless
 * `enabled: true`), `actions:` (the allowlist of commands a `command` step may run), `schedule:`
 * (cron expressions of the built-in maintenance jobs) and `blackouts:` (periods a maintenance
 * window must avoid). Cron expressions are checked with `croner`, the scheduler's own parser, and
 * must have five fields and a fire time (`cron_problem.ts`).
 *
 * @module
 */
import { z } from "zod";
import { cronProblem } from "./cron_problem.ts";
import { parseDuration } from "./duration.ts";
import { numberNeedsUnit } from "./_number_needs_unit.ts";
import { repeatedIndexes } from "./_repeated_indexes.ts";

function duration() {
  return z.unknown().transform((value, ctx) => {
    try {
      if (typeof value !== "string") {
        throw new RangeError(`invalid duration ${JSON.stringify(value)}${numberNeedsUnit(value)}`);
      }
      return parseDuration(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as RangeError).message });
      return z.NEVER;
    }
  });
}

/** A cron expression of 5 fields that croner accepts and that fires ({@linkcode cronProblem}). */
export function cronExpression() {
  return z.string().superRefine((text, ctx) => {
    const problem = cronProblem(text);
    if (problem !== undefined) {
      ctx.addIssue({
        code: "custom",
        message: `invalid cron expression ${JSON.stringify(text)}: ${problem}`,
      });
    }
  });
}

const name = z.string().trim().min(1, "must not be empty").max(100);
const instant = z.string().refine((t) => Number.isFinite(Date.parse(t)), {
  error: (issue) =>
    `invalid time ${JSON.stringify(issue.input)} (use ISO 8601, e.g. 2026-12-24T00:00Z)`,
});

/** One allowlisted command: a name, an argv (no shell) and a time limit. */
export const actionSchema = z.strictObject({
  name,
  /** Program and arguments, run without a shell. */
  argv: z.array(z.string().min(1)).min(1, "must name a program"),
  /** Longest run before SIGKILL. Default 30s. */
  timeout: duration().optional(),
  /** Environment variables passed (the rest of the environment is scrubbed; PATH is kept). */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).optional(),
});

const sizeOrNumber = z.union([
  z.number().positive(),
  z.string().regex(/^\d+(\.\d+)?\s*[KMGT]i?B?$/),
]);

/** One step of a workflow, told apart by `kind`. */
export const stepSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("webhook"),
    url: z.url({ protocol: /^https?$/ }),
    timeout: duration().optional(),
  }),
  z.strictObject({
    kind: z.literal("command"),
    /** The allowlisted action's name (`actions:`). */
    action: name,
  }),
  z.strictObject({
    kind: z.literal("renice"),
    /** A process name (exact `comm`) or `pid:N`. */
    process: name,
    nice: z.number().int().min(-20).max(19),
    ionice: z.enum(["idle", "best-effort"]).optional(),
  }),
  z.strictObject({
    kind: z.literal("cgroup"),
    /** A systemd unit, e.g. `api.service` (looked up under `system.slice/`). */
    unit: z.string().regex(/^[A-Za-z0-9@._-]+\.(service|slice|scope)$/, "must be a unit name"),
    resource: z.enum(["cpu.weight", "memory.high"]),
    /** Where the value should end up (cpu.weight 1–10000; memory.high bytes or `2GiB`). */
    target: sizeOrNumber,
    /** Largest change per run, as a fraction of the current value. Default 0.1. */
    step: z.number().gt(0).max(1).optional(),
    /** memory.pressure `some avg10` (%) above which lowering stops and the value goes back up. Default 10. */
    max_pressure: z.number().min(0).max(100).optional(),
  }),
  z.strictObject({
    kind: z.literal("sysctl"),
    key: z.string().regex(
      /^[a-z0-9_]+(\.[a-z0-9_-]+)+$/,
      "must be a sysctl key like vm.swappiness",
    ),
    value: z.union([z.string(), z.number()]).transform(String),
  }),
  z.strictObject({ kind: z.literal("compact") }),
  z.strictObject({ kind: z.literal("train") }),
  z.strictObject({ kind: z.literal("report") }),
  z.strictObject({ kind: z.literal("backtest") }),
]);

const triggerSchema = z.union([
  z.strictObject({ alert: name, on: z.enum(["firing", "resolved"]).optional() }),
  z.strictObject({ schedule: cronExpression() }),
  z.strictObject({ recommendation: name }),
], { error: "expected {alert, on}, {schedule} or {recommendation}" });

/** One workflow. */
export const workflowSchema = z.strictObject({
  name,
  trigger: triggerSchema,
  steps: z.array(stepSchema).min(1, "needs at least one step"),
  /** Act for real; otherwise every action is advice only (audited as dry-run). Default false. */
  enabled: z.boolean().optional(),
  /** Actions this workflow may take per hour on this host. Default 6. */
  max_actions_per_hour: z.number().int().min(0).max(3600).optional(),
  /** Quiet time after an action before the workflow acts again. Default 5m. */
  stabilization: duration().optional(),
  /** What a trigger does while the previous run still goes: skip it or queue it. Default skip. */
  concurrency: z.enum(["skip", "queue"]).optional(),
  /** Wait for an approval (Alerts page or POST /api/workflows/approve). Default false. */
  approval: z.boolean().optional(),
  /** How long an approval request waits before it expires. Default 1h. */
  approval_expires: duration().optional(),
  /** Undo reversible steps (sysctl, cgroup, renice) when the alert resolves. Default false. */
  rollback_on_resolve: z.boolean().optional(),
});

/** The built-in maintenance jobs' cron expressions (`serve` runs them). */
export const scheduleSchema = z.strictObject({
  /** Compaction, rollups and retention. Default every `lake.compact_every`. */
  compact: cronExpression().optional(),
  /** Refit the forecast and capacity models. */
  train: cronExpression().optional(),
  /** Write a capacity report into DATA/reports/. */
  report: cronExpression().optional(),
  /** Replay the alert rules over the last week (when the alerts engine offers it). */
  backtest: cronExpression().optional(),
  /** IANA time zone the expressions are read in. Default UTC. */
  timezone: name.refine(knownTimeZone, {
    error: (issue) =>
      `unknown time zone ${
        JSON.stringify(issue.input)
      } (use an IANA name such as UTC or Europe/Berlin)`,
  }).optional(),
});

/** Whether the runtime knows the zone: croner throws on every cron of an unknown one. */
function knownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** A period no maintenance window may overlap: fixed (`start`/`end`) or recurring (`cron`). */
export const blackoutSchema = z.union([
  z.strictObject({ name: name.optional(), start: instant, end: instant }),
  z.strictObject({ name: name.optional(), cron: cronExpression(), duration: duration() }),
], { error: "expected {start, end} or {cron, duration}" });

/** The keys `configSchema` adds. */
export const workflowsKeys = {
  workflows: z.array(workflowSchema).optional(),
  actions: z.array(actionSchema).optional(),
  schedule: scheduleSchema.optional(),
  blackouts: z.array(blackoutSchema).optional(),
};

/**
 * The checks across keys: workflow names unique, `command` steps name an allowlisted action.
 *
 * @param config The parsed keys.
 * @param ctx Zod's refinement context.
 */
export function checkWorkflows(
  config: {
    workflows?: z.output<typeof workflowSchema>[] | undefined;
    actions?: z.output<typeof actionSchema>[] | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  const actions = new Set((config.actions ?? []).map((a) => a.name));
  const workflows = config.workflows ?? [];
  const repeated = new Set(repeatedIndexes(workflows.map((w) => w.name)));
  workflows.forEach((w, i) => {
    // a repeated name is told before the workflow's steps, as they come in the file
    if (repeated.has(i)) {
      const message = `duplicate workflow "${w.name}"`;
      ctx.addIssue({ code: "custom", path: ["workflows", i, "name"], message });
    }
    w.steps.forEach((s, j) => {
      if (s.kind === "command" && !actions.has(s.action)) {
        ctx.addIssue({
          code: "custom",
          path: ["workflows", i, "steps", j, "action"],
          message: `unknown action "${s.action}" (not in actions:)`,
        });
      }
    });
  });
}

/** A validated workflow. */
export type WorkflowConfig = z.output<typeof workflowSchema>;
/** A validated step. */
export type StepConfig = z.output<typeof stepSchema>;
/** A validated allowlisted action. */
export type ActionConfig = z.output<typeof actionSchema>;
/** The validated `schedule:`. */
export type ScheduleConfig = z.output<typeof scheduleSchema>;
/** A validated blackout. */
export type BlackoutConfig = z.output<typeof blackoutSchema>;
