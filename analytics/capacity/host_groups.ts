/**
 * Hosts grouped by a fleet's external labels (`env`, `dc`, `role`): per group its hosts, the
 * resources by severity and the group's own bottleneck ranking, taken from one capacity
 * analysis (so the page, the API and the report agree with the fleet-wide ranking).
 *
 * @module
 */
import type { CapacityAnalysis } from "./capacity_analysis_types.ts";
import type { CapacitySeverity } from "./capacity_report.ts";

/** The value given to hosts that lack the label. */
export const NO_GROUP = "(none)";

/** The labels listed first, in this order, when present. */
const PREFERRED = ["env", "dc", "role"];

/** One group of hosts sharing a label value. */
export interface HostGroup {
  /** The label's value, or {@linkcode NO_GROUP}. */
  value: string;
  /** Its hosts, sorted. */
  hosts: string[];
  /** Its ranked resources. */
  resources: number;
  /** Resources per severity. */
  severity: Record<CapacitySeverity, number>;
  /** Resources with an ETA within the horizon. */
  withEta: number;
  /** Ids of its most pressing resources (the analysis' order), at most `top`. */
  ranking: string[];
}

/** Options of {@linkcode hostGroupsBy}. */
export interface HostGroupsOptions {
  /** Resources kept per group's ranking. Default 5. */
  top?: number;
}

/**
 * The group labels the analysed hosts carry: `env`, `dc`, `role` first, then the others sorted.
 *
 * @param analysis A capacity analysis.
 * @returns The labels (empty when the source had none).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { groupLabels } from "./host_groups.ts";
 * assert.deepEqual(groupLabels({ hostGroups: { a: { zone: "1", env: "prod" }, b: { dc: "ams" } } }), ["env", "dc", "zone"]);
 * assert.deepEqual(groupLabels({}), []);
 * ```
 */
export function groupLabels(analysis: Pick<CapacityAnalysis, "hostGroups">): string[] {
  const seen = new Set<string>();
  for (const labels of Object.values(analysis.hostGroups ?? {})) {
    for (const k of Object.keys(labels)) seen.add(k);
  }
  const first = PREFERRED.filter((k) => seen.has(k));
  return [...first, ...[...seen].filter((k) => !PREFERRED.includes(k)).sort()];
}

/**
 * Groups the analysed hosts by one label: the group holding the fleet's most pressing resource
 * comes first (groups are ordered by their best-ranked resource, then by value).
 *
 * @param analysis A capacity analysis (with `hostGroups`; without, every host is in
 *   {@linkcode NO_GROUP}).
 * @param label The label, e.g. `env`.
 * @param options How many resources each group's ranking keeps.
 * @returns The groups.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { hostGroupsBy } from "./host_groups.ts";
 * const r = (id: string, host: string, severity: "ok" | "critical") => ({ id, host, severity, eta: severity === "ok" ? null : 1 });
 * const groups = hostGroupsBy({
 *   hosts: [{ host: "a" }, { host: "b" }, { host: "c" }],
 *   hostGroups: { a: { env: "prod" }, b: { env: "staging" }, c: { env: "prod" } },
 *   resources: [r("b-fs", "b", "critical"), r("a-fs", "a", "ok"), r("c-fs", "c", "ok")],
 * }, "env");
 * assert.deepEqual(groups.map((g) => [g.value, g.hosts.length, g.resources]), [["staging", 1, 1], ["prod", 2, 2]]);
 * assert.deepEqual(groups[1]!.ranking, ["a-fs", "c-fs"]);
 * assert.equal(groups[0]!.severity.critical, 1);
 * ```
 */
export function hostGroupsBy(
  analysis: {
    hosts: readonly { host: string }[];
    hostGroups?: CapacityAnalysis["hostGroups"];
    resources: readonly {
      id: string;
      host: string;
      severity: CapacitySeverity;
      eta: number | null;
    }[];
  },
  label: string,
  options: HostGroupsOptions = {},
): HostGroup[] {
  const top = options.top ?? 5;
  const valueOf = (host: string) => analysis.hostGroups?.[host]?.[label] ?? NO_GROUP;
  const groups = new Map<string, HostGroup & { best: number }>();
  const group = (value: string) => {
    let g = groups.get(value);
    if (!g) {
      g = {
        value,
        hosts: [],
        resources: 0,
        severity: { critical: 0, warning: 0, ok: 0, unknown: 0 },
        withEta: 0,
        ranking: [],
        best: Infinity,
      };
      groups.set(value, g);
    }
    return g;
  };
  const hosts = new Set([...analysis.hosts.map((h) => h.host)]);
  for (const r of analysis.resources) hosts.add(r.host);
  for (const host of [...hosts].sort()) group(valueOf(host)).hosts.push(host);
  analysis.resources.forEach((r, i) => {
    const g = group(valueOf(r.host));
    g.resources++;
    g.severity[r.severity]++;
    if (r.eta !== null) g.withEta++;
    if (g.ranking.length < top) g.ranking.push(r.id);
    g.best = Math.min(g.best, i);
  });
  return [...groups.values()]
    .sort((a, b) => a.best - b.best || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
    .map(({ best: _, ...g }) => g);
}
