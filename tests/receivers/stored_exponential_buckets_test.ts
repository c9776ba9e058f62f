/**
 * Stored exponential histogram buckets: the index → bound mapping (negative indices and
 * offsets, scales below 0), exact scale reduction to at most 40 bucket series, negative and
 * zero buckets, and a series' layout kept from one export to the next.
 */
import assert from "node:assert/strict";
import {
  BatchBuilder,
  convertOtlp,
  CumulativeState,
  downscaleIndex,
  exponentialBound,
  exponentialLayout,
  MAX_EXPONENTIAL_BUCKETS,
  storedExponentialBuckets,
} from "../../receivers/mod.ts";
import type { OtlpMetricsRequest } from "../../receivers/mod.ts";
import { bucketQuantile, parseBound } from "../../analytics/mod.ts";
import { seededUniform } from "../_seeded_uniform.ts";

/** The OTLP index of a positive value at a scale: bucket i holds (base^i, base^(i+1)]. */
function indexOf(v: number, scale: number): number {
  return Math.ceil(Math.log2(v) * 2 ** scale) - 1;
}

/** A point at `scale` holding `values` (positive ones by index, negative ones by magnitude). */
function pointOf(values: readonly number[], scale: number, zeroThreshold = 0) {
  const pos = new Map<number, number>(), neg = new Map<number, number>();
  let zero = 0;
  for (const v of values) {
    if (Math.abs(v) <= zeroThreshold) zero++;
    else {
      const m = v > 0 ? pos : neg;
      const i = indexOf(Math.abs(v), scale);
      m.set(i, (m.get(i) ?? 0) + 1);
    }
  }
  const side = (m: Map<number, number>) => {
    if (m.size === 0) return undefined;
    const lo = Math.min(...m.keys()), hi = Math.max(...m.keys());
    return {
      offset: lo,
      bucketCounts: Array.from({ length: hi - lo + 1 }, (_, i) => m.get(lo + i) ?? 0),
    };
  };
  return {
    scale,
    zeroCount: zero,
    zeroThreshold,
    ...(side(pos) ? { positive: side(pos)! } : {}),
    ...(side(neg) ? { negative: side(neg)! } : {}),
  };
}

Deno.test("exponentialBound() maps bucket indices to base^(index+1), negative indices to bounds below 1", () => {
  assert.equal(exponentialBound(0, 0), 2);
  assert.equal(exponentialBound(-1, 0), 1);
  assert.equal(exponentialBound(-4, 0), 0.125);
  assert.equal(exponentialBound(3, 2), 2); // base 2^(1/4): the 4th bucket ends at 2
  assert.ok(Math.abs(exponentialBound(0, 3) - 2 ** (1 / 8)) < 1e-15);
  assert.ok(Math.abs(exponentialBound(-2, 3) - 2 ** (-1 / 8)) < 1e-15);
  assert.equal(exponentialBound(-9, 3), 0.5);
  assert.equal(exponentialBound(0, -1), 4); // scale −1: base 4
  assert.equal(exponentialBound(-2, -2), 1 / 16);
  // a bound is the same number at every scale that has it (so bucket labels never drift)
  for (let s = -3; s < 8; s++) {
    for (let i = -300; i < 300; i++) {
      assert.equal(exponentialBound(i, s), exponentialBound(2 * i + 1, s + 1), `${i} at ${s}`);
    }
  }
});

Deno.test("downscaleIndex() floors towards minus infinity, so negative offsets merge in pairs as well", () => {
  assert.deepEqual([-4, -3, -2, -1, 0, 1, 2, 3].map((i) => downscaleIndex(i, 5, 4)), [
    -2,
    -2,
    -1,
    -1,
    0,
    0,
    1,
    1,
  ]);
  assert.equal(downscaleIndex(-9, 3, 0), -2);
  assert.equal(downscaleIndex(17, 3, -1), 1);
  // the merged bucket covers exactly the pair: (base'^j, base'^(j+1)] = bucket 2j ∪ 2j+1
  for (const i of [-7, -6, -1, 0, 5]) {
    const j = downscaleIndex(i, 4, 3);
    assert.ok(exponentialBound(j - 1, 3) <= exponentialBound(i - 1, 4));
    assert.ok(exponentialBound(i, 4) <= exponentialBound(j, 3));
  }
});

