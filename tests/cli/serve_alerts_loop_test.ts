import assert from "node:assert/strict";
import { AlertEngine, type AlertTransition } from "../../alerts/mod.ts";
import { IngestWriter, SpoolWriter, tailSpool } from "../../lake/mod.ts";
import { openSqlSandbox } from "../../web/mod.ts";
import { observingSink, sandboxQuery, startAlertLoop } from "../../cli/_serve_alerts.ts";

Deno.test("observingSink() passes accepted batches on, and nothing of a refused one", () => {
  const root = Deno.makeTempDirSync();
  const writer = new IngestWriter({ root });
  const seen: number[] = [];
  const sink = observingSink(writer, (b) => seen.push(b.ts.length));
  try {
    const now = Date.now();
    const line = JSON.stringify({ ts: now, host: "h", metric: "m", value: 1 });
    sink.write(new TextEncoder().encode(line), { now });
    sink.writeBatch({
      ts: [now, now],
      host: ["h", "h"],
      metric: ["m", "m"],
      labels: ["", ""],
      value: [1, 2],
    }, { now });
    assert.throws(
      () =>
        sink.writeBatch({ ts: [now], host: ["h"], metric: ["m"], labels: ["le=1"], value: [1] }, {
          now,
        }),
      RangeError,
    );
    assert.deepEqual(seen, [1, 2]);
  } finally {
    writer.close();
  }
});

Deno.test("observingSink() keeps the writer's check() and writeAsync(), so serve refuses before reading a body and parses in slices", async () => {
  const root = Deno.makeTempDirSync();
  const writer = new IngestWriter({ root, sync: false, maxBufferedRows: 1_000 });
  const seen: number[] = [];
  const sink = observingSink(writer, (b) => seen.push(b.ts.length));
  try {
    const now = Date.now();
    let text = "";
    for (let i = 0; i < 1_000; i++) {
      text += JSON.stringify({ ts: now, host: "h", metric: "m", value: i }) + "\n";
    }
    assert.ok(sink.check && sink.writeAsync);
    sink.check();
    const batch = await sink.writeAsync(new TextEncoder().encode(text), { now });
    assert.equal(batch.ts.length, 1_000);
    assert.deepEqual(seen, [1_000]);
    // the writer is now at its row budget: check() refuses as the writer does
    assert.throws(() => sink.check!(), (error: Error) => error.name === "IngestBusy");
  } finally {
    writer.close();
  }
});

Deno.test("sandboxQuery() turns the sandbox's rows into objects keyed by column", async () => {
  const root = Deno.makeTempDirSync();
  const sandbox = await openSqlSandbox({ root });
  try {
    const rows = await sandboxQuery(sandbox)("SELECT 'sda' AS disk, CAST(95.5 AS DOUBLE) AS value");
    assert.deepEqual(rows, [{ disk: "sda", value: 95.5 }]);
  } finally {
    await sandbox.close();
  }
});

