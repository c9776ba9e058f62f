import assert from "node:assert/strict";
import { AlertEngine, type AlertInstance } from "../../alerts/mod.ts";

// An instance's numbers (value, activeAt, firedAt, resolvedAt, keepSince, since) live in its
// rule's Float64Array, one slot per instance; a forgotten instance's slot goes to the next new
// one. These tests churn series through the engine and check that every instance keeps its own
// numbers.

/** Sends one sample per key of `values` at `ts`, each series labelled `${label}=${key}`. */
const feed = (
  engine: AlertEngine,
  ts: number,
  values: Record<string, number>,
  label = "cpu",
) => {
  const keys = Object.keys(values);
  engine.observe({
    ts: keys.map(() => ts),
    host: keys.map(() => "h"),
    metric: keys.map(() => "m"),
    labels: keys.map((k) => `${label}=${k}`),
    value: keys.map((k) => values[k]!),
  });
};

/** Feeds `values` and evaluates once a second from second `from` to `to`; returns `to + 1`. */
const everySecond = (
  engine: AlertEngine,
  from: number,
  to: number,
  values: Record<string, number>,
  label = "cpu",
): number => {
  for (let t = from; t <= to; t++) {
    feed(engine, t * 1000, values, label);
    engine.evaluate(t * 1000);
  }
  return to + 1;
};

const byCpu = (engine: AlertEngine): Map<string, AlertInstance> =>
  new Map(engine.instances().map((i) => [i.labels.cpu!, i]));

/**
 * An engine whose one rule sets `team: ops` over the series' own `team`, so that the series
 * `team=a` and `team=b` make one alert; both have sent 10 at 0 s and been evaluated.
 */
function sharedByTeams() {
  const engine = new AlertEngine([
    { alert: "Hot", metric: "m", above: 50, extra_labels: { team: "ops" } },
  ]);
  const send = (ts: number, values: Record<string, number>) => feed(engine, ts, values, "team");
  send(0, { a: 10, b: 10 });
  engine.evaluate(0);
  return { engine, send };
}

Deno.test("A series forgotten after going silent gives its slot to a new one and disturbs no other instance", () => {
  const engine = new AlertEngine([{ alert: "Hot", metric: "m", above: 50, for: 2000 }]);
  // cpu 0 fires at 2 s and stays firing; cpu 1 is quiet, then silent from 5 s
  for (let s = 0; s <= 5; s++) {
    feed(engine, s * 1000, { "0": 90 + s, "1": 10 });
    engine.evaluate(s * 1000);
  }
  const t = everySecond(engine, 6, 700, { "0": 80 });
  // cpu 1 is forgotten by now (silent for more than 10 min); cpu 2 appears above the threshold
  feed(engine, t * 1000, { "0": 80, "2": 70 });
  const out = engine.evaluate(t * 1000);
  assert.deepEqual(out.map((x) => [x.instance.labels.cpu, x.from, x.to]), [
    ["2", "inactive", "pending"],
  ]);
  const now = byCpu(engine);
  assert.deepEqual([...now.keys()].sort(), ["0", "2"]);
  const hot = now.get("0")!, fresh = now.get("2")!;
  assert.equal(hot.state, "firing");
  assert.equal(hot.activeAt, 0);
  assert.equal(hot.firedAt, 2000);
  assert.ok(Number.isNaN(hot.resolvedAt));
  assert.equal(hot.value, 80);
  assert.equal(fresh.state, "pending");
  assert.equal(fresh.activeAt, t * 1000);
  assert.ok(Number.isNaN(fresh.firedAt));
  assert.equal(fresh.value, 70);
  feed(engine, (t + 2) * 1000, { "0": 80, "2": 71 });
  assert.deepEqual(engine.evaluate((t + 2) * 1000).map((x) => [x.instance.labels.cpu, x.to]), [
    ["2", "firing"],
  ]);
  assert.equal(byCpu(engine).get("2")!.firedAt, (t + 2) * 1000);
});

Deno.test("Many series coming and going each keep their own timers", () => {
  const engine = new AlertEngine([
    { alert: "Hot", metric: "m", above: 50, clear: 40, for: 3000, keep_firing_for: 2000 },
  ], { nodataRetentionMs: 60_000 });
  // waves of 20 series, each alive for 30 s with its own start, then silent; a wave every 11 min
  const waves = 4, perWave = 20;
  for (let w = 0; w < waves; w++) {
    const base = w * 660_000;
    for (let s = 0; s < 30; s++) {
      const ts = base + s * 1000;
      const values: Record<string, number> = {};
      // series k crosses at second k % 10 and stays above
      for (let k = 0; k < perWave; k++) values[`${w}-${k}`] = s >= k % 10 ? 60 + k : 10;
      feed(engine, ts, values);
      engine.evaluate(ts);
    }
    const insts = byCpu(engine);
    for (let k = 0; k < perWave; k++) {
      const inst = insts.get(`${w}-${k}`)!;
      assert.equal(inst.state, "firing", `${w}-${k}`);
      assert.equal(inst.activeAt, base + (k % 10) * 1000, `${w}-${k} activeAt`);
      assert.equal(inst.firedAt, base + (k % 10 + 3) * 1000, `${w}-${k} firedAt`);
      assert.equal(inst.value, 60 + k);
    }
    // the wave goes nodata when its series stop, inactive a minute later, and its series are
    // forgotten after 10 min of silence: the next wave takes their slots
    for (let ts = base + 30_000; ts < base + 660_000; ts += 1000) {
      engine.evaluate(ts);
      if (ts === base + 40_000) assert.equal(engine.instances().length, perWave);
    }
    assert.deepEqual(engine.instances(), []);
  }
});

