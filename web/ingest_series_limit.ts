/**
 * The cardinality limit of `POST /api/ingest`, the receivers' limit (`receivers_limits`) applied
 * to pushed samples. A pushed line names its own `host`, and that is the only sender identity
 * ingest has (one token serves every client, and behind a proxy every client has the proxy's
 * address), so the source is the host: each host may create at most `maxPerHost` new series an
 * hour. Because a pusher can also name many hosts, all hosts together may create at most
 * `maxTotal` new series an hour.
 *
 * A series is new as the receivers' `SeriesLimit` says (not seen in this window or the one
 * before), so series that keep arriving stay admitted across the hourly reset. One `SeriesLimit`
 * over the series of all hosts holds that memory and the total; the count per host is kept
 * beside it, for the same window.
 *
 * @module
 */
import type { IngestBatch } from "../lake/mod.ts";
import { SeriesLimit } from "../receivers/mod.ts";

/** Options for {@linkcode IngestSeriesLimit}. */
export interface IngestSeriesLimitOptions {
  /** Most new series one host may create per window; default 10 000 (the receivers' limit). */
  maxPerHost?: number;
  /** Most new series all hosts together may create per window; default 100 000. */
  maxTotal?: number;
  /** Length of a window, ms; default 3 600 000 (an hour). */
  windowMs?: number;
  /** Clock (ms); default `Date.now`. */
  now?: () => number;
}

/** What {@linkcode IngestSeriesLimit.filter} kept and refused. */
export interface IngestSeriesVerdict {
  /** The samples whose series are admitted (the input itself when nothing was refused). */
  batch: IngestBatch;
  /** Samples refused. */
  refusedSamples: number;
  /** Distinct new series refused. */
  refusedSeries: number;
  /** Why, naming the limit and a host past it; empty when nothing was refused. */
  message: string;
}

/**
 * Admits the samples of known series and of new series while their host and the total are
 * under their limits; refuses (and counts) the rest.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IngestSeriesLimit } from "./ingest_series_limit.ts";
 * const limit = new IngestSeriesLimit({ maxPerHost: 2 });
 * const batch = { ts: [1, 1, 1], host: ["h", "h", "h"], metric: ["a", "b", "c"], labels: ["", "", ""], value: [1, 2, 3] };
 * const verdict = limit.filter(batch);
 * assert.deepEqual(verdict.batch.metric, ["a", "b"]);
 * assert.equal(verdict.refusedSeries, 1);
 * assert.equal(limit.filter({ ...batch, metric: ["a", "a", "b"] }).refusedSamples, 0);
 * ```
 */
export class IngestSeriesLimit {
  #maxPerHost: number;
  /** The series of all hosts: known ones, and the total of new ones, per window. */
  #all: SeriesLimit;
  /** New series per host in the window that began at `#countsOf`. */
  #perHost = new Map<string, number>();
  #countsOf: number;
  /** Samples refused since this object was made. */
  refusedSamples = 0;
  /** Distinct new series refused since this object was made (counted once per window). */
  refusedSeries = 0;
  #refusedKeys = new Set<string>();

