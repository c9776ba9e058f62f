/**
 * The StatsD listener: UDP on `127.0.0.1:8125` by default (node:dgram; `Deno.listenDatagram`
 * is still behind `--unstable-net`), packets aggregated by {@linkcode StatsdAggregator} and
 * flushed to the sink every second. A packet over the size cap is refused whole and counted;
 * malformed lines are counted and logged at most once a minute.
 *
 * @module
 */
import dgram from "node:dgram";
import { deliver, type DeliveryStats, type ReceiverSink } from "./deliver.ts";
import { LogLimiter } from "./_log_limiter.ts";
import { StatsdAggregator } from "./statsd_aggregator.ts";

/** Options for {@linkcode StatsdServer.listen}. */
export interface StatsdServerOptions {
  /** `host:port` to listen on; default `127.0.0.1:8125` (port 0 picks a free one). */
  listen?: string;
  /** The `host` column. */
  host: string;
  /** Where samples go. */
  sink: ReceiverSink;
  /** Time between flushes, ms; default 1000. */
  flushMs?: number;
  /** Largest packet taken, bytes; default 8192 (a bigger one is refused and counted). */
  maxPacketBytes?: number;
  /** Most distinct series; default 10 000. */
  maxSeries?: number;
  /** The aggregator of the listener this one replaces ({@linkcode StatsdServer.aggregator}, after
   * its `close`), taken over with `maxSeries`, so a config reload keeps the series held (gauges'
   * values, the places of the series flowing) and the counts since start. Default a new one. */
  aggregator?: StatsdAggregator;
  /** Log lines; default stderr. */
  log?: (line: string) => void;
  /** Clock; default `Date.now`. */
  now?: () => number;
}

/** The listener's counters. */
export interface StatsdStatus extends DeliveryStats {
  packets: number;
  lines: number;
  oversized: number;
  malformed: number;
  limited: number;
  /** Samples dropped because the lake would refuse them (long names or tag values, infinities). */
  invalid: number;
}

/**
 * Splits `host:port` (IPv6 in brackets).
 *
 * @param text The address.
 * @returns Host name and port.
 * @throws {RangeError} If it is not `host:port`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseListen } from "./statsd_server.ts";
 * assert.deepEqual(parseListen("127.0.0.1:8125"), { hostname: "127.0.0.1", port: 8125 });
 * ```
 */
export function parseListen(text: string): { hostname: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(m?.[3]);
  if (!m || !(port >= 0 && port <= 65535)) {
    throw new RangeError(
      `Invalid listen address ${JSON.stringify(text)} (use host:port, e.g. 127.0.0.1:8125)`,
    );
  }
  return { hostname: (m[1] ?? m[2])!, port };
}

/**
 * A running StatsD listener.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { StatsdServer } from "./statsd_server.ts";
 * const server = await StatsdServer.listen({ listen: "127.0.0.1:0", host: "h", sink: () => {} });
 * assert.ok(server.port > 0);
 * await server.close();
 * ```
 */
