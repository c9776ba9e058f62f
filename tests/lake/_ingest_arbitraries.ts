/**
 * fast-check generators for the ingest line format: valid samples, their many valid spellings as
 * JSON lines, and lines that must be refused.
 *
 * @module
 */
import fc from "fast-check";
import { formatLabels } from "../../collectors/mod.ts";
import { INGEST_MIN_TS } from "../../lake/ingest_lines.ts";

/** The clock the tests parse with: 2024-06-01. */
export const NOW = Date.UTC(2024, 5, 1);

/** A sample as a client sends it. */
export interface PushedSample {
  ts: number;
  host: string;
  metric: string;
  labels: Record<string, string>;
  value: number | null;
}

const labelKey = fc.oneof(
  fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/),
  fc.constantFrom("cpu", "mode", "device", "constructor", "toString", "hasOwnProperty", "a1"),
  // names Prometheus reserves (host, le, __*) are left to the ingest hardening's own tests
).filter((k) => !k.startsWith("__") && k !== "host" && k !== "le");

/** Label values: any well-formed text, with the characters that need escaping made common. */
export const labelValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 16 }),
  fc.string({
    unit: fc.constantFrom("\\", ",", "=", '"', "\n", "\r", "\t", "a", "é", "😀", " "),
    maxLength: 12,
  }),
  fc.constantFrom("", "0", "a,b=c\\", "x".repeat(1024)),
);

/** Valid samples: names within the documented patterns, times from 2000 to now. */
export const pushedSample: fc.Arbitrary<PushedSample> = fc.record({
  ts: fc.oneof(
    fc.integer({ min: INGEST_MIN_TS, max: NOW }),
    fc.double({ min: INGEST_MIN_TS, max: NOW, noNaN: true }),
  ),
  host: fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9_.:-]{1,30}$/),
    // at most 63 here: a host of 251+ bytes makes a partition directory name longer than 255
    // bytes (ENAMETOOLONG at flush), which the ingest hardening bounds
    fc.constantFrom("h1", "web-1.example.org", "10.0.0.1:9100", "h".repeat(63)),
  ),
  metric: fc.oneof(
    fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/),
    fc.constantFrom("cpu_ratio", "m", "_", "a".repeat(200)),
  ),
  labels: fc.dictionary(labelKey, labelValue, { maxKeys: 4 }),
  value: fc.oneof(
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.constantFrom(null, 0, -0, 5e-324, 1.7976931348623157e308, 0.1, 1e21),
  ),
});

/** How one line spells its sample: key order, spacing, labels form, escapes, extra fields. */
export interface Spelling {
  order: number[];
  space: string;
  labelsAs: "object" | "string" | "omit-if-empty";
  escapeMetric: boolean;
  extra: boolean;
}

export const spelling: fc.Arbitrary<Spelling> = fc.record({
  order: fc.shuffledSubarray([0, 1, 2, 3, 4, 5], { minLength: 6, maxLength: 6 }),
  space: fc.constantFrom("", " ", "\t", "  "),
  labelsAs: fc.constantFrom("object", "string", "omit-if-empty"),
  escapeMetric: fc.boolean(),
  extra: fc.boolean(),
});

/** One JSON line for a sample, spelled as `how` says (always valid JSON, same meaning). */
export function spell(s: PushedSample, how: Spelling): string {
  const sp = how.space;
  const metric = how.escapeMetric
    ? `"\\u${s.metric.charCodeAt(0).toString(16).padStart(4, "0")}${s.metric.slice(1)}"`
    : JSON.stringify(s.metric);
  const empty = Object.keys(s.labels).length === 0;
  const labels = how.labelsAs === "string"
    ? JSON.stringify(formatLabels(s.labels))
    : how.labelsAs === "omit-if-empty" && empty
    ? undefined
    : JSON.stringify(s.labels);
  const fields: (string | undefined)[] = [
    `"ts"${sp}:${sp}${JSON.stringify(s.ts)}`,
    `"host"${sp}:${sp}${JSON.stringify(s.host)}`,
    `"metric"${sp}:${sp}${metric}`,
    labels === undefined ? undefined : `"labels"${sp}:${sp}${labels}`,
    `"value"${sp}:${sp}${JSON.stringify(s.value)}`,
    how.extra ? `"unit"${sp}:${sp}{"a":[1,"x"]}` : undefined,
  ];
  const parts = how.order.map((i) => fields[i]).filter((f) => f !== undefined);
  return `${sp}{${sp}${parts.join(`${sp},${sp}`)}${sp}}${sp}`;
}

