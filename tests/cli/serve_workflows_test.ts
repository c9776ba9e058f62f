import assert from "node:assert/strict";
import { startServe } from "../_serve.ts";
import { maintenanceJobs, runCliJob, startWorkflows } from "../../cli/_workflows_wiring.ts";
import type { PerfscopeConfig } from "../../config/mod.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";

/**
 * startWorkflows() over a new lake, without compaction, on a clock that stands at 02:59 UTC on
 * 5 January 2026 (a minute before "0 3 * * *" fires) until `tickAt` moves it on.
 */
async function workflowsOnClock(config: PerfscopeConfig) {
  const root = await Deno.makeTempDir();
  const lake = await openLake({ root });
  let t = Date.UTC(2026, 0, 5, 2, 59);
  const runtime = startWorkflows({
    root,
    lake,
    compact: false,
    now: () => t,
    log: () => {},
    config,
  });
  return {
    runtime,
    /** Sets the clock to `at` and runs the scheduler's tick. */
    async tickAt(at: number) {
      t = at;
      await runtime.scheduler.tick();
    },
    async [Symbol.asyncDispose]() {
      await runtime.stop();
      lake.close();
    },
  };
}

Deno.test("serve runs the scheduler: compaction and the configured jobs appear in /api/schedule, workflows in /api/workflows", async () => {
  const root = await Deno.makeTempDir();
  const config = `${root}/perfscope.yaml`;
  await Deno.writeTextFile(
    config,
    `schedule:
  compact: "*/30 * * * *"
  report: "0 6 * * 1"
workflows:
  - name: nightly-train
    trigger: {schedule: "0 3 * * *"}
    steps: [{kind: train}]
  - name: swap
    trigger: {alert: Swap}
    steps: [{kind: sysctl, key: vm.swappiness, value: 10}]
`,
  );
  const started = Date.now();
  const served = await startServe(["--data", root, "--no-collect", "--config", config]);
  try {
    const schedule = await (await fetch(new URL("/api/schedule", served.url))).json();
    assert.deepEqual(schedule.jobs.map((j: { name: string }) => j.name), [
      "compact",
      "report",
      "workflow:nightly-train",
    ]);
    const next = Date.parse(schedule.jobs[0].nextRun);
    // the first :00 or :30 after the start (read just past it, before the scheduler's tick, it is
    // due now rather than in the future)
    const first = Math.floor(started / 1_800_000) * 1_800_000 + 1_800_000;
    assert.ok(next >= first && next <= Date.now() + 30 * 60_000, schedule.jobs[0].nextRun);
    const workflows = await (await fetch(new URL("/api/workflows", served.url))).json();
    assert.deepEqual(
      workflows.workflows.map((w: { name: string; enabled: boolean }) => [w.name, w.enabled]),
      [
        ["nightly-train", false],
        ["swap", false],
      ],
    );
  } finally {
    served.stop();
    assert.equal(await served.done, 0);
  }
});

Deno.test("The compact job runs compaction in a child process and answers with its summary line", async () => {
  const root = await Deno.makeTempDir();
  simulateHost({
    root,
    start: Date.now() - 2 * 3_600_000,
    durationMs: 2 * 3_600_000,
    stepMs: 60_000,
    cpus: 1,
    topN: 1,
  });
  const line = await maintenanceJobs(root, {}).compact!(new AbortController().signal);
  assert.match(line, /^Compacted \d+ partitions?/);
});

Deno.test("A failing job's error is the child's last stderr line; the backtest needs the alerts CLI and a config", async () => {
  await assert.rejects(
    runCliJob("compact.ts", ["--retention", "forever"], new AbortController().signal),
    /Invalid --retention/,
  );
  const jobs = maintenanceJobs(await Deno.makeTempDir(), {});
  await assert.rejects(
    jobs.backtest!(new AbortController().signal),
    /cli\/alerts.ts is missing|needs a config file/,
  );
});

Deno.test("startWorkflows() runs a workflow's schedule (dry run, audited) and the recommendations job on the injected clock", async () => {
  await using clocked = await workflowsOnClock({
    // a machine name with capitals: the audit names it as the lake stores hosts
    collect: { host: "Build-Box" },
    workflows: [
      { name: "nightly", trigger: { schedule: "0 3 * * *" }, steps: [{ kind: "compact" }] },
      {
        name: "on-rec",
        trigger: { recommendation: "memory-pressure" },
        steps: [{ kind: "train" }],
      },
    ],
  });
  const { runtime } = clocked;
  assert.deepEqual(runtime.scheduler.status().map((j) => j.name), [
    "workflow:nightly",
    "recommendations",
  ]);
  await clocked.tickAt(Date.UTC(2026, 0, 5, 3, 0, 1));
  const jobs = runtime.scheduler.status();
  assert.deepEqual(jobs.map((j) => [j.name, j.lastRun?.outcome, j.lastRun?.detail]), [
    ["workflow:nightly", "ok", "advice"],
    ["recommendations", "ok", "0 recommendations"],
  ]);
  const advice = (await runtime.workflows!.audit.read()).find((e) => e.workflow === "nightly");
  assert.equal(advice!.outcome, "advice");
  assert.equal(advice!.what, "compact (maintenance)");
  assert.equal(advice!.host, "build-box");
});

Deno.test("A scheduled workflow that waits for approval says so in the Schedule table, not 'done' or the last run's outcome, and waits once", async () => {
  await using clocked = await workflowsOnClock({
    workflows: [{
      name: "nightly",
      trigger: { schedule: "0 3 * * *" },
      enabled: true,
      approval: true,
      approval_expires: 2 * 86_400_000,
      steps: [{ kind: "compact" }],
    }],
  });
  const { runtime } = clocked;
  await clocked.tickAt(Date.UTC(2026, 0, 5, 3, 0, 1));
  const [job] = runtime.scheduler.status();
  assert.deepEqual([job!.lastRun?.outcome, job!.lastRun?.detail], [
    "ok",
    "waiting for approval to run compact",
  ]);
  assert.equal(runtime.workflows!.pending().length, 1);
  // the next day's firing finds it still waiting: one approval, not one per firing
  const [waiting] = runtime.workflows!.pending();
  await clocked.tickAt(Date.UTC(2026, 0, 6, 3, 0, 1));
  assert.deepEqual(runtime.workflows!.pending().map((p) => p.id), [waiting!.id]);
  assert.equal(
    runtime.scheduler.status()[0]!.lastRun?.detail,
    `skipped: approval ${waiting!.id} for this schedule already waits`,
  );
});
