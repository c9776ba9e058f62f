/**
 * Workflows: triggers (alerts, schedules, recommendations) → steps (webhook, allowlisted command,
 * renice, cgroup, sysctl, maintenance jobs), run dry unless enabled, within rate limits,
 * stabilization, concurrency (one run of a workflow at a time, across processes) and approval
 * rules, with rollback; the append-only audit log; the cron scheduler of maintenance jobs;
 * maintenance windows and load-balancing advice from the lake's forecasts.
 *
 * @module
 */
export {
  type AuditEntry,
  AuditLog,
  type AuditLogOptions,
  type AuditMode,
  type AuditRecord,
  type AuditResult,
  mergeRecords,
} from "./audit_log.ts";
export { type CommandOutcome, runCommand, type RunCommandOptions } from "./run_command.ts";
export { type MaintenanceJob, type MaintenanceJobs, planStep, type StepEnv } from "./plan_step.ts";
export { parseSize, planCgroup, type PlanCgroupOptions, psiSomeAvg10 } from "./plan_cgroup.ts";
export { planRenice, type PlanReniceOptions } from "./plan_renice.ts";
export { planSysctl } from "./plan_sysctl.ts";
export type { StepPlan, TriggerEvent, UndoRecord } from "./step_plan.ts";
export { undoAction } from "./undo_action.ts";
export {
  describeRun,
  type RunHolder,
  runLockPath,
  takeRunLock,
  waitRunLock,
  type WaitRunLockOptions,
  WorkflowBusyError,
} from "./run_lock.ts";
export {
  type AnsweredAction,
  type ApprovedRun,
  PENDING_MAX,
  type PendingApproval,
  Workflows,
  type WorkflowsOptions,
  type WorkflowStatus,
} from "./workflows.ts";
export {
  type JobRun,
  type JobStatus,
  type ScheduledJob,
  Scheduler,
  type SchedulerOptions,
} from "./scheduler.ts";
export {
  forecastLoad,
  historySpan,
  type LoadForecast,
  profileConfidence,
  profileForecast,
  readLoad,
  type ReadLoadOptions,
} from "./load_profile.ts";
export {
  blackoutIntervals,
  findMaintenanceWindow,
  type MaintenanceWindow,
  type MaintenanceWindowOptions,
  type WindowCandidate,
} from "./maintenance_window.ts";
export { unknownHostsProblem } from "./unknown_hosts.ts";
export {
  type BalanceAdvice,
  balanceAdvice,
  type BalanceOptions,
  type HostLoad,
} from "./balance_advice.ts";
export { auditView } from "./audit_view.ts";
