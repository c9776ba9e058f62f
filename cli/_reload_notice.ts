/**
 * The line serve prints when its config file changed: what applies now and what waits for a
 * restart.
 *
 * @module
 */
import type { PerfscopeConfig } from "../config/mod.ts";

/** Sections that apply while serve runs (the collector and the receivers restart, rules reload). */
const LIVE = new Set(["collect", "scrape", "statsd", "probes", "receivers_limits", "rules"]);

/**
 * Describes a reload.
 *
 * @param path The config file.
 * @param before The settings in use until now.
 * @param next The new settings.
 * @returns One line for stderr.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { reloadNotice } from "./_reload_notice.ts";
 * assert.equal(
 *   reloadNotice("p.yaml", {}, { rules: [] }),
 *   "perfscope serve: reloaded p.yaml; alert rules reloaded",
 * );
 * ```
 */
export function reloadNotice(path: string, before: PerfscopeConfig, next: PerfscopeConfig): string {
  const changed = (Object.keys({ ...before, ...next }) as (keyof PerfscopeConfig)[])
    .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(next[k]));
  const later = changed.filter((k) => !LIVE.has(k));
  // every receiver takes a new limit now, keeping the series it knows (it used to wait for a
  // restart at OTLP and /api/ingest): say so, since "reloaded" alone leaves it open
  const was = before.receivers_limits ?? {}, is = next.receivers_limits ?? {};
  const limits = (["max_series_per_source", "max_ingest_series"] as const)
    .filter((k) => was[k] !== is[k])
    .map((k) =>
      `receivers_limits.${k} ${is[k] ?? "(default)"} applies now, the series flowing keeping ` +
      "their places"
    );
  return `perfscope serve: reloaded ${path}` +
    (changed.includes("collect") ? "; the collector restarts with the new settings" : "") +
    (changed.includes("rules") ? "; alert rules reloaded" : "") +
    limits.map((l) => `; ${l}`).join("") +
    (later.length ? `; ${later.join(", ")} apply when serve restarts` : "");
}
