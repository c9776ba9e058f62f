/**
 * A label perfscope or a target's config sets on a series never silently replaces another label
 * of the same name: the winning label keeps its name and the other is kept as `exported_<name>`
 * (Prometheus' rule for a scraped label that clashes with a target label, honor_labels false).
 */
import assert from "node:assert/strict";
import {
  BatchBuilder,
  convertExposition,
  convertOtlp,
  CumulativeState,
  type IngestBatch,
  type OtlpMetricsRequest,
  parseExposition,
  scrapeTarget,
} from "../../receivers/mod.ts";
import { serveText } from "../_serve_text.ts";

function rows(b: IngestBatch, metric?: string): string[] {
  return b.metric.flatMap((m, i) =>
    m === metric || metric === undefined ? [`${m}{${b.labels[i]}} ${b.value[i]}`] : []
  );
}

Deno.test("A target label named reason wins on scrape_samples_dropped, whose own reason is kept as exported_reason", async () => {
  const server = serveText("# TYPE jobs gauge\njobs 3\n");
  try {
    const url = `http://127.0.0.1:${server.addr.port}/metrics`;
    const r = await scrapeTarget(
      { url, name: "app", labels: { reason: "canary" } },
      new CumulativeState(),
      { host: "h" },
    );
    assert.equal(r.error, undefined);
    assert.deepEqual(rows(r.batch, "scrape_samples_dropped"), [
      "scrape_samples_dropped{exported_reason=series_limit,reason=canary,target=app} 0",
      "scrape_samples_dropped{exported_reason=invalid,reason=canary,target=app} 0",
    ]);
    // the other health series carry only the target's labels: nothing to clash with
    for (const m of ["up", "scrape_duration_seconds", "scrape_samples_scraped"]) {
      assert.deepEqual(r.batch.labels[r.batch.metric.indexOf(m)], "reason=canary,target=app", m);
    }
    assert.deepEqual(rows(r.batch, "jobs"), ["jobs{reason=canary,target=app} 3"]);
  } finally {
    await server.shutdown();
  }
});

function scrape(text: string, state: CumulativeState, ts: number, labels: Record<string, string>) {
  const out = new BatchBuilder({ host: "h", ts, source: "scrape" });
  convertExposition(parseExposition(text), state, out, { targetLabels: labels, ts });
  return out;
}

Deno.test("convertExposition() keeps a histogram's own bucket label as exported_bucket beside the bound", () => {
  const state = new CumulativeState();
  const page = (n: number) =>
    [
      "# TYPE s3_seconds histogram",
      ...["logs", "media"].flatMap((b) => [
        `s3_seconds_bucket{bucket="${b}",le="1"} ${n}`,
        `s3_seconds_bucket{bucket="${b}",le="+Inf"} ${2 * n}`,
        `s3_seconds_count{bucket="${b}"} ${2 * n}`,
      ]),
    ].join("\n") + "\n";
  scrape(page(10), state, 0, { target: "app" });
  const out = scrape(page(20), state, 1000, { target: "app" });
  assert.equal(out.invalid, 0, out.problems.join("; "));
  const b = out.batch();
  assert.deepEqual(rows(b, "s3_seconds_bucket_per_second"), [
    "s3_seconds_bucket_per_second{bucket=1,exported_bucket=logs,target=app} 10",
    "s3_seconds_bucket_per_second{bucket=+Inf,exported_bucket=logs,target=app} 20",
    "s3_seconds_bucket_per_second{bucket=1,exported_bucket=media,target=app} 10",
    "s3_seconds_bucket_per_second{bucket=+Inf,exported_bucket=media,target=app} 20",
  ]);
  assert.deepEqual(rows(b, "s3_seconds_count_per_second"), [
    "s3_seconds_count_per_second{exported_bucket=logs,target=app} 20",
    "s3_seconds_count_per_second{exported_bucket=media,target=app} 20",
  ]);
});

Deno.test("convertExposition() prefixes exported_ again when exported_<name> is taken too, losing no label", () => {
  const out = scrape('g{env="page",exported_env="old"} 1\n', new CumulativeState(), 0, {
    target: "app",
    env: "prod",
  });
  assert.deepEqual(rows(out.batch()), [
    "g{env=prod,exported_env=old,exported_exported_env=page,target=app} 1",
  ]);
  // a target label named bucket wins over the bound as over any label of the series
  const state = new CumulativeState();
  const page = (n: number) => `# TYPE h histogram\nh_bucket{le="+Inf"} ${n}\nh_count ${n}\n`;
  scrape(page(1), state, 0, { target: "app", bucket: "b1" });
  assert.deepEqual(
    rows(
      scrape(page(3), state, 1000, { target: "app", bucket: "b1" }).batch(),
      "h_bucket_per_second",
    ),
    [
      "h_bucket_per_second{bucket=b1,exported_bucket=+Inf,target=app} 2",
    ],
  );
});

Deno.test("convertOtlp() keeps a histogram point's bucket attribute as exported_bucket beside the bound", () => {
  const MS = 1_700_000_000_000;
  const point = (bucket: string, n: number, t: number) => ({
    timeUnixNano: (MS + t) * 1e6,
    startTimeUnixNano: (MS - 60_000) * 1e6,
    count: 2 * n,
    sum: n,
    explicitBounds: [1],
    bucketCounts: [n, n],
    attributes: [{ key: "bucket", value: { stringValue: bucket } }],
  });
  const req = (n: number, t: number): OtlpMetricsRequest => ({
    resourceMetrics: [{
      scopeMetrics: [{
        metrics: [{
          name: "s3.seconds",
          histogram: {
            aggregationTemporality: 2,
            dataPoints: [point("logs", n, t), point("media", n, t)],
          },
        }],
      }],
    }],
  });
  const state = new CumulativeState();
  const first = new BatchBuilder({ host: "h", ts: MS, source: "otlp" });
  convertOtlp(req(5, 0), state, first, { now: MS });
  const out = new BatchBuilder({ host: "h", ts: MS, source: "otlp" });
  convertOtlp(req(10, 1000), state, out, { now: MS });
  assert.equal(out.invalid, 0, out.problems.join("; "));
  assert.deepEqual(rows(out.batch(), "s3_seconds_bucket_per_second"), [
    "s3_seconds_bucket_per_second{bucket=1,exported_bucket=logs} 5",
    "s3_seconds_bucket_per_second{bucket=+Inf,exported_bucket=logs} 10",
    "s3_seconds_bucket_per_second{bucket=1,exported_bucket=media} 5",
    "s3_seconds_bucket_per_second{bucket=+Inf,exported_bucket=media} 10",
  ]);
});
