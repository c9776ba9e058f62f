import assert from "node:assert/strict";
import { AlertEngine, type AlertTransition } from "../../alerts/mod.ts";
import type { RuleConfig } from "../../config/mod.ts";

/** Feeds one value per second of metric `m` (host h) and evaluates at each second. */
function run(
  engine: AlertEngine,
  values: readonly number[],
  options: { metric?: string; labels?: string; start?: number } = {},
): { at: number; to: string }[][] {
  const start = options.start ?? 0;
  return values.map((v, i) => {
    const ts = start + i * 1000;
    if (!Number.isNaN(v)) {
      engine.observe({
        ts: [ts],
        host: ["h"],
        metric: [options.metric ?? "m"],
        labels: [options.labels ?? ""],
        value: [v],
      });
    }
    return engine.evaluate(ts).map((t) => ({ at: t.at / 1000, to: t.to }));
  });
}

function flat(steps: { at: number; to: string }[][]): string[] {
  return steps.flat().map((t) => `${t.at}:${t.to}`);
}

const rule = (extra: Partial<RuleConfig>): RuleConfig => ({ alert: "A", metric: "m", ...extra });

Deno.test("A threshold rule is pending until for has elapsed, then fires and resolves", () => {
  const engine = new AlertEngine([rule({ above: 5, for: 2000 })]);
  assert.deepEqual(flat(run(engine, [0, 9, 9, 9, 9, 1])), ["1:pending", "3:firing", "5:resolved"]);
});

Deno.test("A pending alert whose condition stops holding goes back to inactive", () => {
  const engine = new AlertEngine([rule({ above: 5, for: 3000 })]);
  assert.deepEqual(flat(run(engine, [9, 9, 0, 0])), ["0:pending", "2:inactive"]);
});

Deno.test("keep_firing_for holds a firing alert through a short dip and resets when it returns", () => {
  const engine = new AlertEngine([rule({ above: 5, keep_firing_for: 2000 })]);
  assert.deepEqual(flat(run(engine, [9, 0, 9, 0, 0, 0])), ["0:firing", "5:resolved"]);
});

Deno.test("clear gives hysteresis: an active alert resolves only below the clear value", () => {
  const engine = new AlertEngine([rule({ above: 250, clear: 200 })]);
  // 220 is under the threshold but over clear: still firing; 190 resolves; 240 does not refire
  assert.deepEqual(flat(run(engine, [300, 220, 210, 190, 240, 260])), [
    "0:firing",
    "3:resolved",
    "5:firing",
  ]);
});

Deno.test("A below rule with clear resolves only above the clear value", () => {
  const engine = new AlertEngine([rule({ below: 10, clear: 20 })]);
  assert.deepEqual(flat(run(engine, [50, 5, 15, 25])), ["1:firing", "3:resolved"]);
});

Deno.test("reduce avg over a window smooths a single spike away", () => {
  const engine = new AlertEngine([rule({ above: 50, reduce: "avg", window: 4000 })]);
  assert.deepEqual(flat(run(engine, [0, 0, 100, 0, 0, 100, 100, 100])), ["7:firing"]);
});

Deno.test("reduce max, min, p95 and rate read the window (now − window, now]", () => {
  for (
    const [reduce, above, expect] of [
      ["max", 8, ["2:firing", "5:resolved"]],
      ["min", 0.5, ["3:firing", "6:resolved"]],
      ["p95", 8, ["2:firing", "5:resolved"]],
      ["rate", 2, ["1:firing", "3:resolved"]],
    ] as const
  ) {
    const engine = new AlertEngine([rule({ above, reduce, window: 3000 })]);
    assert.deepEqual(flat(run(engine, [0, 3, 9, 1, 1, 1, 0, 0])), [...expect], reduce);
  }
});

Deno.test("A rate_of_change rule scales the per-second slope to its per unit", () => {
  // +1 per second = 60 per minute
  const engine = new AlertEngine([
    rule({ kind: "rate_of_change", window: 5000, per: 60_000, above: 30 }),
  ]);
  const steps = run(engine, [0, 1, 2, 3, 4, 4, 4, 4, 4, 4]);
  assert.deepEqual(flat(steps), ["1:firing", "6:resolved"]);
  assert.equal(engine.instances()[0]!.value, 0);
});

