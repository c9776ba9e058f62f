/**
 * Starts the receivers a config asks for (scrape targets, StatsD, probes; the OTLP receiver is
 * made here and served by the web app) and stops them together.
 *
 * @module
 */
import type { PerfscopeConfig } from "../config/mod.ts";
import type { ReceiverSink } from "./deliver.ts";
import { OtlpReceiver } from "./otlp_receiver.ts";
import { ProbeManager } from "./probe_manager.ts";
import { ScrapeManager } from "./scrape_manager.ts";
import { StatsdServer } from "./statsd_server.ts";

/** Options for {@linkcode startReceivers}. */
export interface StartReceiversOptions {
  /** The `host` column where the config names none (the serve host). */
  host: string;
  /** Where samples go. */
  sink: ReceiverSink;
  /** Log lines; default stderr. */
  log?: (line: string) => void;
  /** Clock; default `Date.now`. */
  now?: () => number;
  /** The receivers these replace after a config reload, stopped: their scrape targets' and
   * StatsD's memories (series limits, counter values, gauges) are taken over, with the new
   * `max_series_per_source`, so the series flowing keep their places. Default none. */
  previous?: Receivers;
}

/** The running receivers. */
export interface Receivers {
  /** The OTLP receiver for `/v1/metrics`, unless `otlp.enabled` is false. */
  otlp: OtlpReceiver | undefined;
  scrape: ScrapeManager | undefined;
  statsd: StatsdServer | undefined;
  probes: ProbeManager | undefined;
  /** Stops everything (a last StatsD flush included). */
  stop(): Promise<void>;
}

/**
 * Starts the receivers of a config.
 *
 * @param config The validated config (`scrape`, `otlp`, `statsd`, `probes`,
 * `receivers_limits`).
 * @param options Host, sink, log.
 * @returns The receivers.
 * @throws {Error} If the StatsD port cannot be bound or a probe's `ca_file` cannot be read
 * (nothing else is left running then).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { startReceivers } from "./start_receivers.ts";
 * const r = await startReceivers({}, { host: "h", sink: () => {} });
 * assert.ok(r.otlp);
 * assert.equal(r.statsd, undefined);
 * await r.stop();
 * ```
 */
export async function startReceivers(
  config: Pick<PerfscopeConfig, "scrape" | "otlp" | "statsd" | "probes" | "receivers_limits">,
  options: StartReceiversOptions,
): Promise<Receivers> {
  const limits = config.receivers_limits ?? {};
  const maxSeries = limits.max_series_per_source;
  const common = {
    host: options.host,
    sink: options.sink,
    ...(options.log && { log: options.log }),
    ...(options.now && { now: options.now }),
  };
  // files first: a missing CA file fails before anything listens
  const probeSpecs = (config.probes ?? []).map((p) => ({
    name: p.name,
    ...(p.http !== undefined && { http: p.http }),
    ...(p.tcp !== undefined && { tcp: p.tcp }),
    ...(p.interval !== undefined && { intervalMs: p.interval }),
    ...(p.timeout !== undefined && { timeoutMs: p.timeout }),
    ...(p.match !== undefined && { match: p.match }),
    ...(p.ca_file !== undefined && { ca: Deno.readTextFileSync(p.ca_file) }),
  }));
  const statsd = config.statsd
    ? await StatsdServer.listen({
      ...common,
      ...(config.statsd.listen !== undefined && { listen: config.statsd.listen }),
      ...(config.statsd.flush !== undefined && { flushMs: config.statsd.flush }),
      ...(config.statsd.max_packet_bytes !== undefined &&
        { maxPacketBytes: config.statsd.max_packet_bytes }),
      ...(maxSeries !== undefined && { maxSeries }),
      ...(options.previous?.statsd && { aggregator: options.previous.statsd.aggregator }),
    })
    : undefined;
  const scrape = config.scrape?.length
    ? new ScrapeManager({
      ...common,
      targets: config.scrape.map((t) => ({
        url: t.url,
        ...(t.name !== undefined && { name: t.name }),
        ...(t.interval !== undefined && { intervalMs: t.interval }),
        ...(t.timeout !== undefined && { timeoutMs: t.timeout }),
        ...(t.labels !== undefined && { labels: t.labels }),
        ...(t.host !== undefined && { host: t.host }),
      })),
      ...(maxSeries !== undefined && { maxSeriesPerTarget: maxSeries }),
      ...(limits.max_scrape_bytes !== undefined && { maxBodyBytes: limits.max_scrape_bytes }),
      ...(options.previous?.scrape && { memory: options.previous.scrape.memory() }),
    })
    : undefined;
  const probes = config.probes?.length
    ? new ProbeManager({
      ...common,
      probes: probeSpecs,
    })
    : undefined;
  const otlp = config.otlp?.enabled === false ? undefined : new OtlpReceiver({
    host: options.host,
    ...(maxSeries !== undefined && { maxSeries }),
    ...(options.now && { now: options.now }),
    ...(options.log && { log: options.log }),
  });
  return {
    otlp,
    scrape,
    statsd,
    probes,
    async stop() {
      await Promise.all([scrape?.stop(), probes?.stop(), statsd?.close()]);
    },
  };
}