  /**
   * @param options See {@linkcode IngestSeriesLimitOptions}.
   * @throws {RangeError} If a limit is not a positive integer.
   */
  constructor(options: IngestSeriesLimitOptions = {}) {
    this.#maxPerHost = checked("maxPerHost", options.maxPerHost ?? 10_000);
    this.#all = new SeriesLimit({
      maxSeries: checked("maxTotal", options.maxTotal ?? 100_000),
      counts: "new",
      ...(options.windowMs !== undefined && { windowMs: options.windowMs }),
      ...(options.now && { now: options.now }),
    });
    this.#countsOf = this.#all.windowStart;
  }

  /** Most new series one host may create per window. */
  get maxPerHost(): number {
    return this.#maxPerHost;
  }

  /** Most new series all hosts together may create per window. */
  get maxTotal(): number {
    return this.#all.maxSeries;
  }

  /**
   * Applies new limits (a config reload) and keeps what the limit knows: the series flowing
   * stay admitted, and the new series counted in this window count against the new limits
   * (lowered below them, no host or no more host creates new series until the next window).
   *
   * @param limits The new limits; an absent one goes back to its default.
   * @throws {RangeError} If a limit is not a positive integer.
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { IngestSeriesLimit } from "./ingest_series_limit.ts";
   * const limit = new IngestSeriesLimit({ maxPerHost: 1 });
   * const batch = { ts: [1, 1], host: ["h", "h"], metric: ["a", "b"], labels: ["", ""], value: [1, 2] };
   * assert.deepEqual(limit.filter(batch).batch.metric, ["a"]);
   * limit.resize({ maxPerHost: 2 });
   * assert.deepEqual(limit.filter(batch).batch.metric, ["a", "b"]);
   * ```
   */
  resize(limits: Pick<IngestSeriesLimitOptions, "maxPerHost" | "maxTotal">): void {
    const perHost = checked("maxPerHost", limits.maxPerHost ?? 10_000);
    this.#all.resize(checked("maxTotal", limits.maxTotal ?? 100_000));
    this.#maxPerHost = perHost;
  }

  /** Ms until the window ends and the counts of new series start again. */
  resetInMs(): number {
    return this.#all.resetInMs();
  }

  /** Starts the per-host counts again when the series' window has started again. */
  #sync(): void {
    if (this.#all.windowStart === this.#countsOf) return;
    this.#countsOf = this.#all.windowStart;
    this.#perHost.clear();
    this.#refusedKeys.clear();
  }

  /**
   * Splits a validated batch into the samples to store and those refused.
   *
   * @param batch Samples as columns (labels canonical).
   * @returns The admitted samples and what was refused.
   */
  filter(batch: IngestBatch): IngestSeriesVerdict {
    this.#all.roll();
    this.#sync();
    const n = batch.ts.length;
    let keep: number[] | undefined;
    let refusedSamples = 0;
    const refused = new Set<string>();
    let why = "";
    for (let i = 0; i < n; i++) {
      const host = batch.host[i]!;
      const key = `${host}\n${batch.metric[i]}\n${batch.labels[i]}`;
      let ok = this.#all.known(key);
      if (!ok) {
        // known() starts a new window when the clock passed the end of this one mid-batch
        this.#sync();
        const own = this.#perHost.get(host) ?? 0;
        if (own >= this.#maxPerHost) {
          why ||= `host ${host} is past its limit of ${this.#maxPerHost} new series per hour ` +
            "(receivers_limits.max_series_per_source)";
        } else if (!this.#all.create(key)) {
          why ||=
            `all hosts together are past the limit of ${this.#all.maxSeries} new series per ` +
            "hour (receivers_limits.max_ingest_series)";
        } else {
          this.#perHost.set(host, own + 1);
          ok = true;
        }
      }
      if (ok) {
        keep?.push(i);
        continue;
      }
      if (keep === undefined) keep = Array.from({ length: i }, (_, k) => k);
      refusedSamples++;
      refused.add(key);
      if (!this.#refusedKeys.has(key)) {
        this.refusedSeries++;
        // remembered only up to the total limit: the count of an attack stays bounded in memory
        if (this.#refusedKeys.size < this.#all.maxSeries) this.#refusedKeys.add(key);
      }
    }
    this.refusedSamples += refusedSamples;
    const refusedSeries = refused.size;
    if (keep === undefined) return { batch, refusedSamples: 0, refusedSeries: 0, message: "" };
    return {
      batch: batchRows(batch, keep),
      refusedSamples,
      refusedSeries,
      message:
        `${refusedSamples} sample${refusedSamples === 1 ? "" : "s"} of ${refusedSeries} new ` +
        `series refused: ${why}`,
    };
  }
}

function checked(name: string, v: number): number {
  if (!(Number.isInteger(v) && v > 0)) throw new RangeError(`Invalid ${name}: ${v}`);
  return v;
}

/**
 * The rows `keep` names of a batch, in that order: what is left of a request once some of its
 * samples are refused (here by the series limit, in the OTLP route by the time window).
 *
 * @param batch The request's samples.
 * @param keep Indices of the rows kept.
 * @returns A new batch of those rows.
 */
export function batchRows(batch: IngestBatch, keep: readonly number[]): IngestBatch {
  const pick = <T>(xs: readonly T[]): T[] => keep.map((i) => xs[i]!);
  return {
    ts: pick(batch.ts),
    host: pick(batch.host),
    metric: pick(batch.metric),
    labels: pick(batch.labels),
    value: pick(batch.value),
  };
}
