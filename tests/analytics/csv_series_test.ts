import assert from "node:assert/strict";
import { parseTimestamp, readCsvSeries } from "../../analytics/series/csv_series.ts";

Deno.test("readCsvSeries() defaults to the timestamp and value columns", () => {
  const s = readCsvSeries(
    "value,timestamp,other\n1,2024-01-01T00:00:00Z,9\n2,2024-01-01T00:05:00Z,9\n",
  );
  assert.equal(s.timeColumn, "timestamp");
  assert.equal(s.valueColumn, "value");
  assert.equal(s.stepMs, 300_000);
  assert.deepEqual([...s.values], [1, 2]);
});

Deno.test("readCsvSeries() falls back to the first column and the last numeric column", () => {
  const s = readCsvSeries(
    "date,HUFL,OT,note\n2016-07-01 00:00:00,1,38.5,a\n2016-07-01 01:00:00,2,37.1,b\n",
  );
  assert.equal(s.timeColumn, "date");
  assert.equal(s.valueColumn, "OT");
  assert.deepEqual([...s.values], [38.5, 37.1]);
  assert.equal(s.ts[0], Date.UTC(2016, 6, 1));
});

Deno.test("readCsvSeries() reads named columns, quoted cells and CRLF line ends", () => {
  const text = 'when,"a,b",v\r\n"2024-01-01 00:00",1,"3"\r\n"2024-01-01 00:01",2,""\r\n\r\n';
  const s = readCsvSeries(text, { timeColumn: "when", valueColumn: "a,b" });
  assert.deepEqual([...s.values], [1, 2]);
  const v = readCsvSeries(text, { timeColumn: "when", valueColumn: "v" });
  assert.equal(v.values[0], 3);
  assert.ok(Number.isNaN(v.values[1]));
  assert.equal(v.stepMs, 60_000);
});

Deno.test("readCsvSeries() keeps escaped quotes inside quoted cells", () => {
  const s = readCsvSeries('timestamp,label,value\n0,"say ""hi""",5\n');
  assert.equal(s.values[0], 5);
  assert.ok(Number.isNaN(s.stepMs), "one row has no step");
});

Deno.test("readCsvSeries() turns non-numeric cells into NaN rather than failing", () => {
  const s = readCsvSeries("timestamp,value\n1,1\n2,oops\n3,3\n");
  assert.ok(Number.isNaN(s.values[1]));
  assert.equal(s.stepMs, 1000);
});

Deno.test("readCsvSeries() names what is wrong with bad input", () => {
  assert.throws(() => readCsvSeries(""), /needs a header row/);
  assert.throws(() => readCsvSeries("timestamp,value\n"), /needs a header row/);
  assert.throws(() => readCsvSeries("t,v\n1,2\n", { timeColumn: "x" }), /--time-column: x/);
  assert.throws(() => readCsvSeries("t,v\n1,2\n", { valueColumn: "y" }), /--value-column: y/);
  assert.throws(() => readCsvSeries("t,name\n1,a\n"), /no numeric value column/);
  assert.throws(
    () => readCsvSeries("t,v\nyesterday,2\n"),
    /Invalid timestamp on line 2: yesterday/,
  );
});

Deno.test("parseTimestamp() reads epoch seconds, epoch milliseconds and ISO text", () => {
  assert.equal(parseTimestamp("1700000000"), 1_700_000_000_000);
  assert.equal(parseTimestamp("1700000000000"), 1_700_000_000_000);
  assert.equal(parseTimestamp("2024-02-29T12:00:00+01:00"), Date.UTC(2024, 1, 29, 11));
  assert.equal(parseTimestamp("2024-02-29 12:00:00.5"), Date.UTC(2024, 1, 29, 12, 0, 0, 500));
  assert.ok(Number.isNaN(parseTimestamp("not a time")));
});

Deno.test("readCsvSeries() refuses an overlong line and, with ascending, time going backwards", () => {
  const long = `timestamp,value\n2024-01-01 00:00:00,${"1".repeat(70_000)}\n`;
  assert.throws(() => readCsvSeries(long), /Invalid CSV: line 2 is longer than 65536 characters/);
  assert.throws(() => readCsvSeries(long.slice(0, 200), { maxLineLength: 10 }), /line 1 is longer/);
  const unsorted = "timestamp,value\n\n2024-01-01 01:00:00,1\n2024-01-01 01:00:00,2\n\n" +
    "2024-01-01 00:00:00,3\n";
  assert.deepEqual([...readCsvSeries(unsorted).values], [1, 2, 3]);
  assert.throws(
    () => readCsvSeries(unsorted, { ascending: true }),
    /time goes backwards on line 6 \(2024-01-01 00:00:00 after 2024-01-01 01:00:00\)/,
  );
});

Deno.test("readCsvSeries() keeps a quoted line break inside its cell and counts lines right", () => {
  const s = readCsvSeries('timestamp,note,value\n0,"a\nb",1\n60,"x,""y""",2\n');
  assert.deepEqual([...s.ts], [0, 60_000]);
  assert.deepEqual([...s.values], [1, 2]);
  assert.throws(
    () => readCsvSeries('timestamp,note,value\n0,"a\nb",1\nsoon,x,2\n'),
    /Invalid timestamp on line 4: soon/,
  );
});

Deno.test("readCsvSeries() refuses times a Date cannot hold and reads infinite values as missing", () => {
  // a new user's walkthrough: 9e15 epoch ms passed the reader and failed later as "Invalid time
  // value" with no line; "Infinity" was read as a value while "inf" was missing
  assert.ok(Number.isNaN(parseTimestamp("9000000000000000.0")));
  assert.ok(Number.isNaN(parseTimestamp("-8640000000000001")));
  assert.equal(parseTimestamp("8640000000000000"), 8.64e15);
  assert.throws(
    () => readCsvSeries("timestamp,value\n1767225600,1\n9000000000000000.0,2\n"),
    /^RangeError: Invalid timestamp on line 3: 9000000000000000\.0$/,
  );
  const s = readCsvSeries("t,v\n0,Infinity\n60,-Infinity\n120,1e400\n180,inf\n240,5\n");
  assert.deepEqual([...s.values].map(String), ["NaN", "NaN", "NaN", "NaN", "5"]);
});