/**
 * A body of valid lines with blank lines, LF or CRLF endings, with or without a last newline.
 *
 * @param sample The samples to spell.
 * @returns The samples and the body.
 */
export function bodyOf(
  sample: fc.Arbitrary<PushedSample>,
): fc.Arbitrary<{ samples: PushedSample[]; body: string }> {
  return fc.record({
    lines: fc.array(
      fc.record({ s: sample, how: spelling, blank: fc.constantFrom("", "", "", "\n", " \n") }),
      { minLength: 1, maxLength: 12 },
    ),
    eol: fc.constantFrom("\n", "\r\n"),
    last: fc.boolean(),
  }).map(({ lines, eol, last }) => ({
    samples: lines.map((l) => l.s),
    body: lines.map((l) => l.blank + spell(l.s, l.how)).join(eol) + (last ? eol : ""),
  }));
}

/** Valid bodies of any valid samples. */
export const validBody: fc.Arbitrary<{ samples: PushedSample[]; body: string }> = bodyOf(
  pushedSample,
);

/** Valid samples whose value the lake can store: none below 1e-300 in magnitude (those, down to
 * subnormals, are accepted but quantize to NaN; the ingest hardening handles them). */
export const storableSample: fc.Arbitrary<PushedSample> = pushedSample.filter((s) =>
  s.value === null || s.value === 0 || Math.abs(s.value) >= 1e-300
);

/** A line that must be refused on its own, and why. */
export const badLine: fc.Arbitrary<string> = fc.oneof(
  pushedSample.map((s) => JSON.stringify({ ...s, ts: INGEST_MIN_TS - 1 })),
  pushedSample.map((s) => JSON.stringify({ ...s, ts: NOW + 86_400_001 })),
  pushedSample.map((s) => JSON.stringify({ ...s, ts: String(s.ts) })),
  pushedSample.chain((s) =>
    fc.constantFrom("", "a b", "h/1", "é", "x".repeat(254)).map((host) =>
      JSON.stringify({ ...s, host })
    )
  ),
  pushedSample.chain((s) =>
    fc.constantFrom("", "Cpu", "1m", "a-b", "a".repeat(201)).map((metric) =>
      JSON.stringify({ ...s, metric })
    )
  ),
  pushedSample.chain((s) =>
    fc.constantFrom("1a", "a-b", "", "é").map((k) => JSON.stringify({ ...s, labels: { [k]: "v" } }))
  ),
  pushedSample.map((s) => JSON.stringify({ ...s, labels: { k: "x".repeat(1025) } })),
  pushedSample.map((s) => JSON.stringify({ ...s, labels: { k: 1 } })),
  pushedSample.map((s) => JSON.stringify({ ...s, labels: ["k"] })),
  pushedSample.map((s) => JSON.stringify({ ...s, labels: "novalue" })),
  pushedSample.map((s) => JSON.stringify({ ...s, value: "1" })),
  pushedSample.map((s) => JSON.stringify(s).replace(/"value":[^,}]*/, '"value":1e999')),
  pushedSample.map((s) => JSON.stringify(s).replace(/"value":[^,}]*/, '"value":NaN')),
  pushedSample.map((s) => {
    const { value: _v, ...rest } = s;
    return JSON.stringify(rest);
  }),
  pushedSample.chain((s) =>
    fc.nat().map((n) => {
      const text = JSON.stringify(s);
      return text.slice(0, 1 + n % (text.length - 1)); // cut short: never valid JSON
    })
  ),
  fc.constantFrom("[]", "null", "1", '"x"', "{}", "{", "}", "nope"),
);
