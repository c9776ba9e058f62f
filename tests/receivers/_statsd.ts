/**
 * Test helpers: a StatsD server on loopback that keeps what it stores and logs, flushed by hand,
 * and the real hot-shots client sending to it over UDP.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix
import StatsD from "npm:hot-shots@17.1.1";
import { type IngestBatch, StatsdServer } from "../../receivers/mod.ts";

/** What {@linkcode capturingServer} gives: the server and what it stored and logged. */
export interface CapturingServer {
  server: StatsdServer;
  /** Each flush's batch, in order. */
  batches: IngestBatch[];
  /** Its log lines, in order. */
  log: string[];
  /** Its clock, ms: move `t` on before flushing. */
  clock: { t: number };
}

/**
 * A StatsD server on a free loopback port that keeps what it stores and logs, flushed only by
 * hand (a one-hour interval) against a clock the test moves through `clock.t`.
 *
 * @param options `maxPacketBytes`: the server's packet limit. Default the server's.
 * @returns The server and what it keeps. Close it when done.
 */
export async function capturingServer(
  options: { maxPacketBytes?: number } = {},
): Promise<CapturingServer> {
  const batches: IngestBatch[] = [];
  const log: string[] = [];
  const clock = { t: 1_700_000_000_000 };
  const server = await StatsdServer.listen({
    listen: "127.0.0.1:0",
    host: "h",
    sink: (b) => void batches.push(b),
    log: (l) => void log.push(l),
    flushMs: 3_600_000,
    ...options,
    now: () => clock.t,
  });
  return { server, batches, log, clock };
}

/**
 * Waits (up to 10 s) until `server` has read `packets` packets, then moves the clock on by
 * `stepMs` and flushes.
 *
 * @param server The server.
 * @param packets How many packets it should have read.
 * @param clock Its clock (from {@linkcode capturingServer}).
 * @param stepMs How far to move the clock before the flush.
 */
export async function flushAfter(
  server: StatsdServer,
  packets: number,
  clock: { t: number },
  stepMs: number,
): Promise<void> {
  for (let i = 0; i < 500 && server.status().packets < packets; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  clock.t += stepMs;
  server.flush();
}

/**
 * A hot-shots client sending each metric at once (no buffer) over UDP to `port` on loopback.
 *
 * @param port The server's port.
 * @returns The client (close it when done) and `send`, which resolves once hot-shots has sent
 * what the call given to it sends (or rejects with its error).
 */
export function hotShots(port: number): {
  client: InstanceType<typeof StatsD>;
  send(fn: (cb: (e?: Error) => void) => void): Promise<void>;
} {
  const client = new StatsD({ host: "127.0.0.1", port, protocol: "udp", maxBufferSize: 0 });
  const send = (fn: (cb: (e?: Error) => void) => void) =>
    new Promise<void>((r, j) => fn((e) => (e ? j(e) : r())));
  return { client, send };
}
