/**
 * One HTTP delivery with retries: POST JSON, retry on 5xx, 429, timeouts and network errors with
 * exponential backoff and jitter; a 4xx other than 408/429 is the receiver saying the
 * request is wrong, so it is not retried.
 *
 * @module
 */

/** Options for {@linkcode deliver}. */
export interface DeliverOptions {
  /** Extra request headers. Default none. */
  headers?: Readonly<Record<string, string>>;
  /** Longest wait for one attempt, ms. Default 10 000. */
  timeoutMs?: number;
  /** Attempts in all. Default 5. */
  attempts?: number;
  /** First backoff, ms; doubled each retry. Default 500. */
  initialBackoffMs?: number;
  /** Longest backoff, ms. Default 30 000. */
  maxBackoffMs?: number;
  /** Random in [0, 1) for the jitter. Default `Math.random`. */
  random?: () => number;
  /** Stops waiting and retrying (e.g. on shutdown). */
  signal?: AbortSignal;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
}

/** How a delivery ended. */
export interface DeliverResult {
  ok: boolean;
  /** Attempts made. */
  attempts: number;
  /** Last HTTP status; 0 when no answer came. */
  status: number;
  /** The last error, when not ok. */
  error?: string;
}

function retryable(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/**
 * A network error on one line, in the words a user acts on. fetch says "fetch failed" and puts
 * the reason in its cause, which Deno wraps as `error sending request for url (URL): client error
 * (Connect): tcp connect error: Connection refused (os error 111)`: the receiver's URL is on the
 * page already, so what is kept is the step that failed (connect or the request) and the reason.
 */
function networkProblem(e: unknown): string {
  const cause = (e as Error).cause;
  const text = cause instanceof Error ? cause.message : String((e as Error).message ?? e);
  const deno = text.match(/^error sending request .*?: client error \((\w+)\): (.+)$/s);
  if (!deno) return cause instanceof Error ? `${(e as Error).message}: ${text}` : text;
  const reason = deno[2]!.replace(/^tcp connect error: /, "").replace(/ \(os error \d+\)$/, "");
  return `${deno[1] === "Connect" ? "Cannot connect" : "Request failed"}: ${reason}`;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    }
  });
}

/**
 * POSTs a JSON body, retrying as described in the module doc.
 *
 * @param url Where to.
 * @param body The body, serialized once.
 * @param options Headers, timeout, attempts, backoff.
 * @returns How it ended; never throws.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { deliver } from "./deliver.ts";
 * let calls = 0;
 * const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () =>
 *   new Response(null, { status: ++calls < 2 ? 500 : 200 }));
 * const result = await deliver(`http://127.0.0.1:${server.addr.port}/`, {}, { initialBackoffMs: 1 });
 * await server.shutdown();
 * assert.deepEqual(result, { ok: true, attempts: 2, status: 200 });
 * ```
 */
export async function deliver(
  url: string,
  body: unknown,
  options: DeliverOptions = {},
): Promise<DeliverResult> {
  const attempts = Math.max(1, options.attempts ?? 5);
  const initial = options.initialBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 30_000;
  const random = options.random ?? Math.random;
  const doFetch = options.fetch ?? fetch;
  const text = JSON.stringify(body);
  let status = 0;
  let error = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    if (options.signal?.aborted) {
      return { ok: false, attempts: attempt - 1, status, error: "Aborted" };
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 10_000);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    try {
      const res = await doFetch(url, {
        method: "POST",
        headers: { ...options.headers, "content-type": "application/json" },
        body: text,
        signal,
      });
      status = res.status;
      const answer = await res.text().catch(() => "");
      if (res.ok) return { ok: true, attempts: attempt, status };
      error = `HTTP ${res.status}${answer ? `: ${answer.slice(0, 200).trim()}` : ""}`;
      if (!retryable(res.status)) return { ok: false, attempts: attempt, status, error };
    } catch (e) {
      status = 0;
      error = timeout.aborted
        ? `Timeout after ${options.timeoutMs ?? 10_000} ms`
        : networkProblem(e);
    }
    if (attempt < attempts) {
      // "equal jitter" (AWS architecture blog, "Exponential Backoff And Jitter"): at least half
      // the backoff, so a failing receiver gets room, and a random half that spreads the retries
      // of notifiers that failed together
      const cap = Math.min(max, initial * 2 ** (attempt - 1));
      await sleep(cap / 2 + random() * cap / 2, options.signal);
    }
  }
  return { ok: false, attempts, status, error };
}
