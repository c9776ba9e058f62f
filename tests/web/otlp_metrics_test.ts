/**
 * `POST /v1/metrics` through the app (no port): JSON and protobuf answers as OTLP asks, 404 when
 * OTLP is disabled, and 503 with Retry-After when the writer says it is busy.
 */
import assert from "node:assert/strict";
import { gzipSync } from "node:zlib";
import { IngestWriter, openLake } from "../../lake/mod.ts";
import {
  decodeOtlpMetrics,
  decodeOtlpStatus,
  encodeOtlpRequest,
  OtlpReceiver,
} from "../../receivers/mod.ts";
import { createApp, type IngestSink, LiveHub, openSqlSandbox } from "../../web/mod.ts";

const NOW = Date.UTC(2024, 0, 1, 12);

async function withApp(
  fn: (
    app: ReturnType<typeof createApp>,
    ingest: IngestWriter & { busy: boolean },
  ) => Promise<void>,
  otlp = true,
  maxOtlpBytes?: number,
) {
  const root = await Deno.makeTempDir();
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const hub = new LiveHub();
  const writer = new IngestWriter({ root, sync: false, now: () => NOW });
  // the ingest-load work (issue 16) makes the writer throw an error named IngestBusy when it is
  // behind; until that lands, this wrapper throws one the same way
  const ingest = Object.assign(writer, { busy: false });
  const sink: IngestSink = {
    write: (body, o) => writer.write(body, o),
    writeBatch(batch, o) {
      if (ingest.busy) {
        throw Object.assign(new Error("Busy"), { name: "IngestBusy", retryAfterSeconds: 2.2 });
      }
      return writer.writeBatch(batch, o);
    },
  };
  const app = createApp({
    lake,
    hub,
    sandbox,
    ingest: sink,
    root,
    now: () => NOW,
    ...(otlp && { otlp: new OtlpReceiver({ host: "h", now: () => NOW }) }),
    ...(maxOtlpBytes !== undefined && { maxOtlpBytes }),
  });
  try {
    await fn(app, ingest);
  } finally {
    hub.close();
    writer.close();
    await sandbox.close();
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
}

const request = {
  resourceMetrics: [{
    resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
    scopeMetrics: [{
      metrics: [{
        name: "queue.depth",
        unit: "{job}",
        gauge: { dataPoints: [{ asInt: 3, timeUnixNano: String(BigInt(NOW) * 1_000_000n) }] },
      }],
    }],
  }],
};

Deno.test("POST /v1/metrics answers protobuf with an empty ExportMetricsServiceResponse and JSON with {}", async () => {
  await withApp(async (app, ingest) => {
    const res = await app.request("/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: encodeOtlpRequest(request),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("content-type"), "application/x-protobuf");
    assert.equal((await res.arrayBuffer()).byteLength, 0);
    const json = await app.request("/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    assert.deepEqual(await json.json(), {});
    assert.equal(ingest.flush(), 2);
  });
});

Deno.test("POST /v1/metrics answers 503 with Retry-After when the writer is busy, and stores nothing", async () => {
  await withApp(async (app, ingest) => {
    ingest.busy = true;
    const res = await app.request("/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "3");
    assert.deepEqual(await res.json(), {
      code: 14,
      message: "The lake writer is busy: retry in 3 s",
    });
    assert.equal(ingest.flush(), 0);
  });
});

Deno.test("POST /v1/metrics is 404 when OTLP is disabled and 400 for a sample outside the time window", async () => {
  await withApp(async (app) => {
    const res = await app.request("/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(res.status, 404);
    assert.match((await res.json()).error, /otlp.enabled: false/);
  }, false);
  await withApp(async (app) => {
    const old = structuredClone(request);
    old.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!.gauge.dataPoints[0]!.timeUnixNano =
      "1000000000000000000";
    const res = await app.request("/v1/metrics", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(old),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.code, 3);
    assert.match(body.message, /^Invalid sample 1: /);
  });
});

Deno.test("decodeOtlpMetrics() reads protobuf and JSON to the same objects", () => {
  const a = decodeOtlpMetrics(encodeOtlpRequest(request), "protobuf");
  const b = decodeOtlpMetrics(new TextEncoder().encode(JSON.stringify(request)), "json");
  assert.deepEqual(a, b);
  assert.throws(
    () => decodeOtlpMetrics(new TextEncoder().encode("[]"), "json"),
    /expected an ExportMetricsServiceRequest/,
  );
});

Deno.test("POST /v1/metrics refuses a gzip body that expands past the limit (413) and one that is not gzip (400)", async () => {
  await withApp(
    async (app) => {
      // 4 MiB of zeros compress to about 4 KiB: under the body limit, over it once expanded
      const bomb = new Uint8Array(gzipSync(new Uint8Array(4 * 1024 * 1024)));
      const post = (body: Uint8Array<ArrayBuffer>) =>
        app.request("/v1/metrics", {
          method: "POST",
          headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" },
          body,
        });
      const big = await post(bomb);
      // a google.rpc.Status in the request's encoding, as OTLP asks of every failure
      assert.equal(big.status, 413);
      assert.equal(big.headers.get("content-type"), "application/x-protobuf");
      const tooBig = decodeOtlpStatus(new Uint8Array(await big.arrayBuffer()));
      assert.equal(tooBig.code, 8);
      assert.match(tooBig.message, /Payload too large: the limit is 1048576 bytes/);
      const bad = await post(new Uint8Array([1, 2, 3, 4]));
      assert.equal(bad.status, 400);
      const notGzip = decodeOtlpStatus(new Uint8Array(await bad.arrayBuffer()));
      assert.equal(notGzip.code, 3);
      assert.match(notGzip.message, /Invalid gzip body/);
    },
    true,
    1024 * 1024,
  );
});
