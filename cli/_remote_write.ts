/**
 * The remote-write senders of `collect` and `serve`: from `--remote-write URL` flags and the
 * `remote_write:` list of `perfscope.yaml`. The export module is loaded only when there is a
 * receiver, so a collector without one keeps its memory.
 *
 * @module
 */

import { formatLabels } from "../collectors/mod.ts";
import type {
  RemoteWriteOptions,
  RemoteWriteSender,
  RemoteWriteThread,
  SenderView,
} from "../export/mod.ts";
import type { IngestBatch } from "../lake/mod.ts";
import {
  labelNameProblem,
  labelValueProblem,
  reservedLabelProblem,
} from "../config/label_rules.ts";
import { UsageError } from "./_args.ts";
import type { RemoteWriteEntry } from "./_remote_write_entry.ts";

export type { RemoteWriteEntry } from "./_remote_write_entry.ts";

/**
 * The sender options of config entries and `--remote-write` URLs (a URL given both ways is
 * sent to once, with the config's settings). `--external-label k=v` flags apply to all, and win
 * over an entry's `external_labels` of the same name.
 *
 * @param entries From the config file.
 * @param urls From the flags.
 * @param labels `k=v` texts from the flags.
 * @returns One options object per receiver.
 * @throws {UsageError} On a bad label (see {@linkcode externalLabels}) or an unreadable token
 * file.
 */
export function remoteWriteOptions(
  entries: readonly RemoteWriteEntry[],
  urls: readonly string[],
  labels: readonly string[] = [],
): RemoteWriteOptions[] {
  const external = externalLabels(labels);
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
      // the command line over the file, as for every other setting
      externalLabels: { ...e.external_labels, ...external },
      ...(e.interval && { intervalMs: e.interval }),
      ...(e.timeout && { timeoutMs: e.timeout }),
      ...(e.max_batch_bytes && { maxBatchBytes: e.max_batch_bytes }),
    };
  });
}

/**
 * The `--external-label name=value` flags as a map, held to the rules of the config's
 * `external_labels` (config/label_rules.ts: the label-name syntax, 128 and 1,024 bytes, no
 * control, bidi control or line separator in a value, none of the lake's reserved names). A name
 * given twice is refused, as a key given twice in the config file is: neither silently wins.
 *
 * @param labels `k=v` texts from the flags.
 * @returns The labels by name.
 * @throws {UsageError} `Invalid --external-label: …` naming the problem.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { externalLabels } from "./_remote_write.ts";
 * assert.deepEqual(externalLabels(["env=prod", "dc=a=b"]), { env: "prod", dc: "a=b" });
 * assert.throws(() => externalLabels(["host=x"]), /Invalid --external-label: label "host" is/);
 * assert.throws(() => externalLabels(["env=a", "env=b"]), /"env" is given twice/);
 * ```
 */
export function externalLabels(labels: readonly string[]): Record<string, string> {
  const external: Record<string, string> = {};
  for (const text of labels) {
    const at = text.indexOf("=");
    if (at < 0) throw new UsageError(`Invalid --external-label: ${text} (use name=value)`);
    const name = text.slice(0, at), value = text.slice(at + 1);
    const problem = labelNameProblem(name) ?? reservedLabelProblem(name);
    if (problem !== undefined) throw new UsageError(`Invalid --external-label: ${problem}`);
    const valueProblem = labelValueProblem(value);
    if (valueProblem !== undefined) {
      throw new UsageError(`Invalid --external-label: ${name}: ${valueProblem}`);
    }
    if (Object.hasOwn(external, name)) {
      throw new UsageError(`Invalid --external-label: label "${name}" is given twice`);
    }
    external[name] = value;
  }
  return external;
}

/**
 * Makes the senders (each registers itself as a spool reader at once, so flushed segments wait
 * for it) without starting them.
 *
 * @param root Lake root.
 * @param options From {@linkcode remoteWriteOptions}.
 * @param holder Who runs them, as their locks name it to a second sender of the same receiver
 *   and data directory (refused); default this process, `deno task remote-write`.
 * @returns The senders.
 * @throws {UsageError} On a bad URL or option.
 * @throws {Error} `SenderBusyError` (export/mod.ts) if another process sends this spool to one of the receivers (the
 *   senders made before it are stopped).
 */
