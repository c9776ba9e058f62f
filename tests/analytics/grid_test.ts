import assert from "node:assert/strict";
import { niceStep, regularize, round, slug, trim } from "../../analytics/capacity/_grid.ts";
import { capacitySeverity } from "../../analytics/mod.ts";

const MIN = 60_000;
const DAY = 86_400_000;

Deno.test("niceStep() picks the smallest nice step under the point budget", () => {
  assert.equal(niceStep(7 * DAY, 400), 30 * MIN);
  assert.equal(niceStep(DAY, 400), 5 * MIN);
  assert.equal(niceStep(10 * MIN, 400), MIN);
  assert.equal(niceStep(1000 * DAY, 400), 3 * DAY);
});

Deno.test("regularize() places buckets on a grid and fills holes with NaN", () => {
  const g = regularize(new Float64Array([0, 2 * MIN]), new Float64Array([1, 3]), 0, 4 * MIN, MIN);
  assert.deepEqual([...g.ts], [0, MIN, 2 * MIN, 3 * MIN]);
  assert.deepEqual([...g.values], [1, NaN, 3, NaN]);
  const t = trim(g);
  assert.deepEqual([...t.values], [1, NaN, 3]);
  assert.equal(trim(regularize(new Float64Array(), new Float64Array(), 0, MIN, MIN)).ts.length, 0);
});

Deno.test("round() keeps five significant digits and maps non-finite to null", () => {
  assert.equal(round(123456789), 123460000);
  assert.equal(round(0.000123456), 0.00012346);
  assert.equal(round(NaN), null);
  assert.equal(round(undefined), null);
});

Deno.test("capacitySeverity() ranks by utilization and time to exhaustion, unknown without evidence", () => {
  const now = 0;
  const sev = (
    status: "crossing" | "flat" | "insufficient" | "over",
    u: number,
    eta: number | null,
  ) => capacitySeverity({ status, utilization: u, eta }, now);
  assert.equal(sev("flat", 0.95, null), "critical");
  assert.equal(sev("crossing", 0.2, 2 * DAY), "critical");
  assert.equal(sev("flat", 0.8, null), "warning");
  assert.equal(sev("crossing", 0.2, 30 * DAY), "warning");
  assert.equal(sev("flat", 0.2, null), "ok");
  assert.equal(sev("over", 0.5, now), "critical");
  assert.equal(sev("flat", NaN, null), "unknown");
  // A nearly full resource with too little history is still "unknown": no claim on a sliver.
  assert.equal(sev("insufficient", 0.99, null), "unknown");
});

Deno.test("slug() keeps letters, digits and single dashes", () => {
  assert.equal(slug("web-1 disk mountpoint=/data"), "web-1-disk-mountpoint-data");
  assert.equal(slug("///"), "x");
});