export class StatsdServer {
  #socket: dgram.Socket;
  #agg: StatsdAggregator;
  #timer: ReturnType<typeof setInterval>;
  #sink: ReceiverSink;
  #logs: LogLimiter;
  #max: number;
  #stats: StatsdStatus = {
    packets: 0,
    lines: 0,
    oversized: 0,
    malformed: 0,
    invalid: 0,
    limited: 0,
    stored: 0,
    busy: 0,
    refused: 0,
  };
  /** The bound port. */
  readonly port: number;

  private constructor(socket: dgram.Socket, options: StatsdServerOptions) {
    this.#socket = socket;
    this.port = socket.address().port;
    this.#sink = options.sink;
    this.#max = options.maxPacketBytes ?? 8192;
    this.#logs = new LogLimiter(options.log ?? ((l) => console.error(l)), 60_000, options.now);
    this.#agg = options.aggregator ?? new StatsdAggregator({
      host: options.host,
      ...(options.maxSeries !== undefined && { maxSeries: options.maxSeries }),
      ...(options.now && { now: options.now }),
    });
    if (options.aggregator) {
      options.aggregator.resize(options.maxSeries ?? 10_000);
      // counted before: the first flush logs only what is dropped from now on
      this.#stats.lines = this.#agg.lines;
      this.#stats.malformed = this.#agg.malformed;
      this.#stats.limited = this.#agg.limited;
    }
    socket.on("message", (msg: Uint8Array) => {
      this.#stats.packets++;
      if (msg.length > this.#max) {
        this.#stats.oversized++;
        this.#logs.line(
          "oversized",
          `statsd: refused a ${msg.length}-byte packet (limit ${this.#max} bytes)`,
        );
        return;
      }
      const { text, notUtf8 } = utf8Lines(msg);
      let bad = this.#agg.packet(text);
      if (notUtf8 > 0) {
        bad += notUtf8;
        this.#agg.malformed += notUtf8;
        this.#agg.lastProblem = "not valid UTF-8 (such a line is dropped, not stored with U+FFFD)";
      }
      if (bad > 0) {
        this.#logs.line(
          "malformed",
          `statsd: ${bad} malformed lines dropped: ${this.#agg.lastProblem}`,
        );
      }
    });
    this.#timer = setInterval(() => this.flush(), options.flushMs ?? 1000);
  }

  /**
   * Binds the socket and starts flushing.
   *
   * @param options See {@linkcode StatsdServerOptions}.
   * @returns The server once it listens.
   * @throws {RangeError} On a bad `listen` address.
   * @throws {Error} If the port cannot be bound.
   */
  static listen(options: StatsdServerOptions): Promise<StatsdServer> {
    const { hostname, port } = parseListen(options.listen ?? "127.0.0.1:8125");
    const h = hostname.toLowerCase();
    if (!(h === "localhost" || h === "::1" || /^127\./.test(h))) {
      // UDP carries no token: say so once, as serve does for --insecure
      (options.log ?? ((l: string) => console.error(l)))(
        `WARNING: statsd listens on ${hostname}:${port} without authentication (UDP has none): ` +
          "anyone who can reach it can push metrics, within the series limit",
      );
    }
    const socket = dgram.createSocket(hostname.includes(":") ? "udp6" : "udp4");
    return new Promise((resolve, reject) => {
      socket.once("error", reject);
      socket.bind(port, hostname, () => {
        socket.off("error", reject);
        socket.on("error", (e) => console.error(`statsd: ${e.message}`));
        resolve(new StatsdServer(socket, options));
      });
    });
  }

  /** Hands what arrived since the last flush to the sink (called every `flushMs`). */
  flush(): void {
    const limitedBefore = this.#stats.limited;
    this.#stats.lines = this.#agg.lines;
    this.#stats.malformed = this.#agg.malformed;
    this.#stats.limited = this.#agg.limited;
    if (this.#stats.limited > limitedBefore) {
      this.#logs.line(
        "limit",
        `statsd: ${
          this.#stats.limited - limitedBefore
        } lines of new series dropped: over the limit of ` +
          "distinct series (receivers_limits.max_series_per_source)",
      );
    }
    const invalidBefore = this.#agg.invalid;
    const batch = this.#agg.flush();
    this.#stats.invalid = this.#agg.invalid;
    if (this.#agg.invalid > invalidBefore) {
      this.#logs.line(
        "invalid",
        `statsd: ${this.#agg.invalid - invalidBefore} samples dropped: ${this.#agg.lastInvalid}`,
      );
    }
    deliver(this.#sink, batch, this.#stats, this.#logs, "statsd");
  }

  /** Its aggregator, for the listener that replaces this one after a config reload. */
  get aggregator(): StatsdAggregator {
    return this.#agg;
  }

  /** The counters. */
  status(): StatsdStatus {
    this.#stats.invalid = this.#agg.invalid;
    this.#stats.lines = this.#agg.lines;
    this.#stats.malformed = this.#agg.malformed;
    this.#stats.limited = this.#agg.limited;
    return { ...this.#stats };
  }

  /** Stops listening, after a last flush. */
  close(): Promise<void> {
    clearInterval(this.#timer);
    this.flush();
    return new Promise((resolve) => this.#socket.close(() => resolve()));
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** A packet's text without its lines that are not UTF-8 (a lenient decoder would have stored
 * their tags with U+FFFD in place of the bytes), and how many such lines there were. */
function utf8Lines(packet: Uint8Array): { text: string; notUtf8: number } {
  try {
    return { text: strictUtf8.decode(packet), notUtf8: 0 };
  } catch {
    const good: string[] = [];
    let notUtf8 = 0;
    for (let start = 0; start <= packet.length;) {
      let end = packet.indexOf(10, start);
      if (end < 0) end = packet.length;
      try {
        good.push(strictUtf8.decode(packet.subarray(start, end)));
      } catch {
        notUtf8++;
      }
      start = end + 1;
    }
    return { text: good.join("\n"), notUtf8 };
  }
}
