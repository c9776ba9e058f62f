/**
 * `POST /v1/metrics` with data points outside the ingest time window (an exporter's clock an hour
 * ahead, a point from 2001): those points are dropped alone and counted in the partial success,
 * and the export's other points are stored. The whole export used to be refused with 400, which
 * an OTLP exporter takes as permanent: one skewed point cost it every point of the batch.
 */
import assert from "node:assert/strict";
import { OtlpReceiver } from "../../receivers/mod.ts";
import { T0, testApp } from "./_app.ts";

const NOW = T0 + 60_000;
const nano = (ms: number) => String(BigInt(ms) * 1_000_000n);

function gauge(name: string, points: number[]) {
  return JSON.stringify({
    resourceMetrics: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
      scopeMetrics: [{
        metrics: [{
          name,
          gauge: { dataPoints: points.map((ms, i) => ({ asInt: i + 1, timeUnixNano: nano(ms) })) },
        }],
      }],
    }],
  });
}

Deno.test("OTLP points outside the time window are dropped alone, the rest of the export is stored", async () => {
  await using t = await testApp({
    now: () => NOW,
    ingest: { now: () => NOW },
    otlp: new OtlpReceiver({ host: "h", now: () => NOW, log: () => {} }),
  });
  const ahead = NOW + 3_600_000, old = Date.UTC(2001, 8, 9);
  const res = await t.app.request("/v1/metrics", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: gauge("queue.depth", [NOW, ahead, old, NOW - 1000]),
  });
  const text = await res.text();
  assert.equal(res.status, 200, text);
  const body = JSON.parse(text);
  assert.equal(body.partialSuccess.rejectedDataPoints, 2);
  assert.match(body.partialSuccess.errorMessage, /2 samples outside the accepted time window/);
  await t.ingest.flush();
  const rows = await t.lake.query(
    "SELECT epoch_ms(ts) AS ts, value FROM samples WHERE metric = 'queue_depth' ORDER BY ts",
  );
  assert.deepEqual(rows.map((r) => [Number(r.ts), r.value]), [[NOW - 1000, 4], [NOW, 1]]);
});

Deno.test("an OTLP export whose every point is outside the time window stores nothing and says why", async () => {
  await using t = await testApp({
    now: () => NOW,
    ingest: { now: () => NOW },
    otlp: new OtlpReceiver({ host: "h", now: () => NOW, log: () => {} }),
  });
  const res = await t.app.request("/v1/metrics", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: gauge("queue.depth", [NOW + 3_600_000]),
  });
  const body = await res.json();
  assert.equal(res.status, 200);
  assert.equal(body.partialSuccess.rejectedDataPoints, 1);
  assert.match(body.partialSuccess.errorMessage, /outside the accepted time window, from .* to /);
});
