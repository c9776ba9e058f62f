import assert from "node:assert/strict";
import {
  jsonLines,
  storedSamples as stored,
  T0,
  type TestApp,
  testApp,
  type TestAppOptions,
} from "../_app.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

interface Served extends AsyncDisposable {
  t: TestApp;
  port: number;
}

/** A real Deno.serve on 127.0.0.1, port 0, in front of a test app. */
async function serve(options: TestAppOptions): Promise<Served> {
  const t = await testApp(options);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, t.app.fetch);
  return {
    t,
    port: server.addr.port,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
      await t[Symbol.asyncDispose]();
    },
  };
}

function head(port: number, length: number, path = "/api/ingest"): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
    `Content-Type: application/x-ndjson\r\nContent-Length: ${length}\r\n\r\n`;
}

/**
 * Reads an HTTP response off a raw connection: the status and the body text. A guard closes
 * the connection if nothing complete arrives within 20 s, so a server that never answers fails
 * the test instead of hanging it (a deadlock guard, not a timing assertion).
 */
async function response(conn: Deno.Conn): Promise<{ status: number; body: string }> {
  const guard = setTimeout(() => conn.close(), 20_000);
  let text = "";
  const buf = new Uint8Array(4096);
  try {
    for (;;) {
      const end = text.indexOf("\r\n\r\n");
      const length = Number(text.match(/content-length: (\d+)/i)?.[1] ?? NaN);
      if (end >= 0 && text.length >= end + 4 + length) {
        return {
          status: Number(text.slice(9, 12)),
          body: text.slice(end + 4, end + 4 + length),
        };
      }
      const n = await conn.read(buf);
      if (n === null) throw new Error(`Connection closed before a full response: ${text}`);
      text += decoder.decode(buf.subarray(0, n));
    }
  } finally {
    clearTimeout(guard);
  }
}

function lines(n: number, from = 0): Uint8Array<ArrayBuffer> {
  const rows = Array.from({ length: n }, (_, i) => ({
    ts: T0 + (from + i) * 1000,
    host: "h",
    metric: "queue_depth",
    labels: { queue: "a" },
    value: i,
  }));
  return encoder.encode(jsonLines(rows));
}

Deno.test("a declared Content-Length over the limit gets 413 before any body byte is sent", async () => {
  await using s = await serve({ maxIngestBytes: 1024 });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await conn.write(encoder.encode(head(s.port, 60_000_000)));
  const res = await response(conn);
  assert.equal(res.status, 413);
  assert.equal(JSON.parse(res.body).error, "Payload too large: the limit is 1024 bytes");
});

Deno.test("a body that stops arriving gets 408 after the idle timeout and stores nothing", async () => {
  await using s = await serve({ bodyIdleTimeoutMs: 200 });
  const body = lines(20);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await conn.write(encoder.encode(head(s.port, body.length)));
  await conn.write(body.subarray(0, 10));
  const res = await response(conn);
  assert.equal(res.status, 408);
  assert.equal(
    JSON.parse(res.body).error,
    `Request timeout: no body bytes for 200 ms (10 of ${body.length} received)`,
  );
  assert.equal(await stored(s.t), 0);
});

