import assert from "node:assert/strict";
import { AlertEngine } from "../../alerts/mod.ts";
import type { RuleConfig } from "../../config/mod.ts";

/** A SQL rule run every second that fires on a row's value above 5. */
const busy: RuleConfig = { alert: "Busy", kind: "sql", sql: "SELECT 1", every: 1000, above: 5 };

// Label churn: hosts and label sets that come and go (containers, autoscaled VMs, SQL rows) must
// not leave anything behind in the engine once they are forgotten, or memory grows with them.

Deno.test("Hosts that came and went leave no map behind once their series are forgotten", () => {
  const engine = new AlertEngine([{ alert: "Hot", metric: "m", above: 50 }]);
  // 40 short-lived hosts, one sample each, below the threshold
  const hosts = Array.from({ length: 40 }, (_, i) => `pod-${i}`);
  engine.observe({
    ts: hosts.map(() => 0),
    host: hosts,
    metric: hosts.map(() => "m"),
    labels: hosts.map(() => "cpu=0"),
    value: hosts.map(() => 1),
  });
  engine.evaluate(0);
  assert.deepEqual(engine.sizes(), { metrics: 1, hosts: 40, series: 40, instances: 40 });
  // one host stays; the others have been silent for more than 10 min at the next cleanup
  const later = 700_000;
  engine.observe({ ts: [later], host: ["stays"], metric: ["m"], labels: ["cpu=0"], value: [1] });
  engine.evaluate(later);
  assert.deepEqual(engine.sizes(), { metrics: 1, hosts: 1, series: 1, instances: 1 });
  // and when it goes too, the metric's map goes with it
  engine.evaluate(later + 700_000);
  assert.deepEqual(engine.sizes(), { metrics: 0, hosts: 0, series: 0, instances: 0 });
  // a host coming back is watched again
  engine.observe({
    ts: [1_500_000],
    host: ["pod-3"],
    metric: ["m"],
    labels: ["cpu=0"],
    value: [90],
  });
  assert.deepEqual(engine.evaluate(1_500_000).map((t) => [t.instance.labels.host, t.to]), [
    ["pod-3", "firing"],
  ]);
});

/** Runs the engine each second from `from` to `to` (s), letting each query answer. */
async function tick(engine: AlertEngine, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let s = from; s <= to; s++) {
    for (const t of engine.evaluate(s * 1000)) {
      out.push(`${s}:${t.instance.labels.pod ?? "-"}:${t.from}>${t.to}`);
    }
    await engine.settle();
  }
  return out;
}

Deno.test("SQL rows that leave the result are forgotten once inactive, so instances do not grow with label churn", async () => {
  let run = 0;
  const engine = new AlertEngine([{ ...busy }], {
    // every run answers a new label set (a pod name), below the threshold
    query: () => Promise.resolve([{ pod: `p${run++}`, value: 1 }]),
  });
  assert.deepEqual(await tick(engine, 0, 180), []);
  assert.ok(run > 150, `${run} runs`);
  // at the cleanup of 180 s: the base instance and the row of the last answer
  assert.equal(engine.sizes().instances, 2);
});

Deno.test("A SQL row that leaves the result while firing resolves after keep_firing_for, stays listed as resolved, then is forgotten", async () => {
  let rows: Record<string, unknown>[] = [{ pod: "a", value: 9 }, { pod: "b", value: 9 }];
  const engine = new AlertEngine([
    { ...busy, keep_firing_for: 90_000 },
  ], { query: () => Promise.resolve(rows), resolvedRetentionMs: 120_000 });
  assert.deepEqual(await tick(engine, 0, 10), [
    "1:a:inactive>firing",
    "1:b:inactive>firing",
  ]);
  rows = [{ pod: "b", value: 9 }];
  // a is held by keep_firing_for through two cleanups (60 s, 120 s), then resolves
  assert.deepEqual(await tick(engine, 11, 130), ["102:a:firing>resolved"]);
  assert.deepEqual(engine.instances().map((i) => `${i.labels.pod}:${i.state}`).sort(), [
    "a:resolved",
    "b:firing",
  ]);
  // listed as resolved for the retention (two minutes), forgotten at the next cleanup (240 s)
  assert.deepEqual(await tick(engine, 131, 239), []);
  assert.equal(engine.instances().length, 2);
  assert.deepEqual(await tick(engine, 240, 300), []);
  assert.deepEqual(engine.instances().map((i) => `${i.labels.pod}:${i.state}`), ["b:firing"]);
  assert.equal(engine.sizes().instances, 2); // b and the base instance
  // the row coming back is a new alert
  rows = [{ pod: "a", value: 9 }, { pod: "b", value: 9 }];
  assert.deepEqual(await tick(engine, 301, 303), ["302:a:inactive>firing"]);
});

