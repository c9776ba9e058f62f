import assert from "node:assert/strict";
import { formatDuration, parseDuration } from "../../config/mod.ts";

Deno.test("parseDuration() adds up parts and refuses bare numbers, spaces, zero and overflow", () => {
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration(" 2w "), 1_209_600_000);
  assert.equal(parseDuration("1.5s"), 1500);
  for (const text of ["", "60", "5 minutes", "1x", "-1s", "0s", "1s 2s", `${"9".repeat(400)}d`]) {
    assert.throws(() => parseDuration(text), RangeError, text);
  }
});

Deno.test("formatDuration() says a span in the unit it fills", () => {
  assert.equal(formatDuration(0), "0 s");
  assert.equal(formatDuration(420_000), "7 min");
  assert.equal(formatDuration(600_000 / 1440 * 1440), "10 min");
  assert.equal(formatDuration(86_400_000 * 3.24), "3.2 days");
  assert.equal(formatDuration(86_400_000 * 45), "45 days");
  assert.equal(formatDuration(-3_600_000), "-1 h");
  assert.equal(formatDuration(Number.NaN), "unknown");
  assert.equal(formatDuration(604_800_000 * 52 * 2), "2 years");
});
