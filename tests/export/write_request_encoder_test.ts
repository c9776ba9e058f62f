import assert from "node:assert/strict";
import fc from "fast-check";
// @ts-types="../../export/_snappyjs.d.ts"
import { uncompress } from "snappyjs";
import {
  decodeWriteRequest,
  encodeWriteRequest,
  type WriteLabels,
  WriteRequestEncoder,
  type WriteSeries,
} from "../../export/mod.ts";

// The checks decode with the library (snappyjs, then pbf): an independent reading of the bytes.

const labelName = fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,12}$/);
const labelValue = fc.oneof(
  fc.constantFrom("", "0", "1", "user", "system", "total", "nvme0n1"),
  fc.string({ maxLength: 24, unit: "grapheme" }),
);
const labelSet = fc.uniqueArray(fc.tuple(labelName, labelValue), {
  minLength: 1,
  maxLength: 5,
  selector: (pair) => pair[0],
}).map((pairs) => pairs.sort((a, b) => (a[0] < b[0] ? -1 : 1)) as [string, string][]);
/** Values that repeat (0, -0, a few constants) often, as real gauges do. */
const value = fc.oneof(
  fc.constantFrom(0, -0, 1, 0.5, 100, 1e300, -3.25),
  fc.double({ noNaN: true }),
);

const batch = fc.record({
  start: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 0, max: 2 ** 44 }),
    fc.constant(2 ** 53 - 10_000),
  ),
  seconds: fc.integer({ min: 1, max: 6 }),
  series: fc.array(
    fc.record({
      labels: labelSet,
      values: fc.array(fc.option(value, { nil: undefined, freq: 4 }), {
        minLength: 6,
        maxLength: 6,
      }),
    }),
    { maxLength: 12 },
  ),
});

function seriesOf(b: Batch): WriteSeries[] {
  return b.series.map((s) => {
    const ts: number[] = [];
    const values: number[] = [];
    for (let k = 0; k < b.seconds; k++) {
      const v = s.values[k];
      if (v !== undefined) ts.push(b.start + k * 1000), values.push(v);
    }
    return { labels: s.labels, ts, values };
  }).filter((s) => s.ts.length > 0);
}

type Batch = {
  start: number;
  seconds: number;
  series: { labels: [string, string][]; values: (number | undefined)[] }[];
};

Deno.test("WriteRequestEncoder's bodies decode to the series given, across requests that reuse cached labels", () => {
  const encoder = new WriteRequestEncoder();
  fc.assert(
    fc.property(batch, (b) => {
      const series = seriesOf(b);
      // twice: the second request takes the label bytes from the cache
      assert.deepEqual(decodeWriteRequest(encoder.encode(series)), series);
      assert.deepEqual(decodeWriteRequest(encoder.encode(series)), series);
    }),
    { numRuns: 300 },
  );
});

Deno.test("encodeColumns() leaves out series without a value and counts the samples sent", () => {
  const labels: WriteLabels[] = [[["__name__", "a"]], [["__name__", "b"]], [["__name__", "c"]]];
  const { body, samples } = new WriteRequestEncoder().encodeColumns({
    labels,
    ts: [1000, 2000, 3000],
    values: [[1, NaN, 0], [1, NaN, -0], [NaN, NaN, 0]],
  });
  assert.equal(samples, 5);
  assert.deepEqual(decodeWriteRequest(body), [
    { labels: labels[0], ts: [1000, 2000], values: [1, 1] },
    { labels: labels[2], ts: [1000, 2000, 3000], values: [0, -0, 0] },
  ]);
});

Deno.test("a body larger than 64 KiB copies from far back (the 4-byte offset form) and still decodes", () => {
  // 70 KiB of distinct labels between two series that share a long pair and a time
  const far: [string, string] = ["far", "y".repeat(3000)];
  const series: WriteSeries[] = [{ labels: [["__name__", "first"], far], ts: [1000], values: [1] }];
  for (let i = 0; i < 35; i++) {
    series.push({
      labels: [["__name__", `m${i}`], ["a", `${i}`.repeat(2000)]],
      ts: [2000],
      values: [i],
    });
  }
  const without = new WriteRequestEncoder().encode(series).length;
  series.push({ labels: [["__name__", "last"], far], ts: [1000], values: [1] });
  const body = new WriteRequestEncoder().encode(series);
  assert.ok(without > 65_536);
  assert.ok(body.length - without < 400, `the last series took ${body.length - without} bytes`);
  assert.deepEqual(decodeWriteRequest(body), series);
});

Deno.test("times that are negative or not whole, and a time twice in a series, go to the library encoder", () => {
  const labels: [string, string][] = [["__name__", "m"]];
  for (
    const series of [
      [{ labels, ts: [-1000, 0], values: [1, 2] }],
      [{ labels, ts: [1000.5], values: [1] }],
      [{ labels, ts: [1000, 1000], values: [1, 2] }],
    ]
  ) {
    assert.deepEqual(new WriteRequestEncoder().encode(series), encodeWriteRequest(series));
  }
});

Deno.test("label values with code points above U+FFFF are sent as UTF-8 (the library's pbf 5.1.2 writes U+20000 as U+10000)", () => {
  const series = [{
    labels: [["__name__", "m"], ["proc", "\u{20000}\u{1F600}x"]] as [string, string][],
    ts: [1000],
    values: [1],
  }];
  assert.deepEqual(decodeWriteRequest(new WriteRequestEncoder().encode(series)), series);
});

Deno.test("when the pair table starts again (maxPairs), label bytes cached before are numbered anew", () => {
  const encoder = new WriteRequestEncoder({ maxPairs: 4 });
  const a: WriteSeries = { labels: [["__name__", "aaaa"], ["x", "same"]], ts: [1000], values: [1] };
  const b: WriteSeries = { labels: [["__name__", "bbbb"], ["x", "same"]], ts: [1000], values: [2] };
  const c: WriteSeries = { labels: [["__name__", "cccc"], ["y", "same"]], ts: [1000], values: [3] };
  for (const series of [[a, b], [c, a], [b, c, a], [a, b, c]]) {
    assert.deepEqual(decodeWriteRequest(encoder.encode(series)), series);
  }
  assert.throws(() => new WriteRequestEncoder({ maxPairs: 0 }), /Invalid maxPairs: 0/);
});

Deno.test("stable series with repeated values take under a quarter of their protobuf size", () => {
  const series: WriteSeries[] = [];
  for (let cpu = 0; cpu < 16; cpu++) {
    for (const mode of ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]) {
      series.push({
        labels: [["__name__", "cpu_ratio"], ["cpu", String(cpu)], ["host", "db-1"], ["mode", mode]],
        ts: [1000, 2000, 3000, 4000, 5000],
        values: mode === "user" ? [0.25, 0.5, 0.5, 0.125, 0.25] : [0, 0, 0, 0, 0],
      });
    }
  }
  const body = new WriteRequestEncoder().encode(series);
  const protobuf = uncompress(body).length;
  assert.equal(protobuf, uncompress(encodeWriteRequest(series)).length);
  assert.ok(body.length < protobuf / 4, `${body.length} bytes of ${protobuf}`);
});
