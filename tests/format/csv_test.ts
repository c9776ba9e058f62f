import assert from "node:assert/strict";
import fc from "fast-check";
// @ts-types="../../format/_d3_dsv_parse.d.ts"
import { csvParseRows } from "d3-dsv";
import { csvLine, csvText } from "../../format/mod.ts";

Deno.test("csvText() output parses back to the same cells, quotes, commas and newlines included", () => {
  fc.assert(
    fc.property(
      fc.array(fc.string({ unit: "grapheme-ascii" }), { minLength: 1, maxLength: 4 }),
      fc.array(fc.array(fc.string({ unit: "grapheme-ascii" }), { minLength: 1, maxLength: 4 }), {
        maxLength: 5,
      }),
      (columns, rows) => {
        const text = csvText(columns, rows);
        assert.ok(text.endsWith("\n"));
        assert.deepEqual(csvParseRows(text.slice(0, -1)), [columns, ...rows]);
      },
    ),
  );
});

Deno.test("csvLine() writes gaps empty, NaN as NaN, objects as JSON and ends lines with LF only", () => {
  assert.equal(csvLine([null, undefined, NaN, Infinity, -0.5]), ",,NaN,Infinity,-0.5\n");
  assert.equal(csvLine([{ a: [1, NaN] }]), '"{""a"":[1,""NaN""]}"\n');
  assert.equal(csvLine([new Date(Date.UTC(2024, 0, 1))]), "2024-01-01T00:00:00.000Z\n");
  assert.equal(csvLine(["a\r\nb"]), '"a\r\nb"\n');
});

Deno.test("csvLine() quotes a row of one empty cell so it is not read as a blank line", () => {
  assert.equal(csvLine([""]), '""\n');
  assert.equal(csvLine([null]), '""\n');
  assert.equal(csvLine(["", ""]), ",\n");
});