Deno.test("One instance per matching series: labels are a subset match and go into the alert", () => {
  const engine = new AlertEngine([rule({ above: 5, labels: { service: "api" } })]);
  const seen: AlertTransition[] = [];
  engine.onTransition((t) => seen.push(...t));
  engine.observe({
    ts: [0, 0, 0],
    host: ["a", "b", "a"],
    metric: ["m", "m", "m"],
    labels: ["service=api,route=/x", "service=api", "service=web"],
    value: [9, 9, 9],
  });
  engine.evaluate(0);
  assert.deepEqual(
    seen.map((t) => t.instance.labels).sort((x, y) => x.host!.localeCompare(y.host!)),
    [
      { alertname: "A", severity: "warning", host: "a", service: "api", route: "/x" },
      { alertname: "A", severity: "warning", host: "b", service: "api" },
    ],
  );
  assert.match(seen[0]!.instance.fingerprint, /^[0-9a-f]{16}$/);
  assert.notEqual(seen[0]!.instance.fingerprint, seen[1]!.instance.fingerprint);
});

Deno.test("Annotations fill in {{ $value }} and {{ $labels.x }}", () => {
  const engine = new AlertEngine([
    rule({ above: 5, annotations: { summary: "at {{ $value }} on {{ $labels.host }}" } }),
  ]);
  run(engine, [7.25]);
  assert.equal(engine.instances()[0]!.annotations.summary, "at 7.25 on h");
});

Deno.test("A template's label named like an Object method is a missing label: empty", () => {
  const engine = new AlertEngine([
    rule({
      above: 5,
      annotations: { summary: "[{{ $labels.constructor }}{{ $labels.toString }}]" },
    }),
  ]);
  run(engine, [7.25]);
  // the prototype's functions were printed: "[function Object() { [native code] }…]"
  assert.equal(engine.instances()[0]!.annotations.summary, "[]");
});

Deno.test("Samples given as the collector's Sample[] are observed too", () => {
  const engine = new AlertEngine([rule({ above: 5, labels: { cpu: "0" } })]);
  const labels = { cpu: "0" };
  engine.observe([{ ts: 0, host: "h", metric: "m", labels, value: 9 }]);
  engine.observe([{ ts: 0, host: "h", metric: "other", labels, value: 9 }]);
  assert.deepEqual(engine.evaluate(0).map((t) => t.instance.labels.cpu), ["0"]);
});

Deno.test("A firing alert whose series stops goes to nodata, and back when data returns", () => {
  const engine = new AlertEngine([rule({ above: 5, staleness: 3000 })]);
  const steps = run(engine, [9, 9, NaN, NaN, NaN, NaN, 9]);
  assert.deepEqual(flat(steps), ["0:firing", "5:nodata", "6:firing"]);
  assert.equal(steps[5]![0] && engine.instances()[0]!.state, "firing");
});

Deno.test("The default staleness is five sample intervals", () => {
  const engine = new AlertEngine([rule({ above: 5 })]);
  const values = [9, 9, 9, ...Array(6).fill(NaN)];
  assert.deepEqual(flat(run(engine, values)), ["0:firing", "8:nodata"]);
});

Deno.test("An absence rule fires when no matching series had a sample for absent_for", () => {
  const engine = new AlertEngine([
    { alert: "Gone", kind: "absence", metric: "m", labels: { job: "x" }, absent_for: 3000 },
  ]);
  const steps = run(engine, [1, 1, NaN, NaN, NaN, NaN, 1], { labels: "job=x" });
  assert.deepEqual(flat(steps), ["5:firing", "6:resolved"]);
  const t = steps[5]![0]!;
  assert.ok(t);
  const labels = engine.instances()[0]!.labels;
  assert.deepEqual(labels, { alertname: "Gone", severity: "warning", job: "x" });
});

Deno.test("An absence rule with no series at all fires absent_for after the engine starts", () => {
  const engine = new AlertEngine([{
    alert: "Gone",
    kind: "absence",
    metric: "m",
    absent_for: 2000,
  }]);
  assert.deepEqual(flat(run(engine, [NaN, NaN, NaN, NaN], { start: 10_000 })), ["13:firing"]);
});

Deno.test("An anomaly rule fires after N anomalous points in a row and not on a quiet series", () => {
  const engine = new AlertEngine([
    rule({ kind: "anomaly", score_above: 0.6, points: 2, learning_points: 50 }),
  ]);
  const quiet = Array.from({ length: 200 }, (_, i) => 10 + Math.sin(i / 3));
  assert.deepEqual(flat(run(engine, quiet)), []);
  // a climb far past anything seen: every point beyond the previous range
  const climb = Array.from({ length: 5 }, (_, i) => 100 * (i + 1));
  const steps = flat(run(engine, climb, { start: 200_000 }));
  assert.deepEqual(steps, ["201:firing"]);
  assert.ok(engine.instances()[0]!.value >= 0.6);
});

