/**
 * `--host` and `--hosts` checked against the hosts the lake (or a query API) holds samples of. A
 * name it has never seen (a typo, another fleet's host) was answered "Not enough data yet", an
 * empty analysis or "0 models stored", as if waiting would help.
 *
 * @module
 */
import { unknownHostsProblem } from "../workflows/mod.ts";
import { UsageError } from "./_args.ts";

/**
 * Refuses host names that none of the known hosts matches (case-insensitively, as the lake
 * reads them). Nothing is refused when no host is known: an empty lake is the command's own
 * "no data yet".
 *
 * @param asked The hosts of the flag (none: nothing to check).
 * @param known The hosts with samples.
 * @param options The flag (`host` or `hosts`) and where the samples are, for the message.
 * @throws {UsageError} Naming the unknown hosts, where they were looked for and some known ones.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { checkHosts } from "./_check_hosts.ts";
 * assert.throws(
 *   () => checkHosts(["wbe1"], ["web1", "db1"], { flag: "host", where: "data" }),
 *   /^UsageError: Unknown --host wbe1: no samples of it in data; hosts with samples: db1, web1$/,
 * );
 * checkHosts(["WEB1"], ["web1"], { flag: "host", where: "data" });
 * checkHosts(["web1"], [], { flag: "host", where: "data" });
 * ```
 */
export function checkHosts(
  asked: readonly string[] | undefined,
  known: readonly string[],
  options: { flag: "host" | "hosts"; where: string },
): void {
  const problem = unknownHostsProblem(asked, known, {
    name: `--${options.flag}`,
    where: options.where,
  });
  if (problem !== undefined) throw new UsageError(problem);
}

/**
 * {@linkcode checkHosts} against a source's hosts (its first and last sample per host, which the
 * lake reads cheaply and the analyses read anyway).
 *
 * @param source The lake or series source.
 * @param asked The hosts of the flag (none: nothing is read).
 * @param options As for {@linkcode checkHosts}.
 * @throws {UsageError} As {@linkcode checkHosts}.
 */
export async function checkSourceHosts(
  source: { extent(): Promise<{ host: string }[]> },
  asked: readonly string[] | undefined,
  options: { flag: "host" | "hosts"; where: string },
): Promise<void> {
  if (!asked?.length) return;
  checkHosts(asked, (await source.extent()).map((e) => e.host), options);
}
