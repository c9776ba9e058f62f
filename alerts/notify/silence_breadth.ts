/**
 * Which silences would mute every alert. Alertmanager's rule (at least one matcher must not match
 * the empty value) lets `alertname=~".+"` or `alertname!=""` through, though every alert carries
 * an `alertname`, so either mutes them all. Here a matcher is too broad when it cannot tell
 * alerts apart: on a label every alert carries (`alertname`, `severity`) it accepts every value
 * the label can take; and on any label it accepts the empty value (so every alert without that
 * label passes it: Alertmanager's own rule, kept). A silence whose matchers are all too broad is
 * refused.
 *
 * @module
 */
import { type CompiledMatcher, formatMatcher } from "./matchers.ts";

/**
 * Values that stand for every value of the labels each alert carries: every severity, and rule
 * names of every shape the config accepts (`[A-Za-z_][A-Za-z0-9_]*`: one letter, an underscore
 * first, digits, upper and lower case, long). A regular expression accepting them all is taken
 * to accept any rule name.
 */
export const UNIVERSAL_LABEL_PROBES: Readonly<Record<string, readonly string[]>> = {
  alertname: [
    "A",
    "z",
    "_",
    "_x",
    "Q9",
    "HighCPU",
    "disk_full",
    "DiskFull",
    "HOST_DOWN",
    "x0_1",
    "a".repeat(200),
  ],
  severity: ["info", "warning", "critical"],
};

/** Why one matcher selects no subset of the alerts, or `undefined` when it does. */
function broadness(m: CompiledMatcher): string | undefined {
  // own keys only: a matcher on `toString` or `constructor` read a function here (a 500)
  const probes = Object.hasOwn(UNIVERSAL_LABEL_PROBES, m.name)
    ? UNIVERSAL_LABEL_PROBES[m.name]
    : undefined;
  if (probes !== undefined && probes.every((v) => m.test({ [m.name]: v }))) {
    return `${formatMatcher(m)} accepts every ${m.name} (every alert has one)`;
  }
  if (m.test({})) {
    return probes === undefined
      ? `${formatMatcher(m)} accepts every alert without a label ${m.name}`
      : `${formatMatcher(m)} matches the empty value (refused as Alertmanager does)`;
  }
  return undefined;
}

/**
 * Tells why a silence's matchers would mute every alert.
 *
 * @param matchers The silence's compiled matchers.
 * @returns The reason, naming each matcher that is too broad, or `undefined` when at least one
 * matcher narrows the silence (and on no matchers, which the store refuses on its own).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { compileMatchers } from "./matchers.ts";
 * import { silenceBreadthProblem } from "./silence_breadth.ts";
 * assert.match(silenceBreadthProblem(compileMatchers(['alertname=~".+"'])) ?? "", /every alertname/);
 * assert.equal(silenceBreadthProblem(compileMatchers(['alertname=~".+"', 'host="db1"'])), undefined);
 * assert.equal(silenceBreadthProblem(compileMatchers(['severity=~"warning|info"'])), undefined);
 * ```
 */
export function silenceBreadthProblem(matchers: readonly CompiledMatcher[]): string | undefined {
  if (matchers.length === 0) return undefined;
  const why: string[] = [];
  for (const m of matchers) {
    const reason = broadness(m);
    if (reason === undefined) return undefined;
    why.push(reason);
  }
  return `Silence would mute every alert: ${
    why.join("; ")
  } (add a matcher that narrows it, e.g. host="db1" or alertname="HighCPU")`;
}
