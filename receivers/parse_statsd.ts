/**
 * Parses StatsD lines (Etsy StatsD with the DogStatsD extensions): `name:value|type[|@rate]
 * [|#tag:value,tag]`, types `c` (counter), `g` (gauge; a leading `+`/`-` is a delta), `ms`/`h`/
 * `d` (timer, histogram, distribution), `s` (set). Several values may share a name
 * (`name:1|c:2|c` is not StatsD; `name:1:2|ms` is: colon-separated values of one type).
 *
 * @module
 */

/** One StatsD measurement. */
export interface StatsdLine {
  name: string;
  type: "c" | "g" | "ms" | "s";
  /** The values (numbers; a set's members as text in `members`). */
  values: number[];
  /** A set's members. */
  members: string[];
  /** Gauge: the values are deltas (`+3`, `-2`). */
  delta: boolean;
  /** Sample rate, 0 < rate ≤ 1; default 1. */
  rate: number;
  /** DogStatsD tags as pairs (a tag without a value has the value ""). */
  tags: [string, string][];
}

const TYPES: Record<string, StatsdLine["type"]> = {
  c: "c",
  g: "g",
  ms: "ms",
  h: "ms",
  d: "ms",
  s: "s",
};

/**
 * Parses one line.
 *
 * @param line The line (no newline).
 * @returns The measurement.
 * @throws {SyntaxError} Naming what is wrong.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseStatsdLine } from "./parse_statsd.ts";
 * const l = parseStatsdLine("api.hits:3|c|@0.5|#route:/a,canary");
 * assert.deepEqual([l.name, l.type, l.values, l.rate, l.tags], ["api.hits", "c", [3], 0.5, [["route", "/a"], ["canary", ""]]]);
 * assert.throws(() => parseStatsdLine("api.hits:x|c"), /invalid value/);
 * ```
 */
export function parseStatsdLine(line: string): StatsdLine {
  const colon = line.indexOf(":");
  if (colon <= 0) throw new SyntaxError(`Invalid StatsD line: expected name:value|type`);
  const name = line.slice(0, colon);
  const fields = line.slice(colon + 1).split("|");
  if (fields.length < 2) throw new SyntaxError(`Invalid StatsD line for ${name}: no |type`);
  // an own key only: `constructor` or `toString` read a function from the prototype as a type,
  // and the line was taken (then dropped unsaid) instead of counted as invalid
  const type = Object.hasOwn(TYPES, fields[1]!) ? TYPES[fields[1]!] : undefined;
  if (!type) {
    throw new SyntaxError(
      `Invalid StatsD line for ${name}: unknown type ${JSON.stringify(fields[1]!.slice(0, 10))}`,
    );
  }
  const raw = fields[0]!.split(":");
  let rate = 1;
  const tags: [string, string][] = [];
  for (const f of fields.slice(2)) {
    if (f.startsWith("@")) {
      rate = Number(f.slice(1));
      if (!(rate > 0 && rate <= 1)) {
        throw new SyntaxError(`Invalid StatsD line for ${name}: sample rate ${f}`);
      }
    } else if (f.startsWith("#")) {
      for (const t of f.slice(1).split(",")) {
        if (t === "") continue;
        const i = t.indexOf(":");
        tags.push(i < 0 ? [t, ""] : [t.slice(0, i), t.slice(i + 1)]);
      }
    } // other DogStatsD fields (c: container, T timestamp, e: …) are ignored
  }
  const delta = type === "g" && /^[+-]/.test(raw[0]!);
  const values: number[] = [];
  const members: string[] = [];
  for (const r of raw) {
    if (type === "s") {
      members.push(r);
      continue;
    }
    const v = r.trim() === "" ? NaN : Number(r);
    if (!Number.isFinite(v)) {
      throw new SyntaxError(
        `Invalid StatsD line for ${name}: invalid value ${JSON.stringify(r.slice(0, 20))}`,
      );
    }
    values.push(v);
  }
  return { name, type, values, members, delta, rate, tags };
}
