/**
 * Test helpers for the notifier: a real webhook receiver on loopback that records what it gets
 * and answers with scripted statuses, and alert transitions built from a few fields.
 *
 * @module
 */
import type { AlertState, AlertTransition } from "../../alerts/mod.ts";

/** A recorded request. */
export interface Received {
  path: string;
  headers: Headers;
  body: unknown;
}

/** A webhook receiver listening on 127.0.0.1. */
export interface WebhookServer {
  url: string;
  received: Received[];
  /** Statuses to answer with, in order; once used up, 200. */
  statuses: number[];
  /** Resolves when `n` requests have arrived. */
  waitFor(n: number): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Starts a webhook receiver on a free loopback port.
 *
 * @param hold When given, each request waits for this promise before it is answered.
 * @returns The server.
 */
export function webhookServer(hold?: () => Promise<void>): WebhookServer {
  const received: Received[] = [];
  const statuses: number[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    received.push({
      path: new URL(req.url).pathname,
      headers: req.headers,
      body: await req.json(),
    });
    for (const w of waiters.filter((w) => received.length >= w.n)) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
    if (hold) await hold();
    return new Response("ok", { status: statuses.shift() ?? 200 });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hook`,
    received,
    statuses,
    waitFor(n) {
      if (received.length >= n) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ n, resolve }));
    },
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

/** A fixed instant: 2024-01-01T00:00:00Z. */
export const T0 = Date.UTC(2024, 0, 1);

/** A 16-hex-digit fingerprint from labels (FNV-1a, good enough for tests). */
export function fingerprintOf(labels: Record<string, string>): string {
  let h = 0xcbf29ce484222325n;
  for (const ch of JSON.stringify(Object.entries(labels).sort())) {
    h ^= BigInt(ch.charCodeAt(0));
    h = (h * 0x100000001b3n) & 0xffffffffffffffffn;
  }
  return h.toString(16).padStart(16, "0");
}

/**
 * A transition of one alert instance.
 *
 * @param labels Its labels (`alertname` is the rule).
 * @param to The new state.
 * @param at When, ms.
 * @param options The previous state (default `pending`, or `firing` when `to` is `resolved`),
 * when it fired, and annotations.
 * @returns The transition.
 */
export function transition(
  labels: Record<string, string>,
  to: AlertState,
  at: number,
  options: { from?: AlertState; firedAt?: number; annotations?: Record<string, string> } = {},
): AlertTransition {
  const from = options.from ?? (to === "resolved" ? "firing" : "pending");
  const firedAt = options.firedAt ?? (to === "firing" ? at : NaN);
  return {
    at,
    from,
    to,
    instance: {
      rule: labels.alertname ?? "",
      fingerprint: fingerprintOf(labels),
      labels,
      annotations: options.annotations ?? {},
      state: to,
      value: 1,
      activeAt: firedAt,
      firedAt,
      resolvedAt: to === "resolved" ? at : NaN,
    },
  };
}
