/**
 * Scrapes one Prometheus/OpenMetrics target: asks for OpenMetrics first (`Accept`), reads the
 * body under a byte cap and a timeout (a target that hangs or sends 10 MB fails in bounded time
 * and memory), parses it and converts it into stored samples, plus `up` and
 * `scrape_duration_seconds` for the target and its sample counts (scraped, dropped by reason).
 *
 * @module
 */
import { BatchBuilder, type IngestBatch, type MetricMeta } from "./batch_builder.ts";
import { convertExposition, type CumulativeState } from "./convert_exposition.ts";
import { parseExposition } from "./parse_exposition.ts";
import { addLabels } from "./_labels.ts";
import type { SeriesLimit } from "./series_limit.ts";

/** The `Accept` header of a scrape: OpenMetrics preferred, the 0.0.4 text format otherwise. */
export const SCRAPE_ACCEPT =
  "application/openmetrics-text;version=1.0.0;q=0.9,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

/** One scrape target, validated. */
export interface ScrapeTarget {
  /** URL of the exposition, e.g. `http://127.0.0.1:9100/metrics`. */
  url: string;
  /** Value of the `target` label; default the URL's `host:port`. */
  name?: string;
  /** Time between scrapes, ms; default 15 000. */
  intervalMs?: number;
  /** Longest a scrape may take, ms (the whole body included); default the interval, at most
   * 10 000. */
  timeoutMs?: number;
  /** Labels added to every sample of this target. */
  labels?: Readonly<Record<string, string>>;
  /** The `host` column; default the server's host. */
  host?: string;
}

/** Options for {@linkcode scrapeTarget}. */
export interface ScrapeOptions {
  /** The `host` column when the target names none. */
  host: string;
  /** Largest body in bytes; default 8 MiB (a 10 000-series page is about 1 MB). */
  maxBodyBytes?: number;
  /** The target's cardinality limit; default none. */
  limit?: SeriesLimit;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
  /** Stops a scrape in flight (serve stopping). */
  signal?: AbortSignal;
}

/** What one scrape gave. */
export interface ScrapeResult {
  /** The samples to store (the five health samples, `up` first, included also on failure). */
  batch: IngestBatch;
  /** The health samples alone, for when the lake refuses `batch` whole (a check the builder
   * does not make): `scrape_samples_dropped{reason="invalid"}` then counts every sample the
   * series limit let by, so scraped - dropped is still what was stored, none. Absent when
   * `batch` holds nothing else. */
  healthAlone?: () => IngestBatch;
  /** Why the scrape failed, if it did (`up` is 0 then). */
  error?: string;
  /** Samples dropped as the lake would refuse them, and by the cardinality limit. */
  invalid: number;
  limited: number;
  /** The first problems with dropped samples. */
  problems: string[];
}

/**
 * The `target` label of a target: its name, or the URL's `host:port`.
 *
 * @param t The target.
 * @returns The label value.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetName } from "./scrape_target.ts";
 * assert.equal(targetName({ url: "http://127.0.0.1:9100/metrics" }), "127.0.0.1:9100");
 * assert.equal(targetName({ url: "http://a/metrics", name: "api" }), "api");
 * ```
 */
export function targetName(t: ScrapeTarget): string {
  if (t.name) return t.name;
  const u = new URL(t.url);
  return u.port ? `${u.hostname}:${u.port}` : u.host;
}

/**
 * Reads a response body into one buffer, refusing one longer than `max` bytes (declared or
 * met while reading) without holding more than `max + 1` of it.
 *
 * @param res The response.
 * @param max Most bytes.
 * @returns The body.
 * @throws {Error} When the body is longer than `max`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readCapped } from "./scrape_target.ts";
 * assert.equal((await readCapped(new Response("abc"), 3)).length, 3);
 * await assert.rejects(readCapped(new Response("abcd"), 3), /over the 3-byte limit/);
 * ```
 */
export async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get("content-length") ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw new Error(`body of ${declared} bytes is over the ${max}-byte limit`);
  }
  const body = res.body;
  if (!body) return new Uint8Array();
  let reader: ReadableStreamBYOBReader;
  try {
    reader = body.getReader({ mode: "byob" });
  } catch {
    return readChunks(body.getReader(), max); // not a byte stream
  }
  // read into one buffer (grown by doubling, at most one byte past the cap): a fetch body read
  // this way costs about half the CPU of collecting its chunks (bench/scrape_read_bench.ts)
  let buffer = new ArrayBuffer(Math.min(declared >= 0 ? declared + 1 : 64 * 1024, max + 1));
  let size = 0;
  for (;;) {
    if (size === buffer.byteLength) {
      if (size > max) {
        await reader.cancel();
        throw new Error(`body over the ${max}-byte limit`);
      }
      const bigger = new ArrayBuffer(Math.min(size * 2, max + 1));
      new Uint8Array(bigger).set(new Uint8Array(buffer));
      buffer = bigger;
    }
    const { done, value } = await reader.read(
      new Uint8Array(buffer, size, buffer.byteLength - size),
    );
    if (value) {
      buffer = value.buffer as ArrayBuffer; // the read transfers the buffer it filled
      size += value.length;
    }
    if (done) break;
  }
  if (size > max) throw new Error(`body over the ${max}-byte limit`);
  return new Uint8Array(buffer, 0, size);
}

async function readChunks(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  max: number,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > max) {
      await reader.cancel();
      throw new Error(`body over the ${max}-byte limit`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) out.set(c, at), (at += c.length);
  return out;
}