Deno.test("startAlertLoop() evaluates right after a snapshot and on its timer without samples", async () => {
  const engine = new AlertEngine([
    { alert: "Hot", metric: "t", above: 5 },
    { alert: "Gone", kind: "absence", metric: "t", absent_for: 1000 },
  ]);
  const seen: AlertTransition[] = [];
  engine.onTransition((t) => seen.push(...t));
  const stop = new AbortController();
  let clock = 0;
  const loop = startAlertLoop(engine, { signal: stop.signal, intervalMs: 20, now: () => clock });
  loop.snapshot([{ ts: 0, host: "h", metric: "t", labels: {}, value: 9 }]);
  await null; // evaluated once the snapshots fed in this synchronous run are in
  assert.deepEqual(seen.map((t) => `${t.instance.rule}:${t.to}`), ["Hot:firing"]);
  loop.ingest({ ts: [1000], host: ["h"], metric: ["t"], labels: [""], value: [1] });
  const until = async (rule: string) => {
    while (!seen.some((t) => t.instance.rule === rule && t.to !== "firing")) {
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  clock = 1000; // ingest does not evaluate: the timer does
  await until("Hot");
  clock = 10_000; // the series is silent from here on: only the timer evaluates
  while (!seen.some((t) => t.instance.rule === "Gone")) {
    await new Promise((r) => setTimeout(r, 10));
  }
  stop.abort();
  assert.deepEqual(seen.map((t) => `${t.instance.rule}:${t.to}`), [
    "Hot:firing",
    "Hot:resolved",
    "Gone:firing",
  ]);
});

Deno.test("startAlertLoop() evaluates ingested samples shortly after they arrive, once per burst", async () => {
  const engine = new AlertEngine([{ alert: "Hot", metric: "t", above: 5 }]);
  let evaluations = 0;
  const evaluate = engine.evaluate.bind(engine);
  engine.evaluate = (now) => (evaluations++, evaluate(now));
  const fired = new Promise<AlertTransition[]>((resolve) => engine.onTransition(resolve));
  const stop = new AbortController();
  // the timer alone would wait a minute: the firing comes from the ingest's own evaluation
  const loop = startAlertLoop(engine, {
    signal: stop.signal,
    intervalMs: 60_000,
    ingestDelayMs: 20,
    now: () => 1000,
  });
  for (let i = 0; i < 50; i++) {
    loop.ingest({ ts: [1000], host: ["h"], metric: ["t"], labels: [`n=${i}`], value: [9] });
  }
  // the loop's timers are unref'd (they never keep serve alive): this one keeps the test alive
  const alive = setInterval(() => {}, 5);
  let late: ReturnType<typeof setTimeout> | undefined;
  const transitions = await Promise.race([
    fired,
    new Promise<never>((_, reject) =>
      late = setTimeout(() => reject(new Error("Not evaluated within 10 s")), 10_000)
    ),
  ]).finally(() => (clearInterval(alive), clearTimeout(late)));
  stop.abort();
  assert.equal(transitions.length, 50);
  assert.ok(transitions.every((t) => t.to === "firing"));
  assert.equal(evaluations, 1);
});

Deno.test("startAlertLoop() evaluates a restart's spool backlog once, whole: a firing alert restored from state.json resolves on it without going nodata", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-alert-backlog-" });
  const rules = [{ alert: "Hot", metric: "t", above: 5 }];
  let clock = 0;
  const before = new AlertEngine(rules, { root, now: () => clock });
  before.observe([{ ts: 0, host: "h", metric: "t", labels: {}, value: 9 }]);
  assert.deepEqual(before.evaluate(0).map((t) => t.to), ["firing"]);
  before.close();
  // what a collector beside serve spooled meanwhile: 30 s at 1 s, hot until the last snapshot
  const spool = new SpoolWriter(root, 1);
  for (let ts = 1000; ts <= 30_000; ts += 1000) {
    spool.append([{ ts, host: "h", metric: "t", labels: "", value: ts < 30_000 ? 9 : 1 }]);
  }
  spool.close();
  clock = 30_100;
  const engine = new AlertEngine(rules, { root, now: () => clock });
  const seen: AlertTransition[] = [];
  engine.onTransition((t) => seen.push(...t));
  const stop = new AbortController();
  const loop = startAlertLoop(engine, {
    signal: stop.signal,
    intervalMs: 60_000,
    now: () => clock,
  });
  // as serve follows the spool at its start: the newest segment from its beginning
  const tail = tailSpool(root, (samples) => loop.snapshot(samples), {
    signal: stop.signal,
    fromStart: true,
  });
  await null;
  stop.abort();
  await tail;
  engine.close();
  // evaluated after each snapshot, the first ones were stale at 30.1 s: firing → nodata, then
  // nodata → firing (announced again) when the backlog came near the clock
  assert.deepEqual(seen.map((t) => `${t.from}>${t.to}`), ["firing>resolved"]);
  await Deno.remove(root, { recursive: true });
});
