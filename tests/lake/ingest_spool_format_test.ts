import assert from "node:assert/strict";
import fc from "fast-check";
import {
  crc32,
  decodeIngestSegment,
  INGEST_SPOOL_MAGIC,
  ingestSegmentRecords,
  IngestSpoolEncoder,
} from "../../lake/ingest_spool_format.ts";
import { type IngestBatch, parseIngestLines } from "../../lake/mod.ts";

const T0 = Date.UTC(2024, 0, 1);

function segment(...records: Uint8Array[]): Uint8Array {
  const size = INGEST_SPOOL_MAGIC.length + records.reduce((n, r) => n + r.length, 0);
  const out = new Uint8Array(size);
  out.set(INGEST_SPOOL_MAGIC);
  let at = INGEST_SPOOL_MAGIC.length;
  for (const r of records) out.set(r, at), at += r.length;
  return out;
}

/** Encodes and commits each batch, returning each record's own copy. */
function encodeAll(batches: IngestBatch[]): Uint8Array[] {
  const enc = new IngestSpoolEncoder();
  return batches.map((b) => {
    const r = enc.encode(b).slice();
    enc.commit();
    return r;
  });
}

function sameBatches(got: IngestBatch[], want: IngestBatch[]): void {
  assert.equal(got.length, want.length);
  got.forEach((g, k) => {
    const w = want[k]!;
    assert.deepEqual(g.ts, w.ts);
    assert.deepEqual(g.host, w.host);
    assert.deepEqual(g.metric, w.metric);
    assert.deepEqual(g.labels, w.labels);
    // Object.is: NaN stays NaN and -0 stays -0
    g.value.forEach((v, i) =>
      assert.ok(Object.is(v, w.value[i]), `value ${i}: ${v} ≠ ${w.value[i]}`)
    );
  });
}

const sample = fc.record({
  ts: fc.integer({ min: 946_684_800_000, max: 4_102_444_800_000 }),
  host: fc.constantFrom("a", "b", "hôte-é"),
  metric: fc.constantFrom("m", "cpu_ratio", "x_total"),
  labels: fc.oneof(
    fc.constantFrom("", "a=1", "core=0,mode=user", "k=välue"),
    // long text of any script: the series' UTF-8 may need a longer length prefix than its units
    fc.string({ unit: "grapheme", minLength: 30, maxLength: 120 }).map((v) => `k=${v}`),
  ),
  value: fc.oneof(
    fc.double(),
    fc.integer(),
    fc.constantFrom(NaN, -0, 0, 2 ** 49, -(2 ** 49), 2 ** 53, 0.5, 1e300, Number.MIN_VALUE),
    fc.float().map((f) => Math.fround(f)),
  ),
});

function toBatch(
  rows: { ts: number; host: string; metric: string; labels: string; value: number }[],
): IngestBatch {
  return {
    ts: rows.map((r) => r.ts),
    host: rows.map((r) => r.host),
    metric: rows.map((r) => r.metric),
    labels: rows.map((r) => r.labels),
    value: rows.map((r) => (Number.isFinite(r.value) || Number.isNaN(r.value) ? r.value : NaN)),
  };
}

