/**
 * Runs the scrape targets of the config, each on its own interval, and hands every scrape's
 * samples to the sink. A failing target gets `up` 0 and a log line (at most one a minute per
 * target, plus one when it comes back); the others keep going.
 *
 * @module
 */
import { CumulativeState } from "./convert_exposition.ts";
import { deliver, type DeliveryStats, type ReceiverSink } from "./deliver.ts";
import { LogLimiter } from "./_log_limiter.ts";
import { sleep } from "./_sleep.ts";
import { SeriesLimit } from "./series_limit.ts";
import { type ScrapeTarget, scrapeTarget, targetName } from "./scrape_target.ts";

/** Options for {@linkcode ScrapeManager}. */
export interface ScrapeManagerOptions {
  /** The targets. */
  targets: readonly ScrapeTarget[];
  /** The `host` column for targets that name none. */
  host: string;
  /** Where samples go. */
  sink: ReceiverSink;
  /** Most series per target per hour (those of the hour before keep their places); default 10 000. */
  maxSeriesPerTarget?: number;
  /** Largest body of a scrape, bytes; default 8 MiB. */
  maxBodyBytes?: number;
  /** What an earlier manager's targets remembered ({@linkcode ScrapeManager.memory}, after its
   * `stop`): a target of the same URL, name and labels takes its series limit (set to this
   * manager's `maxSeriesPerTarget`) and counter values over, so a config reload neither gives
   * its flowing series' places to new ones nor loses a counter's rate. Default none. */
  memory?: ReadonlyMap<string, TargetMemory>;
  /** Log lines; default stderr. */
  log?: (line: string) => void;
  /** Clock; default `Date.now`. */
  now?: () => number;
}

/** What a target's scrapes remember from one to the next. */
export interface TargetMemory {
  /** Its series limit: the series of this window and the one before. */
  limit: SeriesLimit;
  /** Its counters' and histograms' last values (for rates). */
  state: CumulativeState;
}

/**
 * Which target's memory a target may take over: the same URL, `target` label and labels, so the
 * same series (a new interval, timeout or `host` column keeps the memory; another page or other
 * labels start afresh, as their series are other series).
 *
 * @param t The target.
 * @returns The key.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { targetMemoryKey } from "./scrape_manager.ts";
 * const url = "http://127.0.0.1:9100/metrics";
 * assert.equal(
 *   targetMemoryKey({ url, labels: { a: "1", b: "2" }, intervalMs: 1000 }),
 *   targetMemoryKey({ url, labels: { b: "2", a: "1" } }),
 * );
 * ```
 */
export function targetMemoryKey(t: ScrapeTarget): string {
  const labels = Object.entries(t.labels ?? {}).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0);
  return JSON.stringify([t.url, targetName(t), labels]);
}

/** A target's state as the manager reports it. */
export interface TargetStatus extends DeliveryStats {
  name: string;
  url: string;
  up: boolean;
  lastError?: string;
  scrapes: number;
  /** Samples dropped by the cardinality limit. */
  limited: number;
  /** Samples dropped as the lake would refuse them. */
  invalid: number;
}

/**
 * Scrapes targets until stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ScrapeManager } from "./scrape_manager.ts";
 * const manager = new ScrapeManager({ targets: [], host: "h", sink: () => {} });
 * await manager.stop();
 * assert.deepEqual(manager.status(), []);
 * ```
 */
export class ScrapeManager {
  #stop = new AbortController();
  #loops: Promise<void>[] = [];
  #status: TargetStatus[] = [];
  #logs: LogLimiter;
  #memory = new Map<string, TargetMemory>();

  /** @param options See {@linkcode ScrapeManagerOptions}. Scraping starts at once. */
  constructor(readonly options: ScrapeManagerOptions) {
    this.#logs = new LogLimiter(options.log ?? ((l) => console.error(l)), 60_000, options.now);
    const max = options.maxSeriesPerTarget ?? 10_000;
    for (const t of options.targets) {
      const key = targetMemoryKey(t);
      // a target listed twice takes the earlier memory once: two loops never share one
      let memory = this.#memory.has(key) ? undefined : options.memory?.get(key);
      if (memory) memory.limit.resize(max);
      memory ??= {
        limit: new SeriesLimit({ maxSeries: max, ...(options.now && { now: options.now }) }),
        state: new CumulativeState(),
      };
      if (!this.#memory.has(key)) this.#memory.set(key, memory);
      this.#loops.push(this.#run(t, memory));
    }
  }

  /**
   * What each target remembers, by {@linkcode targetMemoryKey}, for the manager that follows
   * this one after a config reload (call it after {@linkcode ScrapeManager.stop}: a stopped
   * manager's targets change it no more).
   *
   * @returns The memories (the manager's own objects, handed over, not copied).
   */
  memory(): ReadonlyMap<string, TargetMemory> {
    return this.#memory;
  }

  /** Each target's counters. */
  status(): TargetStatus[] {
    return this.#status.map((s) => ({ ...s }));
  }

  async #run(target: ScrapeTarget, memory: TargetMemory): Promise<void> {
    const name = targetName(target);
    const status: TargetStatus = {
      name,
      url: target.url,
      up: false,
      scrapes: 0,
      stored: 0,
      busy: 0,
      refused: 0,
      limited: 0,
      invalid: 0,
    };
    this.#status.push(status);
    const { state, limit } = memory;
    const signal = this.#stop.signal;
    const interval = target.intervalMs ?? 15_000;
    const source = `scrape ${name}`;
    while (!signal.aborted) {
      const began = performance.now();
      const r = await scrapeTarget(target, state, {
        host: this.options.host,
        limit,
        signal,
        ...(this.options.maxBodyBytes !== undefined && { maxBodyBytes: this.options.maxBodyBytes }),
        ...(this.options.now && { now: this.options.now }),
      });
      if (signal.aborted) break;
      status.scrapes++;
      status.limited += r.limited;
      status.invalid += r.invalid;
      if (r.error !== undefined) {
        status.lastError = r.error;
        this.#logs.line(source, `${source} (${target.url}): down: ${r.error}`);
      } else if (!status.up && status.scrapes > 1) {
        this.#logs.log(`${source} (${target.url}): up again`);
      }
      status.up = r.error === undefined;
      if (r.limited > 0) {
        this.#logs.line(
          `${source}:limit`,
          `${source}: ${r.limited} samples dropped: the target is over its limit of ` +
            `${limit.maxSeries} series (receivers_limits.max_series_per_source); the series ` +
            "stored keep their places",
        );
      }
      if (r.invalid > 0) {
        this.#logs.line(
          `${source}:invalid`,
          `${source}: ${r.invalid} samples dropped: ${r.problems.join("; ")}`,
        );
      }
      const refused = status.refused;
      if (
        !deliver(this.options.sink, r.batch, status, this.#logs, source) &&
        status.refused > refused && r.healthAlone
      ) {
        // refused whole (logged): the target's health still says it answered and lost it all;
        // the batch's samples stay counted as refused, the health samples stored count as stored
        const alone = r.healthAlone();
        status.refused -= alone.ts.length;
        deliver(this.options.sink, alone, status, this.#logs, source);
      }
      const wait = Math.max(0, interval - (performance.now() - began));
      await sleep(wait, signal);
    }
  }

  /** Stops every target (a scrape in flight is aborted) and waits for the loops to end. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }
}
