import assert from "node:assert/strict";
import {
  AlertEngine,
  type AlertTransition,
  readAlertHistory,
  statePath,
} from "../../alerts/mod.ts";
import type { RuleConfig } from "../../config/mod.ts";

function feed(engine: AlertEngine, ts: number, value: number, metric = "m"): AlertTransition[] {
  engine.observe({ ts: [ts], host: ["h"], metric: [metric], labels: [""], value: [value] });
  return engine.evaluate(ts);
}

const rules: RuleConfig[] = [
  { alert: "Fire", metric: "m", above: 5 },
  { alert: "Slow", metric: "m", above: 5, for: 10_000 },
];

Deno.test("A firing alert is not announced again after a restart, and a pending timer resumes", () => {
  const root = Deno.makeTempDirSync();
  const wall = { now: 0 };
  const options = { root, now: () => wall.now, log: () => {} };
  const first = new AlertEngine(rules, options);
  assert.deepEqual(feed(first, 0, 9).map((t) => `${t.instance.rule}:${t.to}`), [
    "Fire:firing",
    "Slow:pending",
  ]);
  feed(first, 1000, 9);
  first.close();
  const saved = JSON.parse(Deno.readTextFileSync(statePath(root)));
  assert.equal(saved.rules.Fire.instances[0].state, "firing");

  wall.now = 5000; // down for four seconds
  const second = new AlertEngine(rules, options);
  assert.deepEqual(second.instances().map((i) => `${i.rule}:${i.state}`).sort(), [
    "Fire:firing",
    "Slow:pending",
  ]);
  const seen: string[] = [];
  for (let t = 5000; t <= 10_000; t += 1000) {
    seen.push(...feed(second, t, 9).map((x) => `${x.at / 1000}:${x.instance.rule}:${x.to}`));
  }
  // no new "Fire:firing"; Slow fires 10 s after it became pending at 0, not after the restart
  assert.deepEqual(seen, ["10:Slow:firing"]);
  second.close();
});

Deno.test("A restored alert whose series does not come back goes to nodata", () => {
  const root = Deno.makeTempDirSync();
  const wall = { now: 0 };
  const options = { root, now: () => wall.now, log: () => {} };
  const first = new AlertEngine([rules[0]!], options);
  feed(first, 0, 9);
  first.close();
  wall.now = 100_000;
  const second = new AlertEngine([rules[0]!], options);
  assert.deepEqual(second.evaluate(130_000), []); // within a minute's grace
  assert.deepEqual(second.evaluate(161_000).map((t) => t.to), ["nodata"]);
});

Deno.test("A changed rule does not inherit saved state", () => {
  const root = Deno.makeTempDirSync();
  const options = { root, log: () => {} };
  const first = new AlertEngine([rules[0]!], options);
  feed(first, 0, 9);
  first.close();
  const second = new AlertEngine([{ ...rules[0]!, above: 6 }], options);
  assert.deepEqual(second.instances(), []);
});

Deno.test("A damaged state file is reported and ignored", () => {
  const root = Deno.makeTempDirSync();
  Deno.mkdirSync(`${root}/alerts`);
  Deno.writeTextFileSync(statePath(root), "{not json");
  const lines: string[] = [];
  const engine = new AlertEngine(rules, { root, log: (l) => lines.push(l) });
  assert.deepEqual(engine.instances(), []);
  assert.match(lines.join("\n"), /ignoring .*state\.json/);
});

Deno.test("Every transition is written to Parquet by day and read back by time range", async () => {
  const root = Deno.makeTempDirSync();
  const day = 86_400_000;
  const engine = new AlertEngine([
    { ...rules[0]!, annotations: { summary: "at {{ $value }}" } },
  ], { root, historyFlushMs: 0, log: () => {} });
  feed(engine, day - 1000, 9); // firing late on day 1
  feed(engine, day + 1000, 1); // resolved on day 2
  feed(engine, day + 2000, 7); // firing again
  engine.close();
  const dirs = [...Deno.readDirSync(`${root}/alerts`)].map((e) => e.name).sort();
  assert.deepEqual(dirs, ["date=1970-01-01", "date=1970-01-02", "state.json"]);
  const all = await readAlertHistory(root);
  assert.deepEqual(all.map((t) => [t.at, t.from, t.to, t.instance.value]), [
    [day - 1000, "inactive", "firing", 9],
    [day + 1000, "firing", "resolved", 1],
    [day + 2000, "resolved", "firing", 7],
  ]);
  assert.deepEqual(all[0]!.instance.labels, { alertname: "Fire", severity: "warning", host: "h" });
  assert.equal(all[0]!.instance.annotations.summary, "at 9");
  assert.match(all[0]!.instance.fingerprint, /^[0-9a-f]{16}$/);
  const second = await readAlertHistory(root, { since: day, until: day + 2000 });
  assert.deepEqual(second.map((t) => t.to), ["resolved"]);
});

Deno.test("history() includes transitions not yet flushed to Parquet", async () => {
  const root = Deno.makeTempDirSync();
  const engine = new AlertEngine([rules[0]!], { root, historyFlushMs: 3_600_000, log: () => {} });
  feed(engine, 0, 9);
  assert.equal((await readAlertHistory(root)).length, 0);
  assert.deepEqual((await engine.history()).map((t) => t.to), ["firing"]);
  engine.close();
  assert.deepEqual((await readAlertHistory(root)).map((t) => t.to), ["firing"]);
});

Deno.test("The history file has the contract's columns", async () => {
  const { parquetMetadata } = await import("hyparquet");
  const root = Deno.makeTempDirSync();
  const engine = new AlertEngine([rules[0]!], { root, historyFlushMs: 0, log: () => {} });
  feed(engine, 0, 9);
  engine.close();
  const dir = `${root}/alerts/date=1970-01-01`;
  const file = [...Deno.readDirSync(dir)][0]!.name;
  const bytes = Deno.readFileSync(`${dir}/${file}`);
  const meta = parquetMetadata(bytes.buffer as ArrayBuffer);
  const columns = meta.schema.slice(1).map((s) => `${s.name}:${s.type}`);
  assert.deepEqual(columns, [
    "ts:INT64",
    "rule:BYTE_ARRAY",
    "fingerprint:BYTE_ARRAY",
    "labels:BYTE_ARRAY",
    "from_state:BYTE_ARRAY",
    "to_state:BYTE_ARRAY",
    "value:DOUBLE",
    "annotations:BYTE_ARRAY",
  ]);
  assert.equal(meta.schema[1]!.converted_type, "TIMESTAMP_MILLIS");
});

Deno.test("Buffered history is written once historyFlushMs has passed on the engine's clock", async () => {
  const root = Deno.makeTempDirSync();
  const wall = { now: 0 };
  const engine = new AlertEngine([rules[0]!], {
    root,
    now: () => wall.now,
    historyFlushMs: 10_000,
    log: () => {},
  });
  feed(engine, 0, 9);
  wall.now = 9000;
  feed(engine, 9000, 9);
  assert.equal((await readAlertHistory(root)).length, 0);
  wall.now = 10_000;
  feed(engine, 10_000, 9);
  assert.deepEqual((await readAlertHistory(root)).map((t) => t.to), ["firing"]);
});
