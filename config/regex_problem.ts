/**
 * Which label-matcher regular expressions are safe to run on every alert. JavaScript's engine
 * backtracks, so the shape of a pattern decides how long one test may take; this reads the shape.
 *
 * @module
 */

import { LABEL_VALUE_MAX_BYTES } from "./label_rules.ts";

/** The longest label value the lake stores: the `n` of an unbounded repeat. */
const LONGEST_VALUE = LABEL_VALUE_MAX_BYTES;

/** Most backtracking steps a pattern may take on the longest value: two unbounded repeats in a
 * row (`.*db.*`, n²) pass; a third (n³, about 0.5 s on 1 KiB in V8) does not. */
const MAX_COST = (LONGEST_VALUE + 1) ** 2;

/** What a parsed piece of a pattern holds. */
interface Shape {
  /** Worst-case ways it can match one stretch of text. */
  cost: number;
  /** It holds a quantifier somewhere inside. */
  repeats: boolean;
  /** It holds an alternative (`|`) somewhere inside. */
  alternates: boolean;
}

/** Why a pattern is unsafe, thrown out of the reader as soon as it is known. */
class Unsafe extends Error {}

/** Reads a pattern left to right; throws {@linkcode Unsafe} as soon as a shape is unsafe. */
class Reader {
  i = 0;
  constructor(readonly source: string) {}

  /** Alternatives: any of them may match, so the worst one counts. */
  alternation(): Shape {
    const shape = this.sequence();
    while (this.source[this.i] === "|") {
      this.i++;
      const next = this.sequence();
      shape.cost = Math.max(shape.cost, next.cost);
      shape.repeats ||= next.repeats;
      shape.alternates = true;
    }
    return shape;
  }

  /** Pieces in a row: each way of one combines with each way of the next. */
  sequence(): Shape {
    const shape: Shape = { cost: 1, repeats: false, alternates: false };
    while (this.i < this.source.length && !"|)".includes(this.source[this.i]!)) {
      const piece = this.quantified();
      shape.cost = Math.min(shape.cost * piece.cost, Number.MAX_SAFE_INTEGER);
      shape.repeats ||= piece.repeats;
      shape.alternates ||= piece.alternates;
      if (shape.cost > MAX_COST) {
        throw new Unsafe(
          "more than two unbounded repeats in a row can take polynomial time on a long value",
        );
      }
    }
    return shape;
  }

  /** An atom and its quantifier, if any. */
  quantified(): Shape {
    const atom = this.atom();
    const most = this.quantifier();
    if (most === undefined) return atom;
    if (most > 1 && (atom.repeats || atom.alternates)) {
      throw new Unsafe(
        atom.repeats
          ? "nested quantifier (a repeated group that repeats inside) can take exponential time"
          : "a repeated group holding an alternative (|) can take exponential time",
      );
    }
    return { cost: atom.cost * (most + 1), repeats: true, alternates: atom.alternates };
  }

  /** A group, a character class, an escape or one character. */
  atom(): Shape {
    const s = this.source;
    const c = s[this.i++]!;
    if (c === "(") {
      // (?:…), (?=…), (?!…), (?<=…), (?<!…), (?<name>…): the body is what repeats
      const prefix = /^\?(?::|=|!|<=|<!|<[A-Za-z_$][\w$]*>)/.exec(s.slice(this.i));
      if (prefix) this.i += prefix[0].length;
      const inner = this.alternation();
      this.i++; // ")": the pattern compiled, so it is there
      return inner;
    }
    if (c === "[") {
      while (this.i < s.length && s[this.i] !== "]") this.i += s[this.i] === "\\" ? 2 : 1;
      this.i++;
    } else if (c === "\\") this.i++;
    return { cost: 1, repeats: false, alternates: false };
  }

  /** The most times the quantifier here allows (`Infinity` read as the longest value), or
   * `undefined` when there is none. */
  quantifier(): number | undefined {
    const s = this.source;
    let most: number | undefined;
    const c = s[this.i];
    if (c === "*" || c === "+") (most = LONGEST_VALUE), this.i++;
    else if (c === "?") (most = 1), this.i++;
    else if (c === "{") {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(s.slice(this.i));
      if (!m) return undefined;
      this.i += m[0].length;
      const top = m[2] === undefined ? Number(m[1]) : m[3] ? Number(m[3]) : Infinity;
      most = Math.min(top, LONGEST_VALUE);
    }
    if (most !== undefined && s[this.i] === "?") this.i++; // lazy: the same paths, another order
    return most;
  }
}

/**
 * Tells what keeps a matcher's regular expression from being safe to run on every alert:
 * JavaScript's engine backtracks, so a repeated group that repeats or alternates inside (at any
 * depth: `(a+)+`, `((a)+)+`, `(a|a)+`) can take exponential time on one label value, and three
 * unbounded repeats in a row (`a*a*a*`) polynomial time; backreferences and lookarounds are not
 * in RE2, the syntax Alertmanager and Prometheus accept. Refusing them keeps matchers portable
 * and the notifier responsive.
 *
 * @param source The regular expression (unanchored).
 * @returns Why it is refused, or `undefined` when it is accepted.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { regexProblem } from "./regex_problem.ts";
 * assert.equal(regexProblem("db[0-9]+|web.*"), undefined);
 * assert.match(regexProblem("(a+)+$") ?? "", /nested quantifier/);
 * assert.match(regexProblem("((a)+)+") ?? "", /nested quantifier/);
 * assert.match(regexProblem("(a|a)+") ?? "", /alternative/);
 * assert.match(regexProblem("a*a*a*") ?? "", /repeats in a row/);
 * ```
 */
export function regexProblem(source: string): string | undefined {
  try {
    new RegExp(`^(?:${source})$`);
  } catch (error) {
    return (error as Error).message.replace(/^.*: /, "");
  }
  if (/\\[1-9]|\\k<|\(\?<?[=!]/.test(source)) {
    return "backreferences and lookarounds are not supported (RE2 syntax, as in Alertmanager)";
  }
  try {
    // the pattern as it runs: its parentheses balance even when the source's alone do not
    new Reader(`^(?:${source})$`).alternation();
  } catch (error) {
    if (error instanceof Unsafe) return error.message;
    throw error;
  }
  return undefined;
}
