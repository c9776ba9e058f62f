import assert from "node:assert/strict";
import fc from "fast-check";
import { SeriesTable, type Snapshot } from "../../collectors/snapshot.ts";
import { createSampler } from "../../collectors/create_sampler.ts";
import { RowBuffer } from "../../lake/_row_buffer.ts";
import { snapshotRows, SPOOL_MAGIC, SpoolDecoder, SpoolEncoder } from "../../lake/spool_format.ts";

const table = new SeriesTable("h");
const pool = Array.from(
  { length: 6 },
  (_, i) => table.get(`m${i % 3}`, Object.freeze({ k: String(i) })),
);

/** Steps of a sampler that reuses one snapshot object: which series, which values. */
const steps = fc.array(
  fc.record({
    keep: fc.boolean(), // same series as the step before (only the values change)
    series: fc.array(fc.nat({ max: 5 }), { maxLength: 6 }),
    values: fc.array(
      fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(NaN)),
      {
        minLength: 6,
        maxLength: 6,
      },
    ),
  }),
  { minLength: 1, maxLength: 12 },
);

/** The snapshots as a sampler gives them (one object, `layout` bumped when series change). */
function* replay(plan: { keep: boolean; series: number[]; values: number[] }[]) {
  const snap: Snapshot = { ts: 0, length: 0, series: [], values: new Float64Array(6), layout: 0 };
  let picks: number[] = [];
  for (const [t, step] of plan.entries()) {
    if (!step.keep || t === 0) {
      const same = step.series.length === picks.length &&
        step.series.every((p, i) => p === picks[i]);
      picks = step.series;
      if (!same || t === 0) snap.layout!++;
    }
    snap.ts = 1_700_000_000_000 + 1000 * t;
    snap.length = picks.length;
    picks.forEach((p, i) => (snap.series[i] = pool[p]!, snap.values[i] = step.values[i]!));
    yield snap;
  }
}

/** The same snapshot as a new object without a layout: nothing may be reused. */
function fresh(snap: Snapshot): Snapshot {
  return {
    ts: snap.ts,
    length: snap.length,
    series: snap.series.slice(),
    values: snap.values.slice(),
  };
}

function decode(bytes: Uint8Array[]): string {
  const d = new SpoolDecoder();
  const out = [d.push(SPOOL_MAGIC), ...bytes.map((b) => d.push(b))].flat();
  return JSON.stringify(snapshotRows(out));
}

Deno.test("SpoolEncoder writes snapshots of an unchanged layout as it writes new ones", () => {
  fc.assert(
    fc.property(steps, (plan) => {
      const reusing = new SpoolEncoder();
      const plain = new SpoolEncoder();
      const a: Uint8Array[] = [];
      const b: Uint8Array[] = [];
      for (const snap of replay(plan)) {
        a.push(reusing.snapshot(snap).slice());
        b.push(plain.snapshot(fresh(snap)).slice());
      }
      assert.equal(decode(a), decode(b));
      assert.deepEqual(a, b);
    }),
    { numRuns: 300 },
  );
});

Deno.test("RowBuffer writes the same Parquet bytes from snapshots of an unchanged layout", () => {
  fc.assert(
    fc.property(steps, (plan) => {
      const root = Deno.makeTempDirSync();
      try {
        const reusing = new RowBuffer();
        const plain = new RowBuffer();
        for (const snap of replay(plan)) {
          reusing.addSnapshot(snap);
          plain.addSnapshot(fresh(snap));
        }
        assert.equal(reusing.length, plain.length);
        const [x] = reusing.write({ root: `${root}/a`, id: 1, sync: false });
        const [y] = plain.write({ root: `${root}/b`, id: 1, sync: false });
        assert.equal(x?.rows, y?.rows);
        if (x && y) assert.deepEqual(Deno.readFileSync(x.path), Deno.readFileSync(y.path));
      } finally {
        Deno.removeSync(root, { recursive: true });
      }
    }),
    { numRuns: 100 },
  );
});

Deno.test("createSampler() changes a snapshot's layout exactly when its series change", () => {
  using sampler = createSampler({ host: "h", topN: 0, cgroupTop: 0 });
  let previous: unknown[] = [];
  let layout: number | undefined;
  for (let i = 0; i < 4; i++) {
    const snap = sampler.snapshot();
    const series = snap.series.slice(0, snap.length);
    const same = series.length === previous.length && series.every((s, k) => s === previous[k]);
    if (layout !== undefined) assert.equal(snap.layout === layout, same);
    layout = snap.layout;
    previous = series;
  }
});