Deno.test("The binary ingest spool gives back every batch exactly, values of every kind included", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(sample, { minLength: 1, maxLength: 40 }), { maxLength: 6 }),
      (rows) => {
        const batches = rows.map(toBatch);
        const { batches: got, undecoded } = decodeIngestSegment(segment(...encodeAll(batches)));
        assert.equal(undecoded, 0);
        sameBatches(got, batches);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("The binary ingest spool drops a record cut short anywhere, keeping the ones before it", () => {
  fc.assert(
    fc.property(
      fc.array(fc.array(sample, { minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 4 }),
      fc.nat(),
      (rows, cut) => {
        const batches = rows.map(toBatch);
        const records = encodeAll(batches);
        const whole = segment(...records);
        const end = cut % (whole.length + 1);
        const { batches: got, undecoded } = decodeIngestSegment(whole.subarray(0, end));
        assert.equal(undecoded, 0);
        // the records that fit whole before the cut
        let at = INGEST_SPOOL_MAGIC.length, n = 0;
        while (n < records.length && at + records[n]!.length <= end) at += records[n++]!.length;
        sameBatches(got, batches.slice(0, n));
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("The binary ingest spool counts a flipped byte as damage and replays the records before it", () => {
  const batches = [0, 1, 2].map((k) =>
    toBatch([{ ts: T0 + k, host: "h", metric: "m", labels: `k=${k}`, value: k + 0.25 }])
  );
  const records = encodeAll(batches);
  const whole = segment(...records);
  const second = INGEST_SPOOL_MAGIC.length + records[0]!.length;
  for (let at = second; at < second + records[1]!.length; at++) {
    const damaged = whole.slice();
    damaged[at] = damaged[at]! ^ 0x40;
    const { batches: got, undecoded } = decodeIngestSegment(damaged);
    assert.ok(undecoded > 0, `a flip at byte ${at - second} of the second record passed unseen`);
    sameBatches(got, batches.slice(0, 1));
  }
  const foreign = new TextEncoder().encode("#3\n{}\n");
  assert.equal(decodeIngestSegment(foreign).undecoded, foreign.length);
});

Deno.test("An ingest spool record whose write failed defines no series for the next one", () => {
  const enc = new IngestSpoolEncoder();
  const a = toBatch([{ ts: T0, host: "h", metric: "m", labels: "a=1", value: 1 }]);
  const b = toBatch([{ ts: T0 + 1, host: "h", metric: "m", labels: "a=2", value: 2 }]);
  enc.encode(a);
  enc.rollback(); // the append failed: the record is not on disk
  const rb = enc.encode(b).slice();
  enc.commit();
  const ra = enc.encode(a).slice();
  enc.commit();
  sameBatches(decodeIngestSegment(segment(rb, ra)).batches, [b, a]);
});

Deno.test("The binary ingest spool takes at most 12 bytes a sample for pushed metrics (JSON lines: ~90)", () => {
  const lines: string[] = [];
  for (let j = 0; j < 5_000; j++) {
    const s = j % 1_000;
    lines.push(JSON.stringify({
      ts: T0 + Math.floor(j / 1_000) * 1000,
      host: "edge-1",
      metric: `app_m${s % 50}`,
      labels: { core: String(Math.floor(s / 50)) },
      value: j % 3 === 0 ? j : j % 3 === 1 ? j / 7 : j / 4, // integers, float64s, float32s
    }));
  }
  const batch = parseIngestLines(lines.join("\n"), { now: T0 });
  const enc = new IngestSpoolEncoder();
  const first = enc.encode(batch).length;
  enc.commit();
  const next = enc.encode(batch).length;
  assert.ok(next / 5_000 <= 12, `${next / 5_000} bytes a sample`);
  // the first record also defines the 1,000 series
  assert.ok(first > next);
  assert.equal(crc32(new Uint8Array()), 0);
});

Deno.test("The binary ingest spool keeps series whose UTF-8 needs a longer length prefix than their units", () => {
  // JSON text of u UTF-16 units and b > u bytes: the prefix is sized for u and moved when b
  // needs more varint bytes (u < 128 ≤ b, u < 16384 ≤ b); the largest labels ingest takes
  // (32 values of 1024 bytes) included
  const value = (units: number, char: string) => char.repeat(Math.ceil(units / char.length));
  const labelSets = [
    `k=${value(60, "é")}`,
    `k=${value(120, "€")}`,
    `k=${value(40, "😀")}`,
    `k=${value(6000, "€")}`,
    `k=${value(16000, "é")}`,
    Array.from({ length: 32 }, (_, i) => `l${i}=${value(341, "€")}`).join(","),
    Array.from({ length: 32 }, (_, i) => `l${i}=${value(256, "😀")}`).join(","),
  ];
  const batches = labelSets.map((labels, i) =>
    toBatch([
      { ts: T0 + i, host: "h", metric: "m", labels, value: i },
      { ts: T0 + i, host: "h", metric: "m", labels: "a=1", value: -i },
    ])
  );
  const { batches: got, undecoded } = decodeIngestSegment(segment(...encodeAll(batches)));
  assert.equal(undecoded, 0);
  sameBatches(got, batches);
});

Deno.test("ingestSegmentRecords() gives a segment's samples in slices of at most sliceRows that join into decodeIngestSegment()'s batches", () => {
  const encoder = new IngestSpoolEncoder();
  const batch = (n: number, from: number) => ({
    ts: Array.from({ length: n }, (_, i) => from + i),
    host: Array.from({ length: n }, (_, i) => `h${i % 3}`),
    metric: Array.from({ length: n }, () => "m"),
    labels: Array.from({ length: n }, (_, i) => `k=${i % 7}`),
    value: Array.from({ length: n }, (_, i) => i % 5 === 0 ? NaN : i / 4),
  });
  const records = [batch(10_000, 1e12), batch(0, 2e12), batch(3, 3e12)].map((b) => {
    const r = encoder.encode(b).slice();
    encoder.commit();
    return r;
  });
  const bytes = new Uint8Array([...INGEST_SPOOL_MAGIC, ...records.flatMap((r) => [...r])]);
  const slices = ingestSegmentRecords(bytes, 4096);
  const got: IngestBatch[] = [];
  let r = slices.next();
  for (; !r.done; r = slices.next()) got.push(r.value);
  assert.deepEqual(r.value, { undecoded: 0, records: 3 });
  assert.deepEqual(got.map((b) => b.ts.length), [4096, 4096, 1808, 0, 3]);
  const whole = decodeIngestSegment(bytes).batches;
  const joined = (from: number, to: number) => ({
    ts: got.slice(from, to).flatMap((b) => b.ts),
    host: got.slice(from, to).flatMap((b) => b.host),
    metric: got.slice(from, to).flatMap((b) => b.metric),
    labels: got.slice(from, to).flatMap((b) => b.labels),
    value: got.slice(from, to).flatMap((b) => b.value),
  });
  assert.deepEqual([joined(0, 3), joined(3, 4), joined(4, 5)], whole);
});
