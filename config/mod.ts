/**
 * The config file `perfscope.yaml`: its schema, the loader that reports `file:line:column` errors,
 * and the duration rules every other folder uses. The ground floor: any folder may import it, it
 * imports none of them.
 *
 * @module
 */

export { formatDuration, MAX_DURATION_MS, parseDuration, readDuration } from "./duration.ts";
export { ConfigError } from "./errors.ts";
export {
  collectSchema,
  configSchema,
  ingestSchema,
  lakeSchema,
  type PerfscopeConfig,
  webSchema,
} from "./schema.ts";
export {
  RULE_KINDS,
  RULE_REDUCERS,
  type RuleConfig,
  ruleSchema,
  rulesSchema,
} from "./schema_rules.ts";
export {
  configPosition,
  DEFAULT_CONFIG,
  loadConfig,
  type LoadedConfig,
  MAX_CONFIG_BYTES,
  MAX_CONFIG_DEPTH,
  parseConfig,
} from "./load_config.ts";
export { type ServiceConfig, serviceSchema, servicesSchema } from "./schema_services.ts";
export {
  type DashboardConfig,
  dashboardSchema,
  dashboardsSchema,
  type PanelConfig,
  panelSchema,
} from "./schema_dashboards.ts";
export { regexProblem } from "./regex_problem.ts";
export { type ConfigHoldReason, watchConfig, type WatchConfigOptions } from "./watch_config.ts";
export {
  checkReceiverNames,
  type DelayConfig,
  delaySchema,
  type InhibitRuleConfig,
  inhibitRuleSchema,
  type ReceiverConfig,
  receiverSchema,
  type RouteConfig,
  routeSchema,
} from "./schema_receivers.ts";
export {
  type ActionConfig,
  actionSchema,
  type BlackoutConfig,
  blackoutSchema,
  cronExpression,
  type ScheduleConfig,
  scheduleSchema,
  type StepConfig,
  stepSchema,
  type WorkflowConfig,
  workflowSchema,
} from "./schema_workflows.ts";
export { unreadableFile } from "./unreadable_file.ts";
