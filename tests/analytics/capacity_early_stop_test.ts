/**
 * The early stop of the capacity bootstrap (resources without a point ETA stop once their
 * rounds show they cannot have an interval) changes no figure: the fleet's ranking, ETAs and
 * intervals are those of the full bootstrap, including the resources without a point ETA whose
 * interval still reaches the limit.
 */
import assert from "node:assert/strict";
import { analyzeCapacity, BOOTSTRAP_STOPS, capacityForecast } from "../../analytics/mod.ts";
import { fleetMemorySource } from "../sources/_fleet.ts";

const DAY = 86_400_000;
const END = Date.UTC(2026, 0, 10);

Deno.test("the early-stopped bootstrap ranks a 20-host fleet exactly as the full bootstrap", async () => {
  const source = fleetMemorySource({ hosts: 20, days: 3, stepMs: 1_800_000, end: END });
  const opts = { charts: 0, clock: () => END };
  const full = await analyzeCapacity(source, { ...opts, earlyStop: false });
  const fast = await analyzeCapacity(source, opts);
  const key = (r: (typeof full.resources)[number]) =>
    [r.host, r.resource, r.labels, r.status, r.eta, r.etaLow, r.etaHigh, r.model].join("|");
  assert.equal(full.resources.length, 60);
  assert.deepEqual(fast.resources.map(key), full.resources.map(key));
  assert.deepEqual(fast.recommendations, full.recommendations);
  // the fixture holds every case: crossing, and no point ETA with and without an interval
  const noEta = full.resources.filter((r) => r.eta === null);
  assert.ok(full.resources.some((r) => r.status === "crossing"));
  assert.ok(noEta.some((r) => r.etaLow !== null));
  assert.ok(noEta.some((r) => r.etaLow === null));
});

Deno.test("a noisy flat series far from its limit gets no interval with or without the early stop", () => {
  const ts = Float64Array.from({ length: 288 }, (_, i) => i * 1_800_000);
  let seed = 7;
  const values = ts.map(() => {
    seed = (seed * 48271) % 2147483647;
    return 50 + 10 * (seed / 2147483647 - 0.5);
  });
  const o = { threshold: 90, horizonMs: 30 * DAY, seasonMs: 0 };
  const fast = capacityForecast(ts, values, o);
  const full = capacityForecast(ts, values, { ...o, earlyStop: false });
  assert.equal(fast.eta, null);
  assert.deepEqual([fast.etaLow, fast.etaHigh], [null, null]);
  assert.deepEqual(fast, full);
});

Deno.test("the early stops keep the share an interval needs out of reach at 99 %", () => {
  // exact binomial tail: P(at most `crossed` of `rounds` | p = 10 %) < 1 %
  for (const [rounds, crossed] of BOOTSTRAP_STOPS) {
    let tail = 0;
    for (let c = 0; c <= crossed; c++) {
      let log = c * Math.log(0.1) + (rounds - c) * Math.log(0.9);
      for (let i = 0; i < c; i++) log += Math.log(rounds - i) - Math.log(i + 1);
      tail += Math.exp(log);
    }
    assert.ok(tail < 0.01, `${crossed} of ${rounds}: ${tail}`);
  }
});
