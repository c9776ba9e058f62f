import assert from "node:assert/strict";
import fc from "fast-check";
import {
  snapshotRows,
  SPOOL_MAGIC,
  SpoolDecoder,
  SpoolEncoder,
  type SpoolSnapshot,
} from "../../lake/spool_format.ts";
import type { LakeRow } from "../../lake/write_samples.ts";
import { props } from "../_props.ts";

const text = fc.oneof(
  fc.constantFrom("h1", "cpu_ratio", "", "cpu=0,mode=user", 'a\\,b="c"\n'),
  fc.string({ unit: "binary", maxLength: 20 }),
);
const row: fc.Arbitrary<LakeRow> = fc.record({
  ts: fc.oneof(fc.constantFrom(0, 1, 1.7e12), fc.double({ noNaN: true, noDefaultInfinity: true })),
  host: text,
  metric: text,
  labels: text,
  value: fc.double(),
});
/** Rows where neighbours often share a time (one snapshot) and series repeat (one definition). */
const rows = fc.array(row, { maxLength: 40 }).chain((rs) =>
  fc.tuple(fc.constant(rs), fc.array(fc.nat(), { minLength: rs.length, maxLength: rs.length }))
    .map(([base, picks]) => {
      const out: LakeRow[] = [];
      base.forEach((r, i) => {
        const p = picks[i]! % (i + 1);
        if (i === 0 || p === i) out.push(r);
        else if (p % 2) out.push({ ...r, ts: out[i - 1]!.ts });
        else out.push({ ...out[p]!, value: r.value });
      });
      return out;
    })
);

/** A segment's bytes: the magic, then the encoder's records (copied: the encoder reuses them). */
function segment(rs: readonly LakeRow[]): Uint8Array {
  const body = new SpoolEncoder().rows(rs);
  const out = new Uint8Array(SPOOL_MAGIC.length + body.length);
  out.set(SPOOL_MAGIC);
  out.set(body, SPOOL_MAGIC.length);
  return out;
}

/** Feeds `bytes` cut at `cuts` (positions, any order) and returns every snapshot decoded. */
function decodeInPieces(decoder: SpoolDecoder, bytes: Uint8Array, cuts: number[]) {
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: SpoolSnapshot[] = [];
  let from = 0;
  for (const to of [...at, bytes.length]) {
    out.push(...decoder.push(bytes.subarray(from, to)));
    from = to;
  }
  return out;
}

function sameRows(actual: LakeRow[], expected: readonly LakeRow[]): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    assert.deepEqual([a.host, a.metric, a.labels], [e.host, e.metric, e.labels]);
    assert.ok(a.ts === e.ts, `ts ${a.ts} vs ${e.ts}`); // -0 and 0 are one time
    // NaN is "no value": any NaN payload decodes as NaN
    assert.ok(Object.is(a.value, e.value) || (Number.isNaN(a.value) && Number.isNaN(e.value)));
  }
}

/** Checks the shape of what a decoder returned: lengths agree, times are finite. */
function wellFormed(snaps: readonly SpoolSnapshot[]): void {
  for (const s of snaps) {
    assert.ok(Number.isFinite(s.ts));
    assert.equal(s.series.length, s.values.length);
    for (const x of s.series) {
      assert.equal(typeof x.host + typeof x.metric + typeof x.labels, "stringstringstring");
    }
  }
}

Deno.test("SpoolDecoder decodes what SpoolEncoder wrote, however the bytes are cut", () => {
  fc.assert(
    fc.property(rows, fc.array(fc.nat(), { maxLength: 6 }), (rs, cuts) => {
      const decoder = new SpoolDecoder();
      const snaps = decodeInPieces(decoder, segment(rs), cuts);
      sameRows(snapshotRows(snaps), rs);
      assert.equal(decoder.broken, false);
      assert.equal(decoder.pendingBytes, 0);
    }),
    props(300),
  );
});

Deno.test("SpoolDecoder decodes a segment cut short up to its last whole record, without breaking", () => {
  fc.assert(
    fc.property(rows, fc.nat(), (rs, cut) => {
      const bytes = segment(rs);
      const decoder = new SpoolDecoder();
      const got = snapshotRows(decoder.push(bytes.subarray(0, cut % (bytes.length + 1))));
      sameRows(got, rs.slice(0, got.length));
      assert.equal(decoder.broken, false);
    }),
    props(300),
  );
});

Deno.test("SpoolDecoder returns well-formed snapshots or stops for a segment with flipped bits", () => {
  fc.assert(
    fc.property(
      rows,
      fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(), { maxLength: 3 }),
      (rs, flips, cuts) => {
        const bytes = segment(rs);
        for (const f of flips) bytes[f % bytes.length]! ^= 1 << (f % 8);
        const decoder = new SpoolDecoder();
        const snaps = decodeInPieces(decoder, bytes, cuts);
        wellFormed(snaps);
        if (decoder.broken) assert.equal(decoder.pendingBytes, 0);
        assert.deepEqual(decoder.broken ? decoder.push(bytes) : [], []);
      },
    ),
    props(300),
  );
});

Deno.test("SpoolDecoder stops cleanly on arbitrary bytes, with or without the magic", () => {
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.uint8Array({ maxLength: 400 }),
      fc.array(fc.nat(), { maxLength: 4 }),
      (magic, junk, cuts) => {
        const bytes = magic ? new Uint8Array([...SPOOL_MAGIC, ...junk]) : junk;
        const decoder = new SpoolDecoder();
        wellFormed(decodeInPieces(decoder, bytes, cuts));
        assert.ok(decoder.pendingBytes <= bytes.length);
      },
    ),
    props(500),
  );
});

/** Offsets of the records in a segment made by {@linkcode segment}. */
function recordStarts(bytes: Uint8Array): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let pos = SPOOL_MAGIC.length; pos < bytes.length; pos += 8 + view.getUint32(pos, true)) {
    out.push(pos);
  }
  return out;
}

// Regression found by the flipped-bits property: a damaged size field left the decoder waiting
// for bytes that never came, and a whole file lost everything after it without being broken.
Deno.test("SpoolDecoder marks a segment broken at a record whose size field is damaged", () => {
  const nonEmpty = rows.filter((rs) => rs.length > 0);
  fc.assert(
    fc.property(
      nonEmpty,
      fc.nat(),
      fc.integer({ min: 3, max: 31 }),
      fc.array(fc.nat(), { maxLength: 3 }),
      (rs, pick, bit, cuts) => {
        const bytes = segment(rs);
        const starts = recordStarts(bytes);
        const at = starts[pick % starts.length]!;
        const intact = new SpoolDecoder().push(bytes.subarray(0, at));
        const view = new DataView(bytes.buffer);
        view.setUint32(at, view.getUint32(at, true) ^ (1 << bit), true);
        const decoder = new SpoolDecoder();
        const snaps = decodeInPieces(decoder, bytes, cuts);
        assert.equal(decoder.broken, true);
        assert.equal(decoder.pendingBytes, 0);
        assert.equal(decoder.undecodedBytes, bytes.length - at);
        // the records before the damaged one are all there
        assert.deepEqual(snapshotRows(snaps), snapshotRows(intact));
      },
    ),
    props(300),
  );
});
