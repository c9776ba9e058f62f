import assert from "node:assert/strict";
import { AuditLog, Scheduler } from "../../workflows/mod.ts";

const H = 3_600_000;

function recorder(fail = false) {
  const runs: number[] = [];
  return {
    runs,
    run: (now: () => number) => () => {
      runs.push(now());
      return fail
        ? Promise.reject(new Error("Disk full\nstack"))
        : Promise.resolve(`run ${runs.length}`);
    },
  };
}

Deno.test("Scheduler runs a job at its cron times on an injected clock and shows last and next run", async () => {
  const root = await Deno.makeTempDir();
  let t = Date.UTC(2026, 0, 5, 12, 30);
  const now = () => t;
  const r = recorder();
  const s = new Scheduler({
    root,
    now,
    jobs: [{ name: "compact", cron: "0 * * * *", run: r.run(now) }],
    log: () => {},
  });
  await s.tick();
  assert.equal(r.runs.length, 0, "not due yet");
  t = Date.UTC(2026, 0, 5, 13, 0, 0, 5);
  await s.tick();
  await s.tick();
  assert.deepEqual(r.runs, [t], "once per scheduled time");
  const [status] = s.status();
  assert.equal(status!.lastRun!.outcome, "ok");
  assert.equal(status!.lastRun!.detail, "run 1");
  assert.equal(status!.nextRun, "2026-01-05T14:00:00.000Z");
  await s.stop();
});

Deno.test("Scheduler records a failing job's one-line error and keeps its schedule", async () => {
  const root = await Deno.makeTempDir();
  let t = Date.UTC(2026, 0, 5, 12, 59);
  const now = () => t;
  const audit = new AuditLog(root, { now, host: "h" });
  const s = new Scheduler({
    root,
    now,
    audit,
    jobs: [{ name: "train", cron: "0 * * * *", run: recorder(true).run(now) }],
    log: () => {},
  });
  t += 2 * 60_000;
  await s.tick();
  assert.deepEqual(s.status()[0]!.lastRun!.outcome, "failed");
  assert.equal(s.status()[0]!.lastRun!.detail, "Disk full");
  const [entry] = await audit.read();
  assert.equal(entry!.outcome, "failed");
  assert.equal(entry!.who, "scheduler");
  assert.equal(s.status()[0]!.nextRun, "2026-01-05T14:00:00.000Z");
});

Deno.test("Scheduler catches up once at start for runs missed while stopped, never replaying each", async () => {
  const root = await Deno.makeTempDir();
  let t = Date.UTC(2026, 0, 5, 12, 0, 1);
  const now = () => t;
  const r = recorder();
  const jobs = [{ name: "compact", cron: "0 * * * *", run: r.run(now) }];
  const first = new Scheduler({ root, now, jobs, log: () => {} });
  assert.deepEqual(await first.start(), [], "a job that never ran waits for its time");
  t = Date.UTC(2026, 0, 5, 13, 0, 1);
  await first.tick();
  await first.stop();
  assert.equal(r.runs.length, 1);

  t += 5 * H + 120_000; // stopped through five scheduled runs
  const again = new Scheduler({ root, now, jobs, log: () => {} });
  assert.deepEqual(await again.start(), ["compact"]);
  assert.equal(r.runs.length, 2, "one catch-up run, not five");
  assert.equal(again.status()[0]!.lastRun!.catchUp, true);
  await again.stop();

  const third = new Scheduler({ root, now, jobs, log: () => {} });
  assert.deepEqual(await third.start(), [], "nothing missed since the catch-up");
  await third.stop();
});

Deno.test("Scheduler skips a time that comes while the job's previous run still goes", async () => {
  const root = await Deno.makeTempDir();
  let t = Date.UTC(2026, 0, 5, 12, 0, 1);
  const now = () => t;
  const audit = new AuditLog(root, { now, host: "h" });
  let release = () => {};
  const gate = new Promise<void>((r) => (release = r));
  let runs = 0;
  const s = new Scheduler({
    root,
    now,
    audit,
    log: () => {},
    jobs: [{ name: "slow", cron: "* * * * *", run: async () => (runs++, await gate, "ok") }],
  });
  t += 60_000;
  const firstTick = s.tick();
  assert.equal(s.status()[0]!.running, true);
  t += 60_000;
  const second = s.tick();
  release();
  await Promise.all([firstTick, second]);
  assert.equal(runs, 1);
  const outcomes = (await audit.read()).map((e) => e.outcome).sort();
  assert.deepEqual(outcomes, ["ok", "skipped"]);
});

Deno.test("Scheduler shows a run that was going when the process died as outcome unknown", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/schedule`);
  await Deno.writeTextFile(
    `${root}/schedule/state.json`,
    JSON.stringify({ report: { at: 1, outcome: "running" } }),
  );
  const s = new Scheduler({
    root,
    now: () => 2,
    jobs: [{ name: "report", cron: "0 6 * * 1", run: () => Promise.resolve("") }],
  });
  assert.equal(s.status()[0]!.lastRun!.outcome, "unknown");
});

Deno.test("Scheduler reads cron expressions in the configured time zone", () => {
  const t = Date.UTC(2026, 6, 1, 0, 0);
  const s = new Scheduler({
    root: "unused",
    now: () => t,
    timezone: "Europe/Berlin",
    jobs: [{ name: "x", cron: "0 3 * * *", run: () => Promise.resolve("") }],
  });
  assert.equal(s.status()[0]!.nextRun, "2026-07-01T01:00:00.000Z");
});
