/**
 * Reads a request body under limits, before the route sees it: a size limit checked on the
 * declared `Content-Length` before any byte is read (413), an idle and a total read timeout
 * (408) so a client dribbling bytes cannot hold a request open, and an optional byte budget
 * shared across requests (503) so many uploads at once cannot exhaust memory.
 *
 * The body is read chunk by chunk into memory that grows with what actually arrived; letting
 * the runtime read it (`arrayBuffer()`) would reserve the declared length up front, which is
 * how 50 connections declaring 60 MB each held 1.6 GB while sending a byte every 5 s.
 *
 * @module
 */
import type { Context, MiddlewareHandler, Next } from "hono";
import { formatDuration } from "../../config/mod.ts";
import { PayloadTooLargeError, RequestTimeoutError, UnavailableError } from "../errors.ts";
import type { BodyBudget } from "./body_budget.ts";

/** Options for {@linkcode bodyGuard}. */
export interface BodyGuardOptions {
  /** Largest body in bytes (required). */
  maxBytes: number;
  /** Longest wait for the next chunk of the body, in ms; default 10 000. */
  idleTimeoutMs?: number;
  /** Longest time to receive the whole body, in ms; default 30 000. */
  totalTimeoutMs?: number;
  /** Byte budget shared with other routes' guards; default none (only `maxBytes` applies). */
  budget?: BodyBudget;
  /** `Retry-After` (seconds) of the 503 when the budget is full; default 1. */
  retryAfterSeconds?: number;
}

/** The chunks each guarded request's body was read into (see {@linkcode guardedChunks}), and
 * their join once a route asked for it (see {@linkcode guardedBody}). */
const bodies = new WeakMap<Request, { chunks: Uint8Array[]; size: number; joined?: Uint8Array }>();

/**
 * The body the guard read, as the bytes it holds, so a route can use them without reading the
 * request again (which would copy them); `undefined` when no guard read this request.
 *
 * @param request The request a route sees (`c.req.raw`).
 * @returns The body's bytes, or `undefined`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { bodyGuard, guardedBody } from "./body_guard.ts";
 * const app = new Hono().post("/", bodyGuard({ maxBytes: 10 }), (c) =>
 *   c.text(String(guardedBody(c.req.raw)?.length)));
 * assert.equal(await (await app.request("/", { method: "POST", body: "abc" })).text(), "3");
 * ```
 */
export function guardedBody(request: Request): Uint8Array | undefined {
  const body = bodies.get(request);
  if (body === undefined) return undefined;
  body.joined ??= body.chunks.length === 1 ? body.chunks[0]! : concat(body.chunks, body.size);
  return body.joined;
}

/**
 * The body the guard read, as the chunks it arrived in (each a whole buffer of its own), so a
 * route can hand them on without joining them first (the ingest route gives them to its parse
 * thread); `undefined` when no guard read this request. A route that transfers their buffers
 * must not read the body again.
 *
 * @param request The request a route sees (`c.req.raw`).
 * @returns The body's chunks in order, or `undefined`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { bodyGuard, guardedChunks } from "./body_guard.ts";
 * const app = new Hono().post("/", bodyGuard({ maxBytes: 10 }), (c) =>
 *   c.text(String(guardedChunks(c.req.raw)?.reduce((n, b) => n + b.length, 0))));
 * assert.equal(await (await app.request("/", { method: "POST", body: "abc" })).text(), "3");
 * ```
 */
export function guardedChunks(request: Request): readonly Uint8Array[] | undefined {
  const body = bodies.get(request);
  return body?.joined ? [body.joined] : body?.chunks;
}

const TIMEOUT = Symbol("timeout");