Deno.test("a body dribbled a byte at a time gets 408 after the total timeout", async () => {
  await using s = await serve({ bodyIdleTimeoutMs: 10_000, bodyTimeoutMs: 300 });
  const body = lines(20);
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await conn.write(encoder.encode(head(s.port, body.length)));
  let answered = false;
  const dribble = (async () => {
    for (let i = 0; i < body.length - 1 && !answered; i++) {
      await conn.write(body.subarray(i, i + 1)).catch(() => answered = true);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const res = await response(conn);
  answered = true;
  await dribble;
  assert.equal(res.status, 408);
  assert.equal(JSON.parse(res.body).error, "Request timeout: the body took longer than 300 ms");
  assert.equal(await stored(s.t), 0);
});

Deno.test("bodies in flight beyond the shared budget get 503 with Retry-After; the budget frees when they end", async () => {
  await using s = await serve({ maxBodyBytesInFlight: 3000, maxIngestBytes: 10_000 });
  const held = lines(30);
  assert.ok(held.length > 2000 && held.length < 3000, String(held.length));
  // a slow upload holds most of the budget
  using slow = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await slow.write(encoder.encode(head(s.port, held.length)));
  await slow.write(held.subarray(0, held.length - 1));
  const other = lines(10, 100);
  let status = 0;
  // the server reads the slow upload's bytes at its own pace: ask until they are counted
  for (let attempt = 0; attempt < 100 && status !== 503; attempt++) {
    const res = await s.t.app.request("/api/ingest", {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: other,
    });
    status = res.status;
    const { error } = await res.json();
    if (status === 503) {
      assert.equal(
        error,
        "Unavailable: request bodies in flight would exceed 3000 bytes; retry in 1 s",
      );
      assert.equal(res.headers.get("Retry-After"), "1");
    } else await new Promise((r) => setTimeout(r, 50));
  }
  assert.equal(status, 503);
  await slow.write(held.subarray(held.length - 1));
  assert.equal((await response(slow)).status, 200);
  const after = await s.t.app.request("/api/ingest", {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: other,
  });
  assert.equal(after.status, 200);
});

Deno.test("a chunked body over the limit gets 413 and stores nothing", async () => {
  await using s = await serve({ maxIngestBytes: 1024 });
  using conn = await Deno.connect({ hostname: "127.0.0.1", port: s.port });
  await conn.write(encoder.encode(
    `POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n` +
      "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n",
  ));
  const body = lines(40);
  await conn.write(encoder.encode(`${body.length.toString(16)}\r\n`));
  await conn.write(body);
  await conn.write(encoder.encode("\r\n0\r\n\r\n"));
  assert.equal((await response(conn)).status, 413);
  assert.equal(await stored(s.t), 0);
});

Deno.test("the route gets the guard's bytes without reading the request again", async () => {
  const { Hono } = await import("hono");
  const { bodyGuard, guardedBody } = await import("../../../web/middleware/body_guard.ts");
  let seen: Uint8Array | undefined;
  const app = new Hono().post("/", bodyGuard({ maxBytes: 1_000 }), (c) => {
    seen = guardedBody(c.req.raw);
    return c.text("ok");
  });
  const body = lines(5);
  assert.equal((await app.request("/", { method: "POST", body })).status, 200);
  assert.deepEqual(seen, body);
  // a request no guard read has none
  assert.equal(guardedBody(new Request("http://x/", { method: "POST", body: "a" })), undefined);
});

Deno.test("the guard hands a route the body as the chunks it arrived in, and joins them only when asked for one array", async () => {
  const { Hono } = await import("hono");
  const { bodyGuard, guardedBody, guardedChunks } = await import(
    "../../../web/middleware/body_guard.ts"
  );
  const app = new Hono().post("/", bodyGuard({ maxBytes: 1_000 }), (c) => {
    const chunks = guardedChunks(c.req.raw)!;
    const joined = guardedBody(c.req.raw)!;
    return c.json({
      chunks: chunks.length,
      ownBuffers: chunks.every((b) => b.byteOffset === 0 && b.byteLength === b.buffer.byteLength),
      joined: decoder.decode(joined),
      after: guardedChunks(c.req.raw)!.length,
    });
  });
  const parts = ["abc", "def", "ghi"];
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const part = parts.shift();
      if (part === undefined) return controller.close();
      await new Promise((r) => setTimeout(r, 5));
      controller.enqueue(encoder.encode(part));
    },
  });
  const res = await app.request("/", { method: "POST", body, duplex: "half" } as RequestInit);
  const json = await res.json();
  assert.equal(json.joined, "abcdefghi");
  assert.ok(json.chunks >= 1 && json.chunks <= 3, `chunks: ${json.chunks}`);
  assert.equal(json.ownBuffers, true);
  assert.equal(json.after, 1, "once joined, the chunks are the one joined array");
});