Deno.test("An instance's labels built from its series come in the order they always had, and persist so", () => {
  const root = Deno.makeTempDirSync();
  try {
    const rules = [{
      alert: "Hot",
      metric: "m",
      above: 50,
      severity: "critical" as const,
      extra_labels: { team: "db" },
    }];
    let clock = 0;
    const engine = new AlertEngine(rules, { root, now: () => clock });
    engine.observe({
      ts: [0],
      host: ["h"],
      metric: ["m"],
      labels: ["cpu=3,mode=user"],
      value: [90],
    });
    const [t] = engine.evaluate(0);
    const expected = { cpu: "3", mode: "user", host: "h", team: "db", alertname: "Hot" };
    assert.deepEqual(Object.entries(t!.instance.labels), [
      ...Object.entries(expected),
      ["severity", "critical"],
    ]);
    // a snapshot's labels are its own: changing them changes nothing in the engine
    t!.instance.labels.cpu = "changed";
    assert.equal(engine.instances()[0]!.labels.cpu, "3");
    engine.close();
    const saved = JSON.parse(Deno.readTextFileSync(`${root}/alerts/state.json`));
    assert.deepEqual(
      JSON.stringify(saved.rules.Hot.instances[0].labels),
      JSON.stringify({ ...expected, severity: "critical" }),
    );
    // restored without its series, then seen again: one instance, same labels and fingerprint
    clock = 1000;
    const again = new AlertEngine(rules, { root, now: () => clock });
    const before = again.instances();
    assert.equal(before.length, 1);
    assert.equal(before[0]!.state, "firing");
    again.observe({
      ts: [1000],
      host: ["h"],
      metric: ["m"],
      labels: ["cpu=3,mode=user"],
      value: [95],
    });
    assert.deepEqual(again.evaluate(1000), []);
    const after = again.instances();
    assert.equal(after.length, 1);
    assert.equal(after[0]!.fingerprint, before[0]!.fingerprint);
    assert.deepEqual(after[0]!.labels, before[0]!.labels);
    assert.equal(after[0]!.value, 95);
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});

Deno.test("Two series that one rule's extra labels make one alert keep it listed when one of them is forgotten", () => {
  // `extra_labels: {team: ops}` overrides the series' own `team`: both series give the same
  // labels, so one instance (read from the series seen last). The other going silent for 10 min
  // must not forget that instance while the series it reads still sends.
  const { engine, send } = sharedByTeams();
  const t = everySecond(engine, 1, 700, { b: 10 }, "team");
  // team=a was forgotten (silent for more than 10 min); team=b crosses the threshold
  send(t * 1000, { b: 90 });
  assert.deepEqual(engine.evaluate(t * 1000).map((x) => x.to), ["firing"]);
  const listed = engine.instances();
  assert.equal(listed.length, 1, "the firing alert is listed");
  assert.equal(listed[0]!.state, "firing");
  assert.equal(listed[0]!.firedAt, t * 1000);
  assert.equal(listed[0]!.value, 90);
  send((t + 1) * 1000, { b: 10 });
  assert.deepEqual(engine.evaluate((t + 1) * 1000).map((x) => [x.to, x.instance.firedAt]), [
    ["resolved", t * 1000],
  ]);
});

Deno.test("A series forgotten after the alert it shared came back for the other series leaves the new instance alone", () => {
  // both series share one instance, read from team=b (seen last); team=b goes silent first and
  // is forgotten with the instance; it comes back (a new instance), then team=a is forgotten
  const { engine, send } = sharedByTeams();
  everySecond(engine, 1, 700, { a: 10 }, "team");
  const t = everySecond(engine, 701, 1400, { b: 10 }, "team");
  send(t * 1000, { b: 90 });
  assert.deepEqual(engine.evaluate(t * 1000).map((x) => x.to), ["firing"]);
  const listed = engine.instances();
  assert.equal(listed.length, 1, "the firing alert is listed");
  assert.equal(listed[0]!.firedAt, t * 1000);
});
