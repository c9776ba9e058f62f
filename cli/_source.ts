/**
 * `--source URL|NAME` of the analytics commands: a Prometheus query API (Prometheus,
 * VictoriaMetrics, Mimir, Thanos Query) read instead of the local lake. A name refers to an
 * entry of `sources:` in `perfscope.yaml` (with its headers and credentials); anything else
 * must be an http(s) URL.
 *
 * @module
 */
import type { PerfscopeConfig } from "../config/mod.ts";
import { type PrometheusSource, prometheusSource } from "../sources/mod.ts";
import { UsageError } from "./_args.ts";

/** The help lines for `--source`. */
export const SOURCE_HELP =
  `  --source URL|NAME     read a Prometheus query API instead of the lake: Prometheus
                        http://prom:9090, VictoriaMetrics http://vm:8428 (cluster:
                        http://vmselect:8481/select/0/prometheus), Mimir
                        http://mimir:8080/prometheus, Thanos http://thanos-query:10902;
                        or the name of an entry of sources: in the config`;

/**
 * The source a `--source` value names.
 *
 * @param spec The flag's value.
 * @param config The config file (for `sources:` names).
 * @param now Clock for discovery look-backs (tests). Default `Date.now`.
 * @returns The source.
 * @throws {UsageError} If the value is neither a configured name nor an http(s) URL, or a token
 *   file cannot be read.
 */
export function sourceFromFlag(
  spec: string,
  config: PerfscopeConfig = {},
  now?: () => number,
): PrometheusSource {
  const entry = config.sources?.find((s) => s.name === spec);
  const url = entry?.url ?? spec;
  let token = entry?.bearer_token;
  if (entry?.bearer_token_file) {
    try {
      token = Deno.readTextFileSync(entry.bearer_token_file).trim();
    } catch (error) {
      throw new UsageError(
        `Cannot read bearer_token_file: ${entry.bearer_token_file} (${(error as Error).message})`,
      );
    }
  }
  try {
    return prometheusSource(url, {
      ...(entry?.headers && { headers: entry.headers }),
      ...(token && { bearerToken: token }),
      ...(entry?.basic_auth && { basicAuth: entry.basic_auth }),
      ...(entry?.host_label && { hostLabel: entry.host_label }),
      ...(now && { now }),
    });
  } catch (error) {
    const names = config.sources?.map((s) => s.name).join(", ");
    throw new UsageError(
      `Invalid --source: ${spec} (an http(s) URL${names ? `, or one of: ${names}` : ""})`,
      { cause: error },
    );
  }
}
