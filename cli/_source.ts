/**
 * `--source URL|NAME` of the analytics commands: a Prometheus query API (Prometheus,
 * VictoriaMetrics, Mimir, Thanos Query) read instead of the local lake. A name refers to an
 * entry of `sources:` in `perfscope.yaml` (with its headers, credentials and TLS files); anything
 * else must be an http(s) URL.
 *
 * @module
 */
import type { PerfscopeConfig } from "../config/mod.ts";
import { type PrometheusSource, prometheusSource, tlsClient } from "../sources/mod.ts";
import { UsageError } from "./_args.ts";

/** The help lines for `--source`. */
export const SOURCE_HELP =
  `  --source URL|NAME     read a Prometheus query API instead of the lake: Prometheus
                        http://prom:9090, VictoriaMetrics http://vm:8428 (cluster:
                        http://vmselect:8481/select/0/prometheus), Mimir
                        http://mimir:8080/prometheus, Thanos http://thanos-query:10902;
                        or the name of an entry of sources: in the config`;

/** TLS clients by their files: serve opens the source again for every analysis, and one client
 * per set of files is enough for the process' life. */
const clients = new Map<string, Deno.HttpClient>();

/** The client for a `sources:` entry's `tls:` (files read once; a bad file is a usage error). */
function clientFor(tls: NonNullable<NonNullable<PerfscopeConfig["sources"]>[number]["tls"]>) {
  const files = {
    ...(tls.ca_file !== undefined && { caFile: tls.ca_file }),
    ...(tls.cert_file !== undefined && { certFile: tls.cert_file }),
    ...(tls.key_file !== undefined && { keyFile: tls.key_file }),
  };
  if (Object.keys(files).length === 0) return undefined;
  const key = JSON.stringify([files.caFile, files.certFile, files.keyFile]);
  let client = clients.get(key);
  if (!client) {
    try {
      client = tlsClient(files);
    } catch (error) {
      throw new UsageError(`Invalid sources: tls: ${(error as Error).message}`, { cause: error });
    }
    clients.set(key, client);
  }
  return client;
}

/**
 * The source a `--source` value names.
 *
 * @param spec The flag's value.
 * @param config The config file (for `sources:` names).
 * @param now Clock for discovery look-backs (tests). Default `Date.now`.
 * @returns The source.
 * @throws {UsageError} If the value is neither a configured name nor an http(s) URL, or a token
 *   or TLS file cannot be read.
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
  const client = entry?.tls ? clientFor(entry.tls) : undefined;
  try {
    return prometheusSource(url, {
      ...(client && { client }),
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