/**
 * Scrapes a target once.
 *
 * @param target The target.
 * @param state The target's state from its previous scrapes (for rates).
 * @param options Host, limits, clock.
 * @returns The samples and what went wrong; never throws for a failing target.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CumulativeState, scrapeTarget } from "./mod.ts";
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response("jobs 3\n"));
 * const url = `http://127.0.0.1:${server.addr.port}/metrics`;
 * const r = await scrapeTarget({ url, name: "app" }, new CumulativeState(), { host: "h" });
 * assert.deepEqual(r.batch.metric.slice(0, 3), ["jobs", "up", "scrape_duration_seconds"]);
 * await server.shutdown();
 * ```
 */
export async function scrapeTarget(
  target: ScrapeTarget,
  state: CumulativeState,
  options: ScrapeOptions,
): Promise<ScrapeResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const t0 = performance.now();
  const timeoutMs = target.timeoutMs ?? Math.min(target.intervalMs ?? 15_000, 10_000);
  const name = targetName(target);
  const targetLabels = { ...target.labels, target: name };
  const host = target.host ?? options.host;
  const out = new BatchBuilder({
    host,
    ts: started,
    source: "scrape",
    ...(options.limit && { limit: options.limit }),
  });
  let error: string | undefined;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  try {
    const res = await fetch(target.url, {
      headers: {
        accept: SCRAPE_ACCEPT,
        "x-prometheus-scrape-timeout-seconds": String(timeoutMs / 1000),
      },
      signal,
      redirect: "manual",
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      throw new Error(`HTTP ${res.status}`);
    }
    const type = res.headers.get("content-type") ?? "";
    const body = await readCapped(res, options.maxBodyBytes ?? 8 * 1024 * 1024);
    const text = new TextDecoder().decode(body);
    const families = parseExposition(text, {
      openMetrics: type.startsWith("application/openmetrics-text"),
      seriesCache: state.seriesCache,
    });
    convertExposition(families, state, out, { targetLabels, ts: started });
  } catch (e) {
    error = timeout.aborted
      ? `no complete answer within ${timeoutMs} ms`
      : e instanceof Error
      ? e.message.split("\n")[0]!
      : String(e);
  }
  const fail = error !== undefined;
  // up, its duration and its sample counts are the target's health, outside its series limit: a
  // target over the limit used to lose them (up 1 never stored, up 0 stored), exactly when it
  // misbehaves, and its drops were in serve's log only
  const health = new BatchBuilder({ host, ts: started, source: "scrape" });
  // a failed scrape stores only its health (no samples scraped, none dropped)
  return finish(fail ? undefined : out, fail, error);

  function finish(
    b: BatchBuilder | undefined,
    failed: boolean,
    err: string | undefined,
  ): ScrapeResult {
    health.add("up", targetLabels, failed ? 0 : 1, {
      unit: "",
      kind: "gauge",
      help: "1 if the last scrape of the target succeeded, else 0",
    });
    health.add("scrape_duration_seconds", targetLabels, (performance.now() - t0) / 1000, {
      unit: "s",
      kind: "gauge",
      help: "Time the last scrape of the target took",
    });
    // counted as stored samples (after conversion: a counter is one rate, a histogram several
    // series), the unit both drops are counted in, so scraped - dropped (summed over its
    // reasons) is what was stored: `series_limit` the series the target's limit turned away,
    // `invalid` the samples the lake would refuse (a control character in a label value, a
    // name too long), which the builder drops one by one before the batch reaches the lake
    health.add(
      "scrape_samples_scraped",
      targetLabels,
      b ? b.size + b.limited + b.invalid : 0,
      {
        unit: "",
        kind: "gauge",
        help: "Samples the last scrape of the target gave, before any was dropped",
      },
    );
    const dropped: MetricMeta = {
      unit: "",
      kind: "gauge",
      help: "Samples of the last scrape dropped, by reason: series_limit " +
        "(max_series_per_source) or invalid (the lake would refuse them)",
    };
    // both reasons stored every scrape, 0 when none, so a sum over them never misses a series;
    // a target label named `reason` wins, as over a scraped series' own labels, and the reason
    // is kept as `exported_reason` (it used to replace the target's label silently)
    function withReason(reason: string): Record<string, string> {
      const labels = { ...targetLabels };
      addLabels(labels, [["reason", reason]]);
      return labels;
    }
    health.add(
      "scrape_samples_dropped",
      withReason("series_limit"),
      b ? b.limited : 0,
      dropped,
    );
    health.add(
      "scrape_samples_dropped",
      withReason("invalid"),
      b ? b.invalid : 0,
      dropped,
    );
    // the scrape's own samples, counted before the health samples are appended to its columns
    const kept = b ? b.size : 0;
    const batch = (b ?? health).batch();
    if (b !== undefined) {
      const h = health.batch();
      for (let i = 0; i < h.ts.length; i++) {
        batch.ts.push(h.ts[i]!), batch.host.push(h.host[i]!), batch.metric.push(h.metric[i]!);
        batch.labels.push(h.labels[i]!), batch.value.push(h.value[i]!);
      }
    }
    const n = health.size;
    return {
      batch,
      ...(kept > 0 && {
        healthAlone(): IngestBatch {
          const at = batch.ts.length - n;
          const alone: IngestBatch = {
            ts: batch.ts.slice(at),
            host: batch.host.slice(at),
            metric: batch.metric.slice(at),
            labels: batch.labels.slice(at),
            value: batch.value.slice(at),
          };
          // the last sample is dropped{reason="invalid"}: every sample the limit let by is lost
          alone.value[n - 1] = kept + out.invalid;
          return alone;
        },
      }),
      ...(err !== undefined && { error: err }),
      invalid: out.invalid,
      limited: out.limited,
      problems: out.problems,
    };
  }
}