export async function makeSenders(
  root: string,
  options: readonly RemoteWriteOptions[],
  holder?: { pid?: number; command?: string },
): Promise<RemoteWriteSender[]> {
  if (options.length === 0) return [];
  const { RemoteWriteSender } = await import("../export/mod.ts");
  const made: RemoteWriteSender[] = [];
  try {
    for (const o of options) {
      made.push(new RemoteWriteSender(root, { ...o, ...(holder && { holder }) }));
    }
  } catch (error) {
    // the senders made hold their locks: a caller that goes on (a test) must not find them held
    await Promise.all(made.map((s) => s.stop()));
    if (error instanceof RangeError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
  return made;
}

/**
 * Fails early, naming the holder, if another process sends this spool to one of the receivers:
 * serve's collector child would otherwise be refused at each of its restarts.
 *
 * @param root Lake root.
 * @param options From {@linkcode remoteWriteOptions}.
 * @throws {Error} `SenderBusyError` (export/mod.ts), as {@linkcode makeSenders}.
 */
export async function checkSendersFree(
  root: string,
  options: readonly RemoteWriteOptions[],
): Promise<void> {
  for (const s of await makeSenders(root, options, { command: "deno task serve" })) await s.stop();
}

/**
 * The metrics of senders that run outside the collector (`serve`'s senders of the ingest spool)
 * as samples to store like any pushed ones: gauges as they are, counters as per-second rates
 * over the time since the last call (the first call gives no rate), as the collector's sampler
 * makes of its own senders' metrics.
 *
 * @param senders The senders.
 * @param host The `host` column of the samples.
 * @returns A function giving the samples at a time (ms).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RemoteWriteSender } from "../export/mod.ts";
 * import { senderMetricSamples } from "./_remote_write.ts";
 * const root = Deno.makeTempDirSync();
 * const sender = new RemoteWriteSender(root, { url: "http://127.0.0.1:9/w", queue: "ingest" });
 * const sample = senderMetricSamples([sender], "h");
 * assert.equal(sample(1000).metric.includes("perfscope_remote_write_bytes_per_second"), false);
 * sender.stats.bytes += 500;
 * const b = sample(3000);
 * const i = b.metric.indexOf("perfscope_remote_write_bytes_per_second");
 * assert.equal(b.value[i], 250);
 * assert.equal(b.labels[i], "queue=ingest,remote=127.0.0.1:9");
 * ```
 */
export function senderMetricSamples(
  senders: readonly Pick<SenderView, "metricLabels" | "metrics">[],
  host: string,
): (now: number) => IngestBatch {
  const last = new Map<string, { at: number; value: number }>();
  return (now) => {
    const out: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
    for (const sender of senders) {
      const labels = formatLabels(sender.metricLabels);
      for (const [metric, , kind, value] of sender.metrics()) {
        let v = value;
        if (kind === "counter") {
          const key = `${metric}\n${labels}`;
          const before = last.get(key);
          last.set(key, { at: now, value });
          if (!before || now <= before.at || value < before.value) continue;
          v = (value - before.value) / ((now - before.at) / 1000);
        }
        if (!Number.isFinite(v)) continue;
        out.ts.push(now), out.host.push(host), out.metric.push(metric);
        out.labels.push(labels), out.value.push(v);
      }
    }
    return out;
  };
}

/** Options of {@linkcode runIngestSenders}. */
export interface RunIngestSendersOptions {
  /** The `host` column of the senders' own metrics. */
  host: string;
  /** Stores the senders' metrics (serve: the ingest writer, the live view, the alerts). */
  write: (batch: IngestBatch) => void;
  /** Time between two samples of the senders' metrics, ms. Default 1000. */
  intervalMs?: number;
}

/**
 * Makes `serve`'s senders of the ingest spool, on a thread of their own (registered as spool
 * readers at once), or none without receivers. The export module is loaded only when there are.
 *
 * @param root Lake root.
 * @param options From {@linkcode remoteWriteOptions} (`queue` is set to `"ingest"`).
 * @returns The thread (not started), or `undefined`.
 * @throws {UsageError} On a bad URL or option.
 */
export async function makeIngestSenders(
  root: string,
  options: readonly RemoteWriteOptions[],
): Promise<RemoteWriteThread | undefined> {
  if (options.length === 0) return undefined;
  const { RemoteWriteThread } = await import("../export/mod.ts");
  try {
    return new RemoteWriteThread(
      root,
      options.map((o) => ({
        ...o,
        queue: "ingest" as const,
        holder: { command: "deno task serve" },
      })),
    );
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/**
 * Starts `serve`'s senders of the ingest spool and samples their metrics every second into
 * `write` (refused samples, e.g. while ingest is busy, are skipped: the next second has them).
 *
 * @param thread From {@linkcode makeIngestSenders} (made before the ingest writer opened, so
 * its replay keeps the leftover segments for them).
 * @param options Where their metrics go.
 * @returns Stops them: the sampling at once, the senders with up to `flushMs` to send what
 * is left.
 */
export function runIngestSenders(
  thread: RemoteWriteThread | undefined,
  options: RunIngestSendersOptions,
): (flushMs?: number) => Promise<void> {
  if (thread === undefined) return () => Promise.resolve();
  thread.start();
  const sample = senderMetricSamples(thread.senders, options.host);
  const timer = setInterval(() => {
    const batch = sample(Date.now());
    if (batch.ts.length === 0) return;
    try {
      options.write(batch);
    } catch {
      // ingest busy or closing: this second of the senders' metrics is skipped
    }
  }, options.intervalMs ?? 1000);
  return async (flushMs = 0) => {
    clearInterval(timer);
    await thread.stop(flushMs);
  };
}
