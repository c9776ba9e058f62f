/**
 * The remote-write senders of `collect` and `serve`: from `--remote-write URL` flags and the
 * `remote_write:` list of `perfscope.yaml`. The export module is loaded only when there is a
 * receiver, so a collector without one keeps its memory.
 *
 * @module
 */

import type { RemoteWriteOptions, RemoteWriteSender } from "../export/mod.ts";
import { UsageError } from "./_args.ts";

/** A `remote_write:` entry as the config file gives it (durations in ms). */
export interface RemoteWriteEntry {
  url: string;
  name?: string | undefined;
  headers?: Record<string, string> | undefined;
  bearer_token?: string | undefined;
  bearer_token_file?: string | undefined;
  basic_auth?: { username: string; password: string } | undefined;
  tls?: {
    ca_file?: string | undefined;
    cert_file?: string | undefined;
    key_file?: string | undefined;
  } | undefined;
  external_labels?: Record<string, string> | undefined;
  interval?: number | undefined;
  timeout?: number | undefined;
  max_batch_bytes?: number | undefined;
}

/**
 * The sender options of config entries and `--remote-write` URLs (a URL given both ways is
 * sent to once, with the config's settings). `--external-label k=v` flags apply to all.
 *
 * @param entries From the config file.
 * @param urls From the flags.
 * @param labels `k=v` texts from the flags.
 * @returns One options object per receiver.
 * @throws {UsageError} On a bad label or an unreadable token file.
 */
export function remoteWriteOptions(
  entries: readonly RemoteWriteEntry[],
  urls: readonly string[],
  labels: readonly string[] = [],
): RemoteWriteOptions[] {
  const external: Record<string, string> = {};
  for (const text of labels) {
    const m = text.match(/^([a-zA-Z_][a-zA-Z0-9_]*)=(.*)$/);
    if (!m) throw new UsageError(`Invalid --external-label: ${text} (use name=value)`);
    external[m[1]!] = m[2]!;
  }
  const all = [
    ...entries,
    ...urls.filter((u) => !entries.some((e) => e.url === u)).map((url) => ({ url })),
  ];
  return all.map((e: RemoteWriteEntry) => {
    let token = e.bearer_token;
    if (e.bearer_token_file) {
      try {
        token = Deno.readTextFileSync(e.bearer_token_file).trim();
      } catch (error) {
        throw new UsageError(
          `Cannot read bearer_token_file: ${e.bearer_token_file} (${(error as Error).message})`,
        );
      }
    }
    return {
      url: e.url,
      ...(e.name && { name: e.name }),
      ...(e.headers && { headers: e.headers }),
      ...(token && { bearerToken: token }),
      ...(e.basic_auth && { basicAuth: e.basic_auth }),
      ...(e.tls && {
        tls: {
          ...(e.tls.ca_file && { caFile: e.tls.ca_file }),
          ...(e.tls.cert_file && { certFile: e.tls.cert_file }),
          ...(e.tls.key_file && { keyFile: e.tls.key_file }),
        },
      }),
      externalLabels: { ...external, ...e.external_labels },
      ...(e.interval && { intervalMs: e.interval }),
      ...(e.timeout && { timeoutMs: e.timeout }),
      ...(e.max_batch_bytes && { maxBatchBytes: e.max_batch_bytes }),
    };
  });
}

/**
 * Makes the senders (each registers itself as a spool reader at once, so flushed segments wait
 * for it) without starting them.
 *
 * @param root Lake root.
 * @param options From {@linkcode remoteWriteOptions}.
 * @returns The senders.
 * @throws {UsageError} On a bad URL or option.
 */
export async function makeSenders(
  root: string,
  options: readonly RemoteWriteOptions[],
): Promise<RemoteWriteSender[]> {
  if (options.length === 0) return [];
  const { RemoteWriteSender } = await import("../export/mod.ts");
  return options.map((o) => {
    try {
      return new RemoteWriteSender(root, o);
    } catch (error) {
      if (error instanceof RangeError) throw new UsageError(error.message, { cause: error });
      throw error;
    }
  });
}
