import assert from "node:assert/strict";
import { escapeHtml, formatDuration, formatTime, formatValue } from "../../reports/format_value.ts";

Deno.test("formatValue() prints bytes in binary units and ratios as percentages", () => {
  assert.equal(formatValue(512, "bytes"), "512 B");
  assert.equal(formatValue(3 * 2 ** 40, "bytes"), "3 TiB");
  assert.equal(formatValue(2 ** 60, "bytes"), "1024 PiB");
  assert.equal(formatValue(1, "ratio"), "100 %");
  assert.equal(formatValue(0.0004, "ratio"), "0.04 %");
});

Deno.test("formatValue() uses SI prefixes and the unit word for other units", () => {
  assert.equal(formatValue(1234, "1/s"), "1.23 k 1/s");
  assert.equal(formatValue(12, "ms"), "12 ms");
  assert.equal(formatValue(5, ""), "5");
  assert.equal(formatValue(-2500, ""), "-2.5 k");
});

Deno.test("formatValue() prints a dash for missing, NaN and infinite values", () => {
  assert.equal(formatValue(null, "bytes"), "–");
  assert.equal(formatValue(NaN, "ratio"), "–");
  assert.equal(formatValue(Infinity, ""), "–");
});

Deno.test("formatDuration() picks days, hours or minutes", () => {
  assert.equal(formatDuration(3 * 86_400_000), "3 d");
  assert.equal(formatDuration(90 * 60_000), "1.5 h");
  assert.equal(formatDuration(40 * 60_000), "40 min");
  assert.equal(formatDuration(null), "–");
  assert.equal(formatDuration(NaN), "–");
});

Deno.test("formatTime() prints UTC minutes and a dash for null", () => {
  assert.equal(formatTime(0), "1970-01-01 00:00 UTC");
  assert.equal(formatTime(null), "–");
});

Deno.test("escapeHtml() escapes every character that could open markup", () => {
  assert.equal(
    escapeHtml(`<script>alert("x" & 'y')</script>`),
    "&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;",
  );
  assert.equal(escapeHtml(""), "");
});
