import assert from "node:assert/strict";
import fc from "fast-check";
import { parseTimestamp, readCsvSeries } from "../../analytics/series/csv_series.ts";
import { props } from "../_props.ts";

/** How a row's time is written, and what it reads back as. */
const timeCell = fc.oneof(
  // ISO 8601 with ms and Z
  fc.integer({ min: Date.UTC(1971, 0, 1), max: Date.UTC(2200, 0, 1) }).map((ms) => ({
    text: new Date(ms).toISOString(),
    ms,
  })),
  // `YYYY-MM-DD HH:MM:SS`, read as UTC
  fc.integer({ min: Date.UTC(1971, 0, 1) / 1000, max: Date.UTC(2200, 0, 1) / 1000 }).map((s) => ({
    text: new Date(s * 1000).toISOString().slice(0, 19).replace("T", " "),
    ms: s * 1000,
  })),
  // epoch seconds (below 1e11) and milliseconds (from 1e11)
  fc.integer({ min: 0, max: 99_999_999_999 }).map((s) => ({ text: String(s), ms: s * 1000 })),
  fc.integer({ min: 1e11, max: 8.64e15 }).map((ms) => ({ text: String(ms), ms })),
);

/** A value cell and what it reads back as (`NaN` for an empty cell). */
const valueCell = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => ({
    text: String(v),
    v: Number(String(v)),
  })),
  fc.integer().map((v) => ({ text: String(v), v })),
  fc.constant({ text: "", v: NaN }),
);

/** A cell of another column: text, possibly needing quotes (commas, quotes; no newlines). */
const otherCell = fc.string({
  unit: fc.constantFrom("a", "b", ",", '"', " ", "é", "1", ";"),
  maxLength: 8,
});

function quote(text: string, force: boolean): string {
  return force || /[",]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

const table = fc.record({
  rows: fc.array(fc.record({ t: timeCell, v: valueCell, other: otherCell }), {
    minLength: 1,
    maxLength: 30,
  }),
  timeName: fc.constantFrom("timestamp", "time", "date", "ts,utc"),
  valueName: fc.constantFrom("value", "v", 'load "1m"'),
  order: fc.constantFrom("tvo", "vto", "otv"),
  quoteAll: fc.boolean(),
  eol: fc.constantFrom("\n", "\r\n"),
  bom: fc.boolean(),
  blankLines: fc.boolean(),
  last: fc.boolean(),
});

Deno.test("readCsvSeries() reads back the times and values of a generated table", () => {
  fc.assert(
    fc.property(table, (tb) => {
      const cells = (t: string, v: string, o: string) =>
        [...tb.order].map((c) => quote(c === "t" ? t : c === "v" ? v : o, tb.quoteAll));
      const lines = [cells(tb.timeName, tb.valueName, "note").join(",")];
      for (const r of tb.rows) {
        lines.push(cells(r.t.text, r.v.text, r.other).join(","));
        if (tb.blankLines) lines.push("");
      }
      const text = (tb.bom ? "\uFEFF" : "") + lines.join(tb.eol) + (tb.last ? tb.eol : "");
      const s = readCsvSeries(text, { timeColumn: tb.timeName, valueColumn: tb.valueName });
      assert.deepEqual([...s.ts], tb.rows.map((r) => r.t.ms));
      assert.deepEqual([...s.values], tb.rows.map((r) => r.v.v));
      assert.equal(s.timeColumn, tb.timeName);
    }),
    props(300),
  );
});

Deno.test("readCsvSeries() finds the timestamp and value columns by default", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(timeCell, valueCell), { minLength: 1, maxLength: 20 }),
      fc.boolean(),
      (rows, bom) => {
        const text = (bom ? "\uFEFF" : "") + "note,value,timestamp\n" +
          rows.map(([t, v]) => `x,${v.text},${t.text}`).join("\n");
        const s = readCsvSeries(text);
        assert.equal(s.timeColumn, "timestamp");
        assert.equal(s.valueColumn, "value");
        assert.deepEqual([...s.ts], rows.map(([t]) => t.ms));
      },
    ),
    props(200),
  );
});

Deno.test("parseTimestamp() reads epoch seconds with a fraction to the millisecond", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 99_999_999 }),
      fc.integer({ min: 0, max: 999 }),
      (s, ms) => {
        const text = `${s}.${String(ms).padStart(3, "0")}`;
        assert.ok(Math.abs(parseTimestamp(text) - (s * 1000 + ms)) < 1e-3, text);
      },
    ),
    props(200),
  );
});

Deno.test("readCsvSeries() answers a series or a RangeError for arbitrary text, never a NaN time", () => {
  const csvish = fc.array(
    fc.oneof(
      fc.constantFrom(
        ",",
        '"',
        "\n",
        "\r\n",
        "\r",
        "timestamp",
        "value",
        "2024-01-01",
        " 00:00:00",
        "T",
        "Z",
        "1e5",
        "-",
      ),
      fc.string({ maxLength: 6 }),
      fc.integer().map(String),
    ),
    { maxLength: 30 },
  ).map((xs) => xs.join(""));
  const options = fc.record({
    timeColumn: fc.option(fc.constantFrom("timestamp", "value", ""), { nil: undefined }),
    valueColumn: fc.option(fc.constantFrom("timestamp", "value", "x"), { nil: undefined }),
  });
  fc.assert(
    fc.property(
      fc.oneof(csvish, fc.string(), fc.string({ unit: "binary" })),
      options,
      (text, o) => {
        const opts = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
        try {
          const s = readCsvSeries(text, opts);
          assert.equal(s.ts.length, s.values.length);
          assert.ok(s.ts.length > 0);
          for (const t of s.ts) assert.ok(!Number.isNaN(t));
        } catch (error) {
          assert.ok(error instanceof RangeError, String(error));
          assert.match(
            error.message,
            /^Invalid (CSV|--time-column|--value-column|timestamp on line \d+): /,
          );
        }
      },
    ),
    props(1000),
  );
});
