/**
 * Annotation templates: `{{ $value }}`, `{{ $labels.name }}`, `{{ $threshold }}` and
 * `{{ $reason }}`, the subset of Prometheus' templates that alert texts use. Anything else
 * between braces is left as written, so a typo shows in the notification instead of vanishing.
 *
 * @module
 */

/** What a template may refer to. */
export interface TemplateData {
  value: number;
  labels: Readonly<Record<string, string>>;
  threshold?: number;
  reason?: string;
}

const FIELD = /\{\{\s*\$(value|threshold|reason|labels\.([a-zA-Z_][a-zA-Z0-9_]*))\s*\}\}/g;

/**
 * Formats a number for a text: integers as they are, others with 4 significant digits.
 *
 * @param value The number.
 * @returns Its text (`NaN` as `NaN`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { formatValue } from "./render_template.ts";
 * assert.equal(formatValue(250), "250");
 * assert.equal(formatValue(0.123456), "0.1235");
 * ```
 */
export function formatValue(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(4)));
}

/**
 * Fills in a template.
 *
 * @param template The text.
 * @param data The value and labels.
 * @returns The text with the fields replaced (a missing label gives an empty string).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderTemplate } from "./render_template.ts";
 * const text = renderTemplate("p95 {{ $value }} ms on {{ $labels.host }}", {
 *   value: 312.5,
 *   labels: { host: "web1" },
 * });
 * assert.equal(text, "p95 312.5 ms on web1");
 * ```
 */
export function renderTemplate(template: string, data: TemplateData): string {
  if (!template.includes("{{")) return template;
  return template.replace(FIELD, (_all, field: string, label: string | undefined) => {
    // an own label only: `{{ $labels.constructor }}` printed Object's source into notifications
    if (label !== undefined) return Object.hasOwn(data.labels, label) ? data.labels[label]! : "";
    if (field === "value") return formatValue(data.value);
    if (field === "threshold") {
      return data.threshold === undefined ? "" : formatValue(data.threshold);
    }
    return data.reason ?? "";
  });
}