async function readWithin(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  ms: number,
): Promise<ReadableStreamReadResult<Uint8Array> | typeof TIMEOUT> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<typeof TIMEOUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMEOUT), ms);
  });
  try {
    return await Promise.race([reader.read(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * Creates the body guard. Requests without a body pass untouched; for the others the whole
 * body is read here (within the limits) and handed on, so the route reads it from memory.
 *
 * @param options Size limit, timeouts and shared budget.
 * @returns The middleware; it throws `PayloadTooLargeError` (413), `RequestTimeoutError` (408)
 * or `UnavailableError` (503, budget exhausted), and gives its bytes back to the budget once
 * the route has answered.
 * @throws {RangeError} If a limit or timeout is not a positive number.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Hono } from "hono";
 * import { bodyGuard } from "./body_guard.ts";
 * const app = new Hono()
 *   .use(bodyGuard({ maxBytes: 4 }))
 *   .post("/", async (c) => c.text(await c.req.text()));
 * app.onError((e, c) => c.text(e.message, 413));
 * assert.equal(await (await app.request("/", { method: "POST", body: "abc" })).text(), "abc");
 * assert.equal((await app.request("/", { method: "POST", body: "abcde" })).status, 413);
 * ```
 */
export function bodyGuard(options: BodyGuardOptions): MiddlewareHandler {
  const { maxBytes, idleTimeoutMs = 10_000, totalTimeoutMs = 30_000, budget } = options;
  const retryAfterSeconds = options.retryAfterSeconds ?? 1;
  for (
    const [name, value] of Object.entries({
      maxBytes,
      idleTimeoutMs,
      totalTimeoutMs,
      retryAfterSeconds,
    })
  ) {
    if (!(value > 0)) throw new RangeError(`Invalid ${name}: ${value}`);
  }
  return async function bodyGuard(c: Context, next: Next) {
    const body = c.req.raw.body;
    if (!body) return await next();
    // a declared length is enforced by the HTTP layer, so it can be refused before reading
    const declared = c.req.header("transfer-encoding") ? undefined : c.req.header("content-length");
    if (declared !== undefined && Number(declared) > maxBytes) {
      throw new PayloadTooLargeError(maxBytes);
    }
    const reader = body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    const started = performance.now();
    try {
      for (;;) {
        const left = totalTimeoutMs - (performance.now() - started);
        const read = left > 0 ? await readWithin(reader, Math.min(idleTimeoutMs, left)) : TIMEOUT;
        if (read === TIMEOUT) {
          throw new RequestTimeoutError(
            left <= idleTimeoutMs
              ? `Request timeout: the body took longer than ${formatDuration(totalTimeoutMs)}`
              : `Request timeout: no body bytes for ${formatDuration(idleTimeoutMs)} ` +
                `(${size} of ${declared ?? "?"} received)`,
          );
        }
        if (read.done) break;
        if (size + read.value.length > maxBytes) throw new PayloadTooLargeError(maxBytes);
        if (budget && !budget.take(read.value.length)) {
          throw new UnavailableError(
            `Unavailable: request bodies in flight would exceed ${budget.limit} bytes; ` +
              `retry in ${retryAfterSeconds} s`,
            { retryAfterSeconds },
          );
        }
        size += read.value.length;
        // a chunk may be a view into a much larger read buffer: keep only its bytes, or a client
        // sending one byte at a time would pin a whole buffer per byte
        const whole = read.value.byteLength === read.value.buffer.byteLength;
        chunks.push(whole ? read.value : read.value.slice());
      }
    } catch (error) {
      budget?.give(size);
      // not awaited: cancelling a half-received body must not delay the answer
      reader.cancel().catch(() => {});
      throw error;
    }
    // a new Request from the parts: copying the old one would follow its signal, which Deno
    // warns about (it aborts once the response is sent) and no route here uses
    const raw = c.req.raw;
    // the chunks as a stream (joined only if a route asks for one array: see guardedBody); a
    // BufferSource body would be copied by the Request
    c.req.raw = new Request(raw.url, {
      method: raw.method,
      headers: raw.headers,
      body: new ReadableStream<Uint8Array>({
        start(controller) {
          for (const chunk of chunks) controller.enqueue(chunk);
          controller.close();
        },
      }),
    });
    bodies.set(c.req.raw, { chunks, size });
    try {
      await next();
    } finally {
      budget?.give(size);
    }
  };
}