Deno.test("A predictive rule fires when the forecast crosses within the horizon, with its interval", () => {
  const engine = new AlertEngine([
    rule({
      kind: "predictive",
      above: 100,
      within: 600_000,
      lookback: 600_000,
      every: 60_000,
      annotations: { summary: "{{ $reason }}" },
    }),
  ]);
  // +0.1 per second from 0: 100 is reached at 1000 s
  const values = Array.from({ length: 600 }, (_, i) => i * 0.1);
  const seen: AlertTransition[] = [];
  engine.onTransition((t) => seen.push(...t));
  run(engine, values);
  // from 400 s on the crossing (1000 s) is within 10 minutes; forecasts run every 60 s
  assert.deepEqual(seen.map((t) => t.to), ["firing"]);
  const at = seen[0]!.at / 1000;
  assert.ok(at >= 400 && at < 460, String(at));
  const inst = seen[0]!.instance;
  assert.ok(Math.abs(inst.value - (1000 - at)) < 5, `${inst.value} at ${at}`);
  assert.match(
    inst.annotations.summary!,
    /^forecast to reach 100 in .+ \(80 % interval .+ – .+\)$/,
  );
});

Deno.test("A flat series never fires a predictive rule", () => {
  const engine = new AlertEngine([
    rule({ kind: "predictive", above: 100, within: 600_000, lookback: 600_000 }),
  ]);
  assert.deepEqual(flat(run(engine, Array(300).fill(50))), []);
});

Deno.test("A SQL rule makes one instance per row, and errors when the query fails", async () => {
  let answer: Record<string, unknown>[] | Error = [{ disk: "sda", value: 95 }, {
    disk: "sdb",
    value: 10,
  }];
  const engine = new AlertEngine([
    { alert: "Full", kind: "sql", sql: "SELECT 1", every: 5000, above: 90 },
  ], {
    query: () => answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer),
  });
  assert.deepEqual(engine.evaluate(0), []); // the query is in flight
  await engine.settle();
  const first = engine.evaluate(1000);
  assert.deepEqual(first.map((t) => [t.instance.labels.disk, t.to]), [["sda", "firing"]]);
  assert.equal(first[0]!.instance.value, 95);
  answer = new Error("Catalog Error: no table x");
  engine.evaluate(5000);
  await engine.settle();
  const failed = engine.evaluate(6000);
  assert.deepEqual(failed.map((t) => t.to), ["error"]);
  assert.match(failed[0]!.instance.reason!, /query failed: Catalog Error/);
  answer = [];
  engine.evaluate(10_000);
  await engine.settle();
  const back = engine.evaluate(11_000).map((t) => `${t.instance.labels.disk ?? "-"}:${t.to}`);
  assert.deepEqual(back.sort(), ["-:inactive", "sda:resolved"]);
});

Deno.test("A SQL rule without a query function is in the error state", () => {
  const engine = new AlertEngine([{ alert: "Q", kind: "sql", sql: "SELECT 1" }]);
  const t = engine.evaluate(0);
  assert.deepEqual(t.map((x) => x.to), ["error"]);
  assert.match(t[0]!.instance.reason!, /need the query sandbox/);
});

Deno.test("A reload keeps the state of unchanged rules and resolves the removed ones", () => {
  const a = rule({ above: 5, for: 5000 });
  const b: RuleConfig = { alert: "B", metric: "m", above: 1 };
  const engine = new AlertEngine([a, b]);
  run(engine, [9, 9]);
  assert.deepEqual(engine.instances().map((i) => `${i.rule}:${i.state}`).sort(), [
    "A:pending",
    "B:firing",
  ]);
  const dropped = engine.setRules([{ ...a }], 1500);
  assert.deepEqual(dropped.map((t) => `${t.instance.rule}:${t.from}>${t.to}`), [
    "B:firing>inactive",
  ]);
  // A's pending timer started at 0 and still counts from there
  const steps = flat(run(engine, [9, 9, 9, 9], { start: 2000 }));
  assert.deepEqual(steps, ["5:firing"]);
});