Deno.test("A SQL row without a value that leaves the result goes inactive and is forgotten", async () => {
  let rows: Record<string, unknown>[] = [{ pod: "a" }];
  const engine = new AlertEngine([{ ...busy }], {
    query: () => Promise.resolve(rows),
  });
  assert.deepEqual(await tick(engine, 0, 2), ["1:a:inactive>error"]);
  rows = [];
  assert.deepEqual(await tick(engine, 3, 4), ["4:a:error>inactive"]);
  await tick(engine, 5, 60);
  assert.deepEqual(engine.instances(), []);
  assert.equal(engine.sizes().instances, 1); // the base instance
});

Deno.test("Instances restored from state.json for series that never come back go nodata, then inactive, then are dropped", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-churn-restore-" });
  let clock = 0;
  const rules: RuleConfig[] = [
    { alert: "Hot", metric: "m", above: 50 },
    { alert: "Rising", metric: "m", kind: "rate_of_change", window: 5000, per: 1000, above: 3 },
  ];
  const first = new AlertEngine(rules, { root, now: () => clock });
  const hosts = Array.from({ length: 30 }, (_, i) => `pod-${i}`);
  for (let s = 0; s < 20; s++, clock += 1000) {
    first.observe({
      ts: hosts.map(() => clock),
      host: hosts,
      metric: hosts.map(() => "m"),
      labels: hosts.map(() => ""),
      value: hosts.map(() => 60 + 10 * s),
    });
    first.evaluate(clock);
  }
  assert.equal(first.instances().filter((i) => i.state === "firing").length, 60);
  first.close();
  // a restart: the pods are gone (a redeploy), one comes back
  const second = new AlertEngine(rules, { root, now: () => clock });
  assert.equal(second.sizes().instances, 60);
  const seen: string[] = [];
  second.onTransition((ts) => ts.forEach((t) => seen.push(`${t.from}>${t.to}`)));
  for (let k = 0; k < 90 * 6; k++, clock += 10_000) { // 90 minutes, every 10 s
    second.observe({ ts: [clock], host: ["pod-0"], metric: ["m"], labels: [""], value: [90] });
    second.evaluate(clock);
  }
  // the 58 of the 29 gone pods lose their data after a minute, turn inactive after the hour
  assert.equal(seen.filter((s) => s === "firing>nodata").length, 58);
  assert.equal(seen.filter((s) => s === "nodata>inactive").length, 58);
  // and are forgotten: what is left is pod-0's two instances (its Hot one still firing)
  assert.deepEqual(second.sizes(), { metrics: 1, hosts: 1, series: 1, instances: 2 });
  const hot = second.instances().filter((i) => i.rule === "Hot");
  assert.deepEqual(hot.map((i) => `${i.labels.host}:${i.state}`), ["pod-0:firing"]);
  // a pod coming back later is watched again, as a new alert
  second.observe({ ts: [clock], host: ["pod-7"], metric: ["m"], labels: [""], value: [90] });
  assert.deepEqual(second.evaluate(clock).map((t) => `${t.instance.labels.host}:${t.to}`), [
    "pod-7:firing",
  ]);
  second.close();
});
