/**
 * A gzip bomb against a real `serve` (child process, lake in a temporary folder, loopback): the
 * 413 must come without the server ever holding the expanded body. The server's peak resident
 * memory (`VmHWM` in `/proc/PID/status`, Linux) is read before and after.
 */
import assert from "node:assert/strict";
import { createGzip } from "node:zlib";
import { decodeOtlpStatus, encodeOtlpRequest } from "../../receivers/mod.ts";
import { countSamples } from "../_count_samples.ts";
import { spawnServeIn, stopServe } from "../_serve_process.ts";

/** How far the bomb expands: far above the 16 MiB limit and the margin asserted below. */
const EXPANDED = 512 * 1024 * 1024;

/** `n` zero bytes gzip-compressed (level 9: about 1,000× smaller), built 1 MiB at a time. */
async function gzipZeros(n: number): Promise<Uint8Array<ArrayBuffer>> {
  const gz = createGzip({ level: 9 });
  const out: Uint8Array[] = [];
  gz.on("data", (c: Uint8Array) => out.push(c));
  const ended = new Promise((resolve) => gz.on("end", resolve));
  const zero = new Uint8Array(1 << 20);
  for (let i = 0; i < n / zero.length; i++) {
    if (!gz.write(zero)) await new Promise((resolve) => gz.once("drain", resolve));
  }
  gz.end();
  await ended;
  const body = new Uint8Array(out.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of out) body.set(c, at), (at += c.length);
  return body;
}

/** Peak resident memory of a process, bytes. */
async function peakRss(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  return Number(status.match(/VmHWM:\s+(\d+) kB/)![1]) * 1024;
}

Deno.test({
  name:
    "POST /v1/metrics refuses a gzip bomb with 413 without inflating it, and keeps what was stored",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "perfscope-gzip-bomb-" });
    await Deno.writeTextFile(`${dir}/perfscope.yaml`, "");
    const served = await spawnServeIn(dir);
    try {
      const ts = Date.now();
      const stored = await fetch(new URL("/api/ingest", served.url), {
        method: "POST",
        headers: { "content-type": "application/x-ndjson" },
        body: `{"ts":${ts},"host":"bombed","metric":"kept_total","labels":{},"value":1}\n`,
      });
      assert.equal(stored.status, 200, await stored.text());
      const otlp = (body: Uint8Array<ArrayBuffer>) =>
        fetch(new URL("/v1/metrics", served.url), {
          method: "POST",
          headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
          body,
        });
      // a small gzip body first, so the baseline includes the route's own warm-up
      const small = await gzipZeros(0);
      const warm = await otlp(small);
      assert.equal(warm.status, 200, await warm.text());
      const before = await peakRss(served.process.pid);

      const bomb = await gzipZeros(EXPANDED);
      assert.ok(bomb.length < 16 * 1024 * 1024, `the bomb is under the body limit: ${bomb.length}`);
      const res = await otlp(bomb);
      assert.equal(res.status, 413);
      const status = decodeOtlpStatus(new Uint8Array(await res.arrayBuffer()));
      assert.match(status.message, /Payload too large: the limit is 16777216 bytes/);
      const grown = (await peakRss(served.process.pid)) - before;
      // the limit (16 MiB) plus a few slices; inflated whole, the peak grew by the 512 MiB
      assert.ok(grown < 128 * 1024 * 1024, `peak resident memory grew by ${grown >> 20} MiB`);

      // the server still takes a valid export
      const ok = await otlp(
        new Uint8Array(
          await new Response(
            new Blob([
              encodeOtlpRequest({
                resourceMetrics: [{
                  resource: {
                    attributes: [{ key: "service.name", value: { stringValue: "api" } }],
                  },
                  scopeMetrics: [{
                    metrics: [{
                      name: "queue.depth",
                      gauge: {
                        dataPoints: [{ asInt: 3, timeUnixNano: String(BigInt(ts) * 1_000_000n) }],
                      },
                    }],
                  }],
                }],
              }),
            ]).stream().pipeThrough(new CompressionStream("gzip")),
          ).arrayBuffer(),
        ),
      );
      assert.equal(ok.status, 200, await ok.text());
    } finally {
      assert.equal((await stopServe(served.process)).code, 0);
    }
    // SIGTERM flushed the ingest buffer: the sample pushed before the bomb and the export after it
    assert.equal(await countSamples(`${dir}/data`), 2);
    await Deno.remove(dir, { recursive: true });
  },
});