Deno.test("A 160-bucket point is stored in at most 40 bucket series whose counts are exact at every stored bound", () => {
  const next = seededUniform(7);
  // 0.001 .. 1000: negative indices below 1, positive above; the SDK's scale for this spread
  const values = Array.from({ length: 5000 }, () => 10 ** (6 * next() - 3));
  const p = pointOf(values, 3);
  assert.ok(p.positive!.bucketCounts.length > 150);
  assert.ok(p.positive!.offset < 0);
  const layout = exponentialLayout(p);
  const { bounds, cumulative } = storedExponentialBuckets(p, layout);
  assert.ok(bounds.length <= MAX_EXPONENTIAL_BUCKETS, `${bounds.length} bounds`);
  assert.ok(layout.scale < 3);
  assert.equal(bounds[bounds.length - 1], Infinity);
  for (let i = 1; i < bounds.length; i++) assert.ok(bounds[i]! > bounds[i - 1]!);
  bounds.forEach((le, i) => {
    const truth = values.filter((v) => v <= le).length;
    assert.equal(cumulative[i], truth, `le=${le}`);
  });
  // a smaller cap lowers the scale further, still exact
  const small = exponentialLayout(p, undefined, 12);
  const coarse = storedExponentialBuckets(p, small);
  assert.ok(coarse.bounds.length <= 12);
  coarse.bounds.forEach((le, i) => {
    assert.equal(coarse.cumulative[i], values.filter((v) => v <= le).length);
  });
  assert.throws(() => exponentialLayout(p, undefined, 7), /Invalid maxBuckets: 7/);
});

Deno.test("Negative values are stored below the zero bucket with negative bounds, the zero bucket at its threshold", () => {
  // (no value on a bound: a negative bucket holds its lower end, an `le` bucket its upper)
  const values = [-7, -3, -3, -0.6, 0, 0.0001, 1.5, 3, 3, 100];
  const p = pointOf(values, 1, 0.001);
  assert.equal(p.zeroCount, 2);
  const { bounds, cumulative } = storedExponentialBuckets(p, exponentialLayout(p));
  assert.ok(bounds[0]! < -7, "a lower edge below the most negative bucket");
  assert.equal(cumulative[0], 0);
  assert.ok(bounds.includes(0.001), "the zero bucket's bound is its threshold");
  bounds.forEach((le, i) => {
    assert.equal(cumulative[i], values.filter((v) => v <= le).length, `le=${le}`);
  });
  // without a threshold the zero bucket is at 0
  const z = storedExponentialBuckets(
    { scale: 0, zeroCount: 3 },
    exponentialLayout({ scale: 0, zeroCount: 3 }),
  );
  assert.deepEqual(z, { bounds: [0, Infinity], cumulative: [3, 3] });
});

Deno.test("A series keeps its layout: later points at a higher scale or a narrower range get the same bounds", () => {
  const wide = pointOf([0.01, 0.1, 1, 10, 100], 4);
  const first = exponentialLayout(wide);
  const narrow = pointOf([0.5, 2], 6);
  const second = exponentialLayout(narrow, first);
  assert.deepEqual(second, first);
  assert.deepEqual(
    storedExponentialBuckets(narrow, second).bounds,
    storedExponentialBuckets(wide, first).bounds,
  );
  // a wider range widens the layout, at a scale no higher than before
  const wider = exponentialLayout(pointOf([1e-6, 1e6], 4), first);
  assert.ok(wider.scale <= first.scale);
  assert.ok(wider.positive![0] <= downscaleIndex(first.positive![0], first.scale, wider.scale));
});

