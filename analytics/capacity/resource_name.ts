/**
 * Short display names of resources, shared by the server-side tables and the charts.
 *
 * @module
 */

const keyLabels = [
  "mountpoint",
  "interface",
  "device",
  "state",
  "cpu",
  "resource",
  "window",
  "service",
];
/** Names of resources whose labels add nothing a reader needs (the metric line shows them). */
const plain: Record<string, string> = {
  cpu: "CPU run queue",
  memory: "memory",
  connections: "TCP connections",
};

/**
 * The display name of a resource, e.g. `web-1 · filesystem /data`: the host, the resource and
 * its most telling label value (the full labels are shown next to the metric name).
 *
 * @param r Host, resource and canonical label string.
 * @returns The name.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resourceName } from "./resource_name.ts";
 * const labels = "device=sda1,fstype=xfs,mountpoint=/srv";
 * assert.equal(resourceName({ host: "db-1", resource: "filesystem", labels }), "db-1 · filesystem /srv");
 * assert.equal(resourceName({ host: "db-1", resource: "cpu", labels: "window=1m" }), "db-1 · CPU run queue");
 * assert.equal(resourceName({ host: "db-1", resource: "nic", labels: "" }), "db-1 · nic");
 * ```
 */
export function resourceName(r: { host: string; resource: string; labels: string }): string {
  if (plain[r.resource]) return `${r.host} · ${plain[r.resource]}`;
  const pairs = new Map(
    r.labels.split(",").filter(Boolean).map((p) => {
      const i = p.indexOf("=");
      return [p.slice(0, i), p.slice(i + 1)] as const;
    }),
  );
  const key = keyLabels.find((k) => pairs.has(k));
  const detail = key ? pairs.get(key)! : r.labels;
  return `${r.host} · ${r.resource}${detail && detail !== r.resource ? ` ${detail}` : ""}`;
}
