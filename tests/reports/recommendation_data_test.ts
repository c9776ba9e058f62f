import assert from "node:assert/strict";
import type { Recommendation } from "../../analytics/mod.ts";
import { recommendationData } from "../../reports/recommendation_data.ts";
import type { ResourceSection } from "../../reports/report_data.ts";

const GIB = 2 ** 30;

function rec(over: Partial<Recommendation> = {}): Recommendation {
  return {
    id: "filesystem-full:db-1:/var",
    rule: "filesystem-full",
    severity: "warning",
    host: "db-1",
    title: "File system /var on db-1 reaches 95 % in 4.6 days",
    detail: "File system /var on db-1: Now 390 GiB of 500 GiB (78 %).",
    evidence: {
      values: {
        current: 390 * GIB,
        limit: 500 * GIB,
        utilization: 0.78,
        growthPerDay: 18.6 * GIB,
        etaDays: 4.61,
        etaHighDays: null,
        diskWriteBytesPerSecond: 5.1 * 2 ** 20,
        waitMs: 12.345,
        load1m: 1.94,
        model: "linear",
        inf: Infinity,
      },
      series: [{
        host: "db-1",
        metric: "filesystem_used_bytes",
        labels: "mountpoint=/var",
        from: 0,
        to: 1,
      }],
      query: "SELECT 1",
    },
    facts: ["Now 390 GiB of 500 GiB (78 %)", "Growth 18.6 GiB per day"],
    effect: "Free space",
    ...over,
  };
}

const section = {
  id: "db-1-filesystem-var",
  host: "db-1",
  metric: "filesystem_used_bytes",
  labels: "mountpoint=/var",
  unit: "bytes",
} as ResourceSection;

Deno.test("recommendationData() lists the facts and formats the evidence figures in their units", () => {
  const r = recommendationData(rec(), [section]);
  assert.deepEqual(r.facts, ["Now 390 GiB of 500 GiB (78 %)", "Growth 18.6 GiB per day"]);
  assert.deepEqual(Object.fromEntries(r.figures.map((f) => [f.name, f.value])), {
    current: "390 GiB",
    limit: "500 GiB",
    utilization: "78 %",
    growthPerDay: "+18.6 GiB/day",
    etaDays: "4.6 days",
    etaHighDays: "–",
    diskWriteBytesPerSecond: "5.1 MiB/s",
    waitMs: "12.3 ms",
    load1m: "1.94",
    model: "linear",
    inf: "–",
  });
  assert.equal(r.resourceId, "db-1-filesystem-var");
  assert.equal(r.query, "SELECT 1");
  assert.ok(!JSON.stringify(r).includes("[object Object]"));
});

Deno.test("recommendationData() falls back to the detail and links nothing without a match", () => {
  const r = recommendationData(
    rec({
      facts: [],
      evidence: { values: { packetsPerSecond: 1200, lossRatio: 0.002 }, series: [] },
    }),
    [section],
  );
  assert.deepEqual(r.facts, [rec().detail]);
  assert.equal(r.resourceId, null);
  assert.equal(r.query, null);
  assert.deepEqual(r.figures.map((f) => f.value), ["1,200/s", "0.2 %"]);
});
