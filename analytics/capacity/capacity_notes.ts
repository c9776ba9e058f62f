/**
 * The method notes of a capacity analysis: what was read, at which step and tier, the evidence
 * rules and how limits were taken, as sentences for the report's methods section.
 *
 * @module
 */
import type { CapacityRow } from "./capacity_report.ts";
import { type EvidenceRules, spanText } from "./evidence_rules.ts";

/**
 * Writes the method notes.
 *
 * @param o What the analysis used.
 * @returns Sentences.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { methodNotes } from "./capacity_notes.ts";
 * import { DEFAULT_EVIDENCE } from "./evidence_rules.ts";
 * const notes = methodNotes({ stepMs: 60_000, sinceMs: 86_400_000, horizonMs: 4 * 86_400_000,
 *   maxPoints: 400, rules: DEFAULT_EVIDENCE, rows: [], filesystemLimit: "df" });
 * assert.ok(notes.some((n) => n.includes("as df shows")));
 * ```
 */
export function methodNotes(o: {
  stepMs: number;
  sinceMs: number;
  horizonMs: number;
  maxPoints: number;
  rules: EvidenceRules;
  rows: readonly CapacityRow[];
  filesystemLimit: "df" | "size";
}): string[] {
  const tiers = [...new Set(o.rows.map((r) => r.tier))].sort().join(", ");
  const share = Math.round(1 / o.rules.minHorizonShare);
  return [
    // an empty lake has no step (it read "series read at a unknown step")
    Number.isFinite(o.stepMs)
      ? `Charts: series read at a ${spanText(o.stepMs)} step over the data's own span (at most ${
        spanText(o.sinceMs)
      } back), at most ${o.maxPoints} points per line.`
      : `Charts: none, no series in the lake to read (at most ${spanText(o.sinceMs)} back).`,
    `Times to exhaustion: capacity model over up to ${spanText(o.sinceMs)} of history${
      tiers ? ` (lake tier ${tiers}, chosen from the data that exists)` : ""
    }, looking ${spanText(o.horizonMs)} ahead.`,
    `Evidence rules: an ETA or growth rate needs at least ${
      spanText(o.rules.minSpanMs)
    } of history (with less, the status is "insufficient" and the severity "unknown"), and looks at most ${share}× its history ahead (a ${
      spanText(o.horizonMs)
    } horizon needs ${spanText(o.horizonMs * o.rules.minHorizonShare)}). ` +
    `A "for N min" claim needs ${
      spanText(o.rules.minWindowMs)
    } of data in its window and states the span the data covers.`,
    o.filesystemLimit === "df"
      ? "File system limit: used + available bytes, as df shows a user (blocks reserved for root are not counted as room)."
      : "File system limit: the whole size of the file system (blocks reserved for root included).",
    `Forecast lines reach at most ${
      spanText(o.horizonMs)
    } ahead, and no further than four backtest origins over the history can check.`,
  ];
}
