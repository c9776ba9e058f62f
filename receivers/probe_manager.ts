/**
 * Runs the config's probes, each on its interval, and hands the results to the sink; a probe
 * that starts failing (or recovers) gets a log line, at most one a minute while it fails.
 *
 * @module
 */
import { deliver, type DeliveryStats, type ReceiverSink } from "./deliver.ts";
import { LogLimiter } from "./_log_limiter.ts";
import { sleep } from "./_sleep.ts";
import { probeSamples, type ProbeSpec, runProbe } from "./probe.ts";

/** Options for {@linkcode ProbeManager}. */
export interface ProbeManagerOptions {
  probes: readonly ProbeSpec[];
  /** The `host` column. */
  host: string;
  sink: ReceiverSink;
  /** Log lines; default stderr. */
  log?: (line: string) => void;
  /** Clock; default `Date.now`. */
  now?: () => number;
}

/**
 * Probes until stopped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProbeManager } from "./probe_manager.ts";
 * const m = new ProbeManager({ probes: [], host: "h", sink: () => {} });
 * await m.stop();
 * assert.deepEqual(m.stats, { stored: 0, busy: 0, refused: 0 });
 * ```
 */
export class ProbeManager {
  #stop = new AbortController();
  #loops: Promise<void>[];
  #logs: LogLimiter;
  /** What became of the probes' samples. */
  stats: DeliveryStats = { stored: 0, busy: 0, refused: 0 };

  /** @param options See {@linkcode ProbeManagerOptions}. Probing starts at once. */
  constructor(readonly options: ProbeManagerOptions) {
    this.#logs = new LogLimiter(options.log ?? ((l) => console.error(l)), 60_000, options.now);
    this.#loops = options.probes.map((p) => this.#run(p));
  }

  async #run(spec: ProbeSpec): Promise<void> {
    const signal = this.#stop.signal;
    const now = this.options.now ?? Date.now;
    let failing = false;
    while (!signal.aborted) {
      const began = performance.now();
      const ts = now();
      const r = await runProbe(spec);
      if (signal.aborted) break;
      const source = `probe ${spec.name}`;
      if (!r.success) this.#logs.line(source, `${source}: failed: ${r.error}`);
      else if (failing) this.#logs.log(`${source}: succeeds again`);
      failing = !r.success;
      deliver(
        this.options.sink,
        probeSamples(spec, r, this.options.host, ts),
        this.stats,
        this.#logs,
        source,
      );
      const wait = Math.max(0, (spec.intervalMs ?? 15_000) - (performance.now() - began));
      await sleep(wait, signal);
    }
  }

  /** Stops the probes (waits for one in flight, at most its timeout). */
  async stop(): Promise<void> {
    this.#stop.abort();
    await Promise.all(this.#loops);
  }
}