Deno.test("convertOtlp() stores an exponential histogram's bucket rates over a cumulative interval, even when the SDK lowers its scale", () => {
  const state = new CumulativeState();
  const before = [1, 2, 3, 5, 8, 13, 21, 34, 55, 89];
  const added = Array.from({ length: 200 }, (_, i) => 1 + i * 0.5);
  const req = (values: number[], scale: number, t: number): OtlpMetricsRequest => ({
    resourceMetrics: [{
      resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
      scopeMetrics: [{
        metrics: [{
          name: "job.duration",
          unit: "ms",
          exponentialHistogram: {
            aggregationTemporality: 2,
            dataPoints: [{
              startTimeUnixNano: 1e12,
              timeUnixNano: t * 1e6,
              count: values.length,
              sum: values.reduce((a, b) => a + b, 0),
              ...pointOf(values, scale),
            }],
          },
        }],
      }],
    }],
  });
  const out1 = new BatchBuilder({ host: "h", ts: 0, source: "otlp" });
  convertOtlp(req(before, 5, 1_010_000), state, out1, { now: 0 });
  const out2 = new BatchBuilder({ host: "h", ts: 0, source: "otlp" });
  // the second export has seen more values and a lower scale (as the SDK does when its range grows)
  convertOtlp(req([...before, ...added], 4, 1_020_000), state, out2, { now: 0 });
  const b = out2.batch();
  const buckets = b.metric.flatMap((m, i) =>
    m === "job_duration_milliseconds_bucket_per_second"
      ? [{ le: parseBound(/bucket=([^,]+)/.exec(b.labels[i]!)![1]!), rate: b.value[i]! }]
      : []
  );
  assert.ok(buckets.length > 5 && buckets.length <= MAX_EXPONENTIAL_BUCKETS);
  for (const { le, rate } of buckets) {
    // 10 s between the exports: increase / 10 at every stored bound
    assert.ok(
      Math.abs(rate * 10 - added.filter((v) => v <= le).length) < 1e-9,
      `le=${le}: ${rate}`,
    );
  }
  const median = bucketQuantile(buckets, 0.5);
  assert.ok(Math.abs(median - 50.75) / 50.75 < 0.1, `median ${median}`);
});

Deno.test("Out-of-range scales and offsets from a bad client still give at most 40 rising bounds and keep every count", () => {
  for (
    const p of [
      { scale: 1000, positive: { offset: 2 ** 40, bucketCounts: [1, 2, 3] } },
      { scale: -1000, positive: { offset: -5, bucketCounts: [1, 0, 0, 0, 0, 0, 0, 7] } },
      { scale: 20, negative: { offset: -(2 ** 30), bucketCounts: new Array(160).fill(1) } },
    ]
  ) {
    const { bounds, cumulative } = storedExponentialBuckets(p, exponentialLayout(p));
    assert.ok(bounds.length <= MAX_EXPONENTIAL_BUCKETS);
    for (let i = 1; i < bounds.length; i++) assert.ok(bounds[i]! > bounds[i - 1]!);
    const total = [...(p.positive?.bucketCounts ?? []), ...(p.negative?.bucketCounts ?? [])]
      .reduce((a, b) => a + b, 0);
    assert.equal(cumulative[cumulative.length - 1], total);
  }
});

Deno.test("A new cumulative series that started less than a minute ago gets its bucket rates at its first export, as its count rate", () => {
  const t = 1_700_000_000_000;
  const values = [0.3, 0.7, 1.5, 1.6, 3, 5, 9];
  const out = new BatchBuilder({ host: "h", ts: t, source: "otlp" });
  convertOtlp(
    {
      resourceMetrics: [{
        scopeMetrics: [{
          metrics: [{
            name: "job.duration",
            unit: "s",
            exponentialHistogram: {
              aggregationTemporality: 2,
              dataPoints: [{
                startTimeUnixNano: (t - 10_000) * 1e6, // counting started 10 s ago
                timeUnixNano: t * 1e6,
                count: values.length,
                sum: values.reduce((a, b) => a + b, 0),
                ...pointOf(values, 2),
              }],
            },
          }],
        }],
      }],
    },
    new CumulativeState(),
    out,
    { now: t },
  );
  const b = out.batch();
  const rate = (metric: string) => b.value[b.metric.indexOf(metric)];
  assert.equal(rate("job_duration_seconds_count_per_second"), values.length / 10);
  const buckets = b.metric.flatMap((m, i) =>
    m === "job_duration_seconds_bucket_per_second"
      ? [{ le: parseBound(/bucket=([^,]+)/.exec(b.labels[i]!)![1]!), rate: b.value[i]! }]
      : []
  );
  assert.ok(buckets.length > 2, `bucket rates at the first export: ${buckets.length}`);
  for (const { le, rate } of buckets) {
    assert.ok(Math.abs(rate * 10 - values.filter((v) => v <= le).length) < 1e-9, `le=${le}`);
  }
  assert.equal(buckets.at(-1)!.rate, values.length / 10);
});
