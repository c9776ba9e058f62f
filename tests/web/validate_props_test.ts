import assert from "node:assert/strict";
import fc from "fast-check";
import { parseDurationMs, parseTimeMs } from "../../web/validate.ts";
import { props, timeish } from "../_props.ts";

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const unit = fc.constantFrom(...(Object.keys(UNIT_MS) as (keyof typeof UNIT_MS)[]));
/** `1h30m`-style durations as parts, with at least one part above zero. */
const parts = fc.array(fc.tuple(fc.integer({ min: 0, max: 100_000 }), unit), {
  minLength: 1,
  maxLength: 5,
}).filter((ps) => ps.some(([n]) => n > 0));

function format(ps: readonly [number, keyof typeof UNIT_MS][]): string {
  return ps.map(([n, u]) => `${n}${u}`).join("");
}

function total(ps: readonly [number, keyof typeof UNIT_MS][]): number {
  return ps.reduce((sum, [n, u]) => sum + n * UNIT_MS[u], 0);
}

const MAX_MS = 8.64e15;

Deno.test("parseDurationMs() reads every formatted duration back as its milliseconds", () => {
  fc.assert(
    fc.property(parts, (ps) => {
      assert.equal(parseDurationMs(format(ps)), total(ps));
      assert.equal(parseDurationMs(` ${format(ps)}\t`), total(ps));
    }),
    props(300),
  );
});

Deno.test("parseDurationMs() reads a bare number as milliseconds", () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }), (n) => {
      assert.equal(parseDurationMs(String(n)), n <= MAX_MS ? n : undefined);
    }),
    props(200),
  );
});

Deno.test("parseTimeMs() reads now-D and -D as the clock minus the duration", () => {
  fc.assert(
    fc.property(parts, fc.integer({ min: 0, max: 4e12 }), (ps, now) => {
      assert.equal(parseTimeMs(`now-${format(ps)}`, now), now - total(ps));
      assert.equal(parseTimeMs(`-${format(ps)}`, now), now - total(ps));
      assert.equal(parseTimeMs("now", now), now);
    }),
    props(300),
  );
});

Deno.test("parseTimeMs() reads ISO times and epoch milliseconds back exactly", () => {
  const date = fc.date({
    min: new Date("0000-01-01T00:00:00Z"),
    max: new Date("9999-12-31T23:59:59.999Z"),
    noInvalidDate: true,
  });
  fc.assert(
    fc.property(date, fc.integer({ min: 0, max: MAX_MS }), (d, ms) => {
      assert.equal(parseTimeMs(d.toISOString(), 0), d.getTime());
      assert.equal(parseTimeMs(String(ms), 0), ms);
    }),
    props(300),
  );
});

Deno.test("parseDurationMs() and parseTimeMs() answer a finite number in range or undefined for any text", () => {
  fc.assert(
    fc.property(fc.oneof(timeish, fc.string(), fc.string({ unit: "binary" })), (text) => {
      const d = parseDurationMs(text);
      if (d !== undefined) assert.ok(d > 0 && d <= MAX_MS, `duration ${d} for ${text}`);
      const t = parseTimeMs(text, 1.7e12);
      if (t !== undefined) assert.ok(Math.abs(t) <= MAX_MS, `time ${t} for ${text}`);
    }),
    props(1000),
  );
});

// Regressions found by the properties above: digits too long for a double read as Infinity,
// and the series route passed Infinity (step) or 1e20 (from/to) to DuckDB, which answered 500.
Deno.test("parseDurationMs() refuses a duration that is too long for a double", () => {
  assert.equal(parseDurationMs("9".repeat(400)), undefined);
  assert.equal(parseDurationMs("99999999999999999999w"), undefined);
});

Deno.test("parseTimeMs() refuses times beyond Date's range", () => {
  assert.equal(parseTimeMs("9".repeat(400), 0), undefined);
  assert.equal(parseTimeMs("99999999999999999999", 0), undefined);
  assert.equal(parseTimeMs(`now-${"9".repeat(400)}d`, 0), undefined);
  assert.equal(parseTimeMs("8640000000000000", 0), 8.64e15);
});
