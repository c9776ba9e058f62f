/**
 * The known name a mistyped one was most likely meant to be, for "did you mean" hints: a flag
 * (`--formt`: `--format`), a metric (`cpu_rato`: `cpu_ratio`) or an API's query parameter
 * (`grup`: `group`).
 *
 * @module
 */

/**
 * Edits between two words (insert, delete, replace, or swap two neighbours: `prot` is one edit
 * from `port`).
 */
function edits(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    const row: number[] = [i];
    for (let j = 1; j <= b.length; j++) {
      if (i === 0) {
        row.push(j);
        continue;
      }
      const up = rows[i - 1]!;
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(up[j]! + 1, row[j - 1]! + 1, up[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      }
      row.push(best);
    }
    rows.push(row);
  }
  return rows[a.length]![b.length]!;
}

/**
 * The one name within reach of the asked one: the only name it begins (`hor`: `horizon`), else
 * the nearest by edits when at most 1 edit (2 for names of 5 letters or more) away, ties
 * settled by the order given. Case is ignored (`Format`: `format`).
 *
 * @param asked What was typed.
 * @param known The names that exist.
 * @returns The likely meant name, or `undefined` when none is close (or the asked one exists as
 * typed).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { closestName } from "./closest_name.ts";
 * assert.equal(closestName("formt", ["data", "format"]), "format");
 * assert.equal(closestName("prot", ["host", "port"]), "port");
 * assert.equal(closestName("hor", ["horizon", "host"]), "horizon");
 * assert.equal(closestName("verbose", ["data", "port"]), undefined);
 * ```
 */
export function closestName(asked: string, known: readonly string[]): string | undefined {
  if (asked === "" || known.includes(asked)) return undefined;
  const a = asked.toLowerCase();
  const cased = known.find((k) => k.toLowerCase() === a);
  if (cased !== undefined) return cased;
  const starting = known.filter((k) => a.length >= 2 && k.toLowerCase().startsWith(a));
  if (starting.length === 1) return starting[0];
  const reach = a.length >= 5 ? 2 : 1;
  let best: string | undefined;
  let bestEdits = reach + 1;
  for (const k of known) {
    const n = edits(a, k.toLowerCase());
    if (n < bestEdits) [best, bestEdits] = [k, n];
  }
  return best;
}
