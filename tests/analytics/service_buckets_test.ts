import assert from "node:assert/strict";
import { findServices, serviceFigures } from "../../analytics/mod.ts";

const H = "http_server_request_duration_seconds";

Deno.test("serviceFigures() sums histogram series with different bucket bounds (exponential layouts) by interpolating each", () => {
  const r2 = 2 ** 0.5, r8 = 2 ** 1.5;
  const [spec] = findServices([], [{ name: "api", apdex: r2 }]);
  const series = (route: string, buckets: [number, number][]) =>
    buckets.map(([le, value]) => ({
      host: "h",
      metric: `${H}_bucket_per_second`,
      labels: { service: "api", route, bucket: le === Infinity ? "+Inf" : String(le) },
      value,
    }));
  const values = [
    // /a at scale 0: 10/s in (1,2], 10/s in (2,4]
    ...series("/a", [[1, 0], [2, 10], [4, 20], [Infinity, 20]]),
    // /b at scale 1: 5/s in each of (1,√2], (√2,2], (2,2√2], (2√2,4]
    ...series("/b", [[1, 0], [r2, 5], [2, 10], [r8, 15], [4, 20], [Infinity, 20]]),
  ];
  const f = serviceFigures(spec!, values);
  assert.equal(f.latency?.from, "buckets");
  assert.equal(f.latency?.p50, 2);
  // at 2√2 /a (which has no such bound) holds 10 + 10·(2√2−2)/2 at or below it, /b 15; summing by
  // bound alone would have read /b's 15 there and put p95 at 3.91 instead
  const atR8 = 10 + 10 * (r8 - 2) / 2 + 15;
  const p95 = r8 + (4 - r8) * (38 - atR8) / (40 - atR8);
  assert.ok(Math.abs(f.latency!.p95! - p95) < 1e-12, `${f.latency?.p95} vs ${p95}`);
  // Apdex at T = √2: /b's 5 and /a's (1,2] read at √2 are satisfied; everything is ≤ 4T
  const satisfied = (5 + 10 * (r2 - 1)) / 40;
  assert.ok(Math.abs(f.apdex!.score - (satisfied + (1 - satisfied) / 2)) < 1e-12);
});

Deno.test("serviceFigures() still adds series with the same bounds exactly", () => {
  const [spec] = findServices([], [{ name: "api" }]);
  const values = ["/a", "/b"].flatMap((route) =>
    [[0.1, 0.1], [0.2, 0.3], [Infinity, 0.3]].map(([le, value]) => ({
      host: "h",
      metric: `${H}_bucket_per_second`,
      labels: { service: "api", route, bucket: le === Infinity ? "+Inf" : String(le) },
      value: value!,
    }))
  );
  const f = serviceFigures(spec!, values);
  // 0.2 + 0.4 at or below 0.2: the sums are 0.1 + 0.1 and 0.3 + 0.3 exactly
  assert.equal(f.latency?.p50, 0.1 + (0.2 - 0.1) * (0.3 - 0.2) / (0.6 - 0.2));
});
