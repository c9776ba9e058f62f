/**
 * The one wording for a host name the data holds no samples of, shared by the CLI's `--host` /
 * `--hosts` and the web API's `?host=`: the API answered an unknown host "Not enough data yet: no
 * data for host X" (as if waiting would help) where the CLI named the hosts it does know.
 *
 * @module
 */
import { sameHost } from "../lake/mod.ts";

/** Hosts the message names at most; the rest are counted. */
const LISTED = 8;

/**
 * What is wrong with the asked host names, if none of the known hosts matches some of them
 * (case-insensitively, as the lake reads them). Nothing is wrong when no host is known: an empty
 * lake is the caller's own "no data yet".
 *
 * @param asked The hosts asked for (none: nothing to check).
 * @param known The hosts with samples.
 * @param options `name`: how the asker wrote the parameter (`--host`, `host`); `where`: where the
 * samples were looked for (a lake folder, "the lake", a query API's address).
 * @returns The one-line problem, or `undefined` when every asked host is known.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { unknownHostsProblem } from "./unknown_hosts.ts";
 * assert.equal(
 *   unknownHostsProblem(["wbe1"], ["web1", "db1"], { name: "host", where: "the lake" }),
 *   "Unknown host wbe1: no samples of it in the lake; hosts with samples: db1, web1",
 * );
 * assert.equal(unknownHostsProblem(["WEB1"], ["web1"], { name: "host", where: "x" }), undefined);
 * assert.equal(unknownHostsProblem(["web1"], [], { name: "host", where: "x" }), undefined);
 * ```
 */
export function unknownHostsProblem(
  asked: readonly string[] | undefined,
  known: readonly string[],
  options: { name: string; where: string },
): string | undefined {
  if (!asked?.length || known.length === 0) return undefined;
  const unknown = asked.filter((h) => !known.some((k) => sameHost(h, k)));
  if (unknown.length === 0) return undefined;
  const hosts = [...new Set(known)].sort();
  const shown = hosts.slice(0, LISTED).join(", ") +
    (hosts.length > LISTED ? ` and ${hosts.length - LISTED} more` : "");
  const them = unknown.length === 1 ? "it" : "them";
  return `Unknown ${options.name} ${
    unknown.join(",")
  }: no samples of ${them} in ${options.where}; ` +
    `hosts with samples: ${shown}`;
}
