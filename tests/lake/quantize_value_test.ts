import fc from "fast-check";
import assert from "node:assert/strict";
import { IngestWriter, openLake, quantizeValue } from "../../lake/mod.ts";

const T0 = Date.UTC(2024, 0, 1);

Deno.test("quantizeValue() keeps the edge values of a double exactly, sign included", () => {
  const exact = [
    0,
    -0,
    Number.MIN_VALUE,
    -Number.MIN_VALUE,
    Number.MAX_VALUE,
    -Number.MAX_VALUE,
    1e-308,
    -1e-308,
    1e-303,
    1e-305,
    -1e-305,
    1e308,
    -1e308,
  ];
  for (const v of exact) assert.ok(Object.is(quantizeValue(v), v), `${v} → ${quantizeValue(v)}`);
});

Deno.test("quantizeValue() rounds tiny and subnormal values to six significant digits, never to NaN", () => {
  // 2.2250738585072014e-308 is the smallest normal double; below it values are subnormal
  assert.equal(quantizeValue(2.2250738585072014e-308), 2.22507e-308);
  assert.equal(quantizeValue(-1.23456789e-310), -1.23457e-310);
  assert.equal(quantizeValue(1.23456789e-20), 1.23457e-20);
  for (let e = -324; e <= -290; e++) {
    for (const m of [1, 1.5, 3.14159265, 9.9999999]) {
      for (const sign of [1, -1]) {
        const v = sign * m * 10 ** e;
        const q = quantizeValue(v);
        assert.ok(Number.isFinite(q), `${v} → ${q}`);
        if (v !== 0) assert.equal(Math.sign(q), Math.sign(v), `${v} → ${q}`);
        // within half a unit of the 6th digit, or the nearest subnormal where that is coarser
        assert.ok(Math.abs(q - v) <= Math.max(Math.abs(v) * 5e-6, Number.MIN_VALUE), `${v} → ${q}`);
      }
    }
  }
});

Deno.test("quantizeValue() keeps its arithmetic rounding for normal values", () => {
  assert.equal(quantizeValue(0.123456789), 0.123457);
  assert.equal(quantizeValue(1234.5678901), 1234.57);
  assert.equal(quantizeValue(-0.000123456789), -0.000123457);
  assert.equal(quantizeValue(1.5e-17), 1.5e-17);
});

Deno.test("Ingested subnormal values reach the lake as the same finite values", async () => {
  const root = await Deno.makeTempDir();
  const w = new IngestWriter({ root, sync: false, now: () => T0 + 60_000 });
  const values = ["5e-324", "-5e-324", "1e-305", "1e-308", "1e308", "-0"];
  w.write(new TextEncoder().encode(
    values.map((v, i) => `{"ts":${T0 + i},"host":"h","metric":"m","value":${v}}`).join("\n"),
  ));
  w.close();
  const lake = await openLake({ root });
  try {
    const rows = await lake.query<{ value: number }>("SELECT value FROM samples ORDER BY ts");
    assert.deepEqual(rows.map((r) => r.value), values.map(Number));
    assert.ok(Object.is(rows[5]!.value, -0));
  } finally {
    lake.close();
  }
});

Deno.test("quantizeValue() rounds as the formula with Number.isInteger, Math.abs and 10 ** digits did", () => {
  const formula = (value: number): number => {
    if (Number.isInteger(value) || !Number.isFinite(value)) return value;
    const digits = 5 - Math.floor(Math.log10(Math.abs(value)));
    if (digits > 22) return Number(value.toPrecision(6));
    if (digits >= 0) return Math.round(value * 10 ** digits) / 10 ** digits;
    return Math.round(value / 10 ** -digits) * 10 ** -digits;
  };
  fc.assert(
    fc.property(fc.double(), fc.integer({ min: -30, max: 30 }), (x, e) => {
      const v = x * 10 ** e;
      assert.ok(Object.is(quantizeValue(v), formula(v)), String(v));
    }),
    { numRuns: 5000 },
  );
});