Deno.test("A listener that throws does not stop the engine or the other listeners", () => {
  const engine = new AlertEngine([rule({ above: 5 })], { log: () => {} });
  const got: number[] = [];
  engine.onTransition(() => {
    throw new Error("boom");
  });
  const off = engine.onTransition((t) => got.push(t.length));
  run(engine, [9]);
  off();
  run(engine, [0], { start: 1000 });
  assert.deepEqual(got, [1]);
});

Deno.test("A SQL row without a value column takes its last numeric column, digits as text too", async () => {
  const engine = new AlertEngine([{ alert: "Many", kind: "sql", sql: "SELECT 1", above: 5 }], {
    query: () => Promise.resolve([{ host: "a", n: "7" }, { host: "b", n: 3n }, { host: "c" }]),
  });
  engine.evaluate(0);
  await engine.settle();
  const t = engine.evaluate(1000).map((x) =>
    `${x.instance.labels.host}:${x.to}:${x.instance.value}`
  );
  assert.deepEqual(t.sort(), ["a:firing:7", "c:error:NaN"]);
  assert.match(engine.instances().find((i) => i.labels.host === "c")!.reason!, /no numeric value/);
});

Deno.test("A predictive rule already past its limit fires with value 0 and says so", () => {
  const engine = new AlertEngine([
    rule({
      kind: "predictive",
      below: 10,
      within: 60_000,
      lookback: 120_000,
      annotations: { summary: "{{ $reason }} (limit {{ $threshold }})" },
    }),
  ]);
  const steps = run(engine, Array.from({ length: 130 }, (_, i) => 5 - i * 0.01));
  assert.deepEqual(flat(steps).map((t) => t.split(":")[1]), ["firing"]);
  const inst = engine.instances()[0]!;
  assert.equal(inst.value, 0);
  assert.equal(inst.annotations.summary, "already past 10 (limit 10)");
});

Deno.test("backtestRules() gives nothing for no data and refuses a grid too fine", async () => {
  const { backtestRules } = await import("../../alerts/mod.ts");
  assert.deepEqual(backtestRules([rule({ above: 1 })], []), []);
  const s = { host: "", metric: "m", labels: "", ts: [0, 1e12], values: [1, 1] };
  assert.throws(
    () => backtestRules([rule({ above: 1 })], [s], { stepMs: 1 }),
    /Too many evaluations/,
  );
  assert.throws(() => backtestRules([rule({ above: 1 })], [s], { stepMs: 0 }), /Invalid step: 0/);
});

Deno.test("A state that cannot be saved is reported and alerting goes on", () => {
  const root = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${root}/alerts`, "a file where the folder should be");
  const lines: string[] = [];
  const engine = new AlertEngine([rule({ above: 5 })], { root, log: (l) => lines.push(l) });
  assert.deepEqual(flat(run(engine, [9, 1])), ["0:firing", "1:resolved"]);
  assert.match(lines[0]!, /cannot read .*state\.json/);
  assert.match(lines[1]!, /cannot save state/);
  assert.equal(lines.filter((l) => /cannot save state/.test(l)).length, 1); // once, not per change
  engine.close();
  assert.match(lines.join("\n"), /cannot write history/);
});

Deno.test("Predictive forecasts are rationed per evaluation, so many series never stall it", () => {
  const engine = new AlertEngine([
    rule({ kind: "predictive", above: 10, within: 60_000, lookback: 120_000, every: 1000 }),
  ]);
  const fired: number[] = [];
  engine.onTransition((t) => fired.push(t.length));
  for (let i = 0; i < 20; i++) {
    const labels = [`n=${i}`];
    for (let k = 0; k < 10; k++) {
      engine.observe({ ts: [k * 1000], host: ["h"], metric: ["m"], labels, value: [20] });
    }
  }
  for (let t = 9000; t < 14_000; t += 1000) engine.evaluate(t);
  assert.equal(fired.reduce((a, b) => a + b, 0), 20);
  assert.ok(fired.every((n) => n <= 8), String(fired));
});

Deno.test("A sample replacing another at the same instant counts at an evaluation again at that time", () => {
  const engine = new AlertEngine([rule({ above: 5, reduce: "avg", window: 60_000 })]);
  const feed = (ts: number, v: number) =>
    engine.observe({ ts: [ts], host: ["h"], metric: ["m"], labels: [""], value: [v] });
  feed(0, 1);
  feed(1000, 1);
  assert.deepEqual(engine.evaluate(1000), []);
  feed(1000, 20); // the same instant, sent again with the right value (newest wins)
  const out = engine.evaluate(1000);
  assert.deepEqual(out.map((t) => [t.to, t.instance.value]), [["firing", 10.5]]);
});
