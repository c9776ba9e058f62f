import assert from "node:assert/strict";
import {
  escapeHtml,
  formatDuration,
  formatEta,
  formatGrowth,
  formatTime,
  formatValue,
} from "../../reports/format_value.ts";

const DAY = 86_400_000;

Deno.test("formatValue() prints bytes in binary units and ratios as percentages", () => {
  assert.equal(formatValue(512, "bytes"), "512 B");
  assert.equal(formatValue(3 * 2 ** 40, "bytes"), "3 TiB");
  assert.equal(formatValue(2 ** 60, "bytes"), "1 EiB");
  assert.equal(formatValue(1, "ratio"), "100 %");
  assert.equal(formatValue(0.0004, "ratio"), "0.04 %");
});

Deno.test("formatValue() prints counts with separators below a million, SI prefixes above", () => {
  assert.equal(formatValue(1234, "1/s"), "1,234/s");
  assert.equal(formatValue(12, "ms"), "12 ms");
  assert.equal(formatValue(5, ""), "5");
  assert.equal(formatValue(-2500, ""), "-2,500");
  assert.equal(formatValue(687_900, "inodes"), "688 k inodes");
  assert.equal(formatValue(1.94, "processes"), "1.94 processes");
  assert.equal(formatValue(3_190_000, "inodes"), "3.19 M inodes");
  assert.equal(formatValue(-2_500_000, ""), "-2.5 M");
});

Deno.test("formatValue() moves up a unit when rounding reaches the base", () => {
  assert.equal(formatValue(1_073_700_000, "bytes"), "1 GiB");
  assert.equal(formatValue(999_999_999, "inodes"), "1 G inodes");
});

Deno.test("formatGrowth() signs growth and appends per day", () => {
  assert.equal(formatGrowth(18.6 * 2 ** 30, "bytes"), "+18.6 GiB/day");
  assert.equal(formatGrowth(-0.5, "processes"), "-0.5 processes/day");
  assert.equal(formatGrowth(0, "inodes"), "0 inodes/day");
  assert.equal(formatGrowth(0.809, "processes"), "+0.809 processes/day");
  assert.equal(formatGrowth(0.0001, "processes"), "0 processes/day");
  assert.equal(formatGrowth(null, "bytes"), "–");
});

Deno.test("formatEta() reads as a sentence with the 80 % interval", () => {
  const now = 1000;
  assert.equal(
    formatEta(now + 3.2 * DAY, now + 2.1 * DAY, now + 4.6 * DAY, now, 7 * DAY),
    "in 3.2 days (80 %: 2.1–4.6 days)",
  );
  assert.equal(
    formatEta(now + 5 * DAY, now + 4 * DAY, null, now, 7 * DAY),
    "in 5 days (80 %: 4 days – beyond 7 days)",
  );
  assert.equal(
    formatEta(now + 20 * 3_600_000, now + 10 * 3_600_000, now + 2 * DAY, now, 7 * DAY),
    "in 20 h (80 %: 10 h–2 days)",
  );
  assert.equal(
    formatEta(now + 1.5 * DAY, now + DAY, now + 2 * DAY, now, 7 * DAY),
    "in 1.5 days (80 %: 1–2 days)",
  );
  assert.equal(formatEta(now + 2 * DAY, null, null, now, 7 * DAY), "in 2 days");
  assert.equal(
    formatEta(now + 9 * 3_600_000, now, now + 1.2 * DAY, now, 7 * DAY),
    "in 9 h (80 %: now – 1.2 days)",
  );
  assert.equal(
    formatEta(now + DAY, now, null, now, 3 * DAY),
    "in 1 day (80 %: now – beyond 3 days)",
  );
  assert.equal(formatEta(now, now, now, now, 7 * DAY), "now (already past)");
  assert.equal(formatEta(null, null, null, now, 14 * DAY), "not within 14 days");
  assert.equal(
    formatEta(now + 4.6 * DAY, now + 4.59 * DAY, now + 4.61 * DAY, now, 7 * DAY),
    "in 4.6 days (80 %: ±14 min)",
  );
});

Deno.test("formatValue() prints a dash for missing, NaN and infinite values", () => {
  assert.equal(formatValue(null, "bytes"), "–");
  assert.equal(formatValue(NaN, "ratio"), "–");
  assert.equal(formatValue(Infinity, ""), "–");
});

Deno.test("formatDuration() picks days, hours or minutes", () => {
  assert.equal(formatDuration(3 * 86_400_000), "3 days");
  assert.equal(formatDuration(86_400_000), "1 day");
  assert.equal(formatDuration(12.34 * 86_400_000), "12 days");
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
