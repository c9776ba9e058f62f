/**
 * fast-check generators for the ingest line format: valid samples, their many valid spellings as
 * JSON lines, and lines that must be refused.
 *
 * @module
 */
import fc from "fast-check";
import { formatLabels } from "../../collectors/mod.ts";
import { INGEST_LIMITS, INGEST_MIN_TS } from "../../lake/ingest_lines.ts";
import {
  HOST_MAX_BYTES,
  hostNameProblem,
  isReservedLabel,
  LABEL_VALUE_MAX_BYTES,
  labelValueProblem,
  MAX_LABELS,
  METRIC_MAX_BYTES,
  RESERVED_LABELS,
} from "../../lake/mod.ts";

/** The clock the tests parse with: 2024-06-01. */
export const NOW = Date.UTC(2024, 5, 1);
/** Oldest timestamp accepted at {@linkcode NOW} (30 days before it). */
export const MIN_TS = NOW - INGEST_LIMITS.maxAgeMs;
/** Newest timestamp accepted at {@linkcode NOW} (5 minutes after it). */
export const MAX_TS = NOW + INGEST_LIMITS.maxAheadMs;

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
  fc.constant("k".repeat(128)),
).filter((k) => !isReservedLabel(k));

/** Label values: valid text (no control characters, C1 included, no bidi controls or U+2028/U+2029,
 * no lone surrogates, at most 1024 bytes), with the characters that need escaping in the canonical
 * form or in JSON, and the printable neighbours of the refused ones (ZWJ, RLM, U+FEFF among
 * them), made common. */
export const labelValue: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 16 }),
  fc.string({
    unit: fc.constantFrom(
      "\\",
      ",",
      "=",
      '"',
      "/",
      "\u00a0",
      "\u200d",
      "\u200f",
      "\ufeff",
      "\u202f",
      "~",
      "a",
      "é",
      "😀",
      " ",
    ),
    maxLength: 12,
  }),
  fc.constantFrom("", "0", "a,b=c\\", "x".repeat(LABEL_VALUE_MAX_BYTES), "é".repeat(512)),
).filter((v) => labelValueProblem(v) === undefined);

/** Valid host names: a letter, digit or `:` first, up to the 250-byte limit, never `null`. */
export const hostName: fc.Arbitrary<string> = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9:][A-Za-z0-9_.:-]{0,29}$/),
  fc.constantFrom(
    "h1",
    "web-1.example.org",
    "10.0.0.1:9100",
    "::1",
    "nullx",
    "h".repeat(HOST_MAX_BYTES),
  ),
).filter((h) => hostNameProblem(h) === undefined);

/** As many labels as a sample may carry. */
const MOST_LABELS: Readonly<Record<string, string>> = Object.fromEntries(
  Array.from({ length: MAX_LABELS }, (_, i) => [`l${i}`, String(i)]),
);

/** Valid samples: names within the documented rules, times within the window at {@linkcode NOW}
 * (both ends included). */
export const pushedSample: fc.Arbitrary<PushedSample> = fc.record({
  ts: fc.oneof(
    fc.integer({ min: MIN_TS, max: MAX_TS }),
    fc.double({ min: MIN_TS, max: MAX_TS, noNaN: true }),
    fc.constantFrom(MIN_TS, MAX_TS, NOW),
  ),
  host: hostName,
  metric: fc.oneof(
    fc.stringMatching(/^[a-z_][a-z0-9_]{0,30}$/).filter((m) => !m.startsWith("__")),
    fc.constantFrom("cpu_ratio", "m", "_", "_a", "a__b", "a".repeat(METRIC_MAX_BYTES)),
  ),
  labels: fc.oneof(
    { arbitrary: fc.dictionary(labelKey, labelValue, { maxKeys: 4 }), weight: 19 },
    { arbitrary: fc.constant(MOST_LABELS), weight: 1 },
  ),
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

/** Host names that must be refused: too long, a refused character anywhere, a refused first
 * character, or a name DuckDB reads back as NULL. */
export const badHost: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom("", "a b", "h/1", "é", ".", "..", "x".repeat(254), "null", "NULL", "Null"),
  // too long: valid characters only, 251 bytes and more
  fc.tuple(hostName, fc.integer({ min: HOST_MAX_BYTES + 1, max: 600 })).map(([h, n]) =>
    h.repeat(Math.ceil(n / h.length)).slice(0, n)
  ),
  // a valid name with one refused character put anywhere
  fc.tuple(
    hostName,
    fc.nat(),
    fc.oneof(
      fc.constantFrom("/", "\\", "=", "%", " ", "\0", "\n", "é", "😀", "*", "\u00a0", "\ud800"),
      fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
    ).filter((c) => !/^[A-Za-z0-9_.:-]$/.test(c)),
  ).map(([h, at, c]) => {
    const i = at % (h.length + 1);
    return h.slice(0, i) + c + h.slice(i);
  }),
  // a refused first character before a valid name
  fc.tuple(fc.constantFrom("_", ".", "-"), hostName).map(([c, h]) => c + h),
);

/** Reserved label names: those the lake and the exposition own, and any name starting `__`. */
export const reservedLabel: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...RESERVED_LABELS),
  fc.stringMatching(/^[a-zA-Z0-9_]{0,12}$/).map((rest) => `__${rest}`),
);

/** A line that must be refused on its own, and why. */
export const badLine: fc.Arbitrary<string> = fc.oneof(
  pushedSample.map((s) => JSON.stringify({ ...s, ts: INGEST_MIN_TS - 1 })),
  pushedSample.map((s) => JSON.stringify({ ...s, ts: MIN_TS - 1 })),
  pushedSample.map((s) => JSON.stringify({ ...s, ts: MAX_TS + 1 })),
  pushedSample.map((s) => JSON.stringify({ ...s, ts: NOW + 86_400_001 })),
  pushedSample.map((s) => JSON.stringify({ ...s, ts: String(s.ts) })),
  fc.tuple(pushedSample, badHost).map(([s, host]) => JSON.stringify({ ...s, host })),
  pushedSample.chain((s) =>
    fc.constantFrom("", "Cpu", "1m", "a-b", "a".repeat(201), "__a", "__").map((metric) =>
      JSON.stringify({ ...s, metric })
    )
  ),
  pushedSample.chain((s) =>
    fc.constantFrom("1a", "a-b", "", "é", "k".repeat(129)).map((k) =>
      JSON.stringify({ ...s, labels: { [k]: "v" } })
    )
  ),
  fc.tuple(pushedSample, reservedLabel).map(([s, k]) =>
    JSON.stringify({ ...s, labels: { ...s.labels, [k]: "v" } })
  ),
  pushedSample.chain((s) =>
    fc.constantFrom(
      "x".repeat(1025),
      "é".repeat(513),
      "a\nb",
      "\t",
      "\u007f",
      "\u0080",
      "a\u0085b",
      "\u009b31m",
      "\u009f",
      "\u202egnp.exe",
      "\u2066x\u2069",
      "a\u2028b",
      "\ud800x",
    ).map(
      (v) => JSON.stringify({ ...s, labels: { k: v } }),
    )
  ),
  pushedSample.map((s) =>
    JSON.stringify({
      ...s,
      labels: Object.fromEntries(
        Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`l${i}`, "v"]),
      ),
    })
  ),
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
