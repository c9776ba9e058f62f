/**
 * Turns `recommend()`'s items into the report's recommendation data: the facts as sentences,
 * the evidence figures formatted in their units, and a link to the resource charting them.
 *
 * @module
 */
import type { Recommendation } from "../analytics/mod.ts";
import type { Figure, RecommendationData, ResourceSection } from "./report_data.ts";
import { formatGrowth, formatValue } from "./format_value.ts";

/**
 * Maps one recommendation for the report.
 *
 * @param rec A recommendation from `recommend()`.
 * @param resources The report's resource sections (to find the one charting its series).
 * @returns The report's recommendation data.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recommendationData } from "./recommendation_data.ts";
 * const r = recommendationData({
 *   id: "cpu-saturated:h", rule: "cpu-saturated", severity: "critical", host: "h",
 *   title: "CPU saturated", detail: "CPU 98 % busy.", facts: ["CPU 98 % busy"], effect: "Add cores",
 *   evidence: { values: { busy: 0.98, waitMs: 4.5, top: "postgres" }, series: [] },
 * }, []);
 * assert.deepEqual(r.figures.map((f) => f.value), ["98 %", "4.5 ms", "postgres"]);
 * ```
 */
export function recommendationData(
  rec: Recommendation,
  resources: readonly ResourceSection[],
): RecommendationData {
  const refs = rec.evidence?.series ?? [];
  const section = resources.find((r) =>
    refs.some((s) => s.host === r.host && s.metric === r.metric && s.labels === r.labels)
  );
  const unit = section?.unit ?? "";
  const figures: Figure[] = Object.entries(rec.evidence?.values ?? {}).map(([name, v]) => ({
    name,
    label: figureLabel(name),
    value: figure(name, v, unit),
  }));
  return {
    id: String(rec.id),
    rule: rec.rule,
    severity: rec.severity,
    host: rec.host,
    title: rec.title,
    detail: rec.detail,
    facts: rec.facts?.length ? [...rec.facts] : [rec.detail],
    figures,
    query: rec.evidence?.query ?? null,
    resourceId: section?.id ?? null,
    effect: rec.effect,
  };
}

/** Formats one evidence figure from its name: `…Days`, ratios, bytes, rates and the like. */
function figure(name: string, v: number | string | null, unit: string): string {
  if (v === null) return "–";
  if (typeof v === "string") return v;
  if (!Number.isFinite(v)) return "–";
  const rate = /PerSecond$/.test(name) ? "/s" : "";
  if (/Days$/.test(name)) return `${Number(v.toFixed(1))} days`;
  if (/ratio|utilization|busy|share|pressure|psi|iowait|available/i.test(name)) {
    return formatValue(v, "ratio");
  }
  if (/Bytes/i.test(name)) return `${formatValue(v, "bytes")}${rate}`;
  if (/Ms$/.test(name)) return `${Number(v.toPrecision(3))} ms`;
  if (name === "growthPerDay") return formatGrowth(v, unit);
  if (/^(current|limit|threshold|headroom)$/.test(name)) return formatValue(v, unit);
  return `${formatValue(v, "")}${rate}`;
}

/** An evidence figure's label: its name without the unit its value already states, so a row
 * reads "ETA low · 5.4 days", not "eta low days · 5.4 days" (or "growth per day · +9 GiB/day"). */
function figureLabel(name: string): string {
  const bare = name.replace(/(Bytes)?(PerSecond|PerDay)$|(Days|Ms)$/, "") || name;
  return camelWords(bare).replace(/^eta\b/, "ETA");
}

function camelWords(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase();
}
