import assert from "node:assert/strict";
import {
  forecast,
  invLogitRatio,
  isBoundedRatio,
  LOGIT_EPSILON,
  logitRatio,
  RATIO_TRANSFORM,
  TRANSFORM,
  transformFor,
} from "../../analytics/mod.ts";
import { seeded } from "./_seeded.ts";

Deno.test("transformFor() gives bounded ratios the ratio rule and every other metric the default", () => {
  assert.equal(RATIO_TRANSFORM, "none");
  for (
    const m of [
      "cpu_busy",
      "memory_used_ratio",
      "cpu_ratio",
      "disk_utilization_ratio",
      "pressure_stall_ratio",
      "cgroup_cpu_throttled_ratio",
      "cgroup_pressure_stall_ratio",
    ]
  ) {
    assert.ok(isBoundedRatio(m), m);
    assert.equal(transformFor(m), RATIO_TRANSFORM, m);
  }
  // a process on several cores passes 1; a cgroup's CPU is in cores; bytes and counts are levels
  for (
    const m of ["process_cpu_ratio", "cgroup_cpu_ratio", "memory_bytes", "load_average", "x_y"]
  ) {
    assert.ok(!isBoundedRatio(m), m);
    assert.equal(transformFor(m), TRANSFORM, m);
  }
  // event rates: bench/nonratio_transform_bench.ts's folds disagreed, so the caller's transform
  for (const m of ["network_receive_bytes_per_second", "disk_writes_per_second"]) {
    assert.equal(transformFor(m), TRANSFORM, m);
    assert.equal(transformFor(m, "none"), "none", m);
  }
  assert.equal(transformFor(undefined), TRANSFORM, "a CSV has no unit");
  assert.equal(transformFor("load_average", "none"), "none");
});

Deno.test("logitRatio() and invLogitRatio() round-trip [0, 1] and stay in it", () => {
  const p = Float64Array.from({ length: 101 }, (_, i) => i / 100);
  const z = logitRatio(p);
  p.forEach((v, i) => assert.ok(Math.abs(invLogitRatio(z[i]!) - v) < 1e-12, `${v}`));
  const edge = Math.log((1 + LOGIT_EPSILON) / LOGIT_EPSILON);
  assert.ok(Math.abs(z[0]! + edge) < 1e-12 && Math.abs(z[100]! - edge) < 1e-12);
  for (let w = -800; w <= 800; w += 0.5) {
    const v = invLogitRatio(w);
    assert.ok(v >= 0 && v <= 1 && v >= invLogitRatio(w - 0.5), `${w}`);
  }
  assert.ok(Number.isNaN(logitRatio(Float64Array.of(NaN))[0]));
  assert.throws(() => logitRatio(Float64Array.of(1.5)), RangeError);
});

/** A host near saturation: a daily wave between ≈ 0.8 and 1, noise, a few samples at 1. */
function saturated(n: number): Float64Array {
  const g = seeded(11);
  return Float64Array.from({ length: n }, (_, i) => {
    const v = 0.9 + 0.09 * Math.sin((2 * Math.PI * i) / 24) + 0.02 * g();
    return Math.min(1, Math.max(0, v));
  });
}

Deno.test("forecast() with transform logit keeps a ratio's forecast and bands in [0, 1]", () => {
  const y = saturated(24 * 20), H = 48;
  const f = forecast(y, { horizon: H, transform: "logit", biasAdjust: true });
  assert.equal(f.fitted.transform?.name, "logit");
  assert.equal(f.fitted.transform?.epsilon, LOGIT_EPSILON);
  assert.equal(f.fitted.transform?.biasAdjust, false, "the logit gives the median");
  for (let h = 0; h < H; h++) {
    assert.ok(0 <= f.lo95[h]! && f.lo95[h]! <= f.lo80[h]! && f.lo80[h]! <= f.mean[h]!);
    assert.ok(f.mean[h]! <= f.hi80[h]! && f.hi80[h]! <= f.hi95[h]! && f.hi95[h]! <= 1);
  }
  // without it, the band of a series touching 1 goes past 1
  const none = forecast(y, { horizon: H, transform: "none" });
  assert.ok(Math.max(...none.hi95) > 1);
  // a value outside [0, 1] is not a ratio: forecast as without a transform
  const z = y.slice();
  z[10] = 1.2;
  const out = forecast(z, { horizon: 24, transform: "logit" });
  assert.equal(out.fitted.transform, undefined);
  assert.deepEqual([...out.hi95], [...forecast(z, { horizon: 24, transform: "none" }).hi95]);
});

Deno.test("forecast() lambdaMin bounds Guerrero's λ from below", () => {
  const g = seeded(3);
  const y = Float64Array.from(
    { length: 24 * 30 },
    (_, i) =>
      20 * Math.exp(i / 800) * (1 + 0.5 * Math.sin((2 * Math.PI * i) / 24)) * Math.exp(0.03 * g()),
  );
  assert.ok(forecast(y, { horizon: 24 }).fitted.transform!.lambda < 0.5);
  const f = forecast(y, { horizon: 24, lambdaMin: 0.5 });
  assert.ok(f.fitted.transform!.lambda >= 0.5 && f.fitted.transform!.lambda < 1);
  assert.throws(() => forecast(y, { horizon: 24, lambdaMin: 1.5 }), RangeError);
});
