/**
 * One run of a workflow at a time: an approval that arrives while a run of its workflow goes used
 * to start a second run beside it (two alert instances waiting, both approved), so two runs acted
 * at once. Now it is refused with the run going and when it started, and the approval waits on.
 * Runs here are real `sh` processes that hold until a file appears.
 */
import assert from "node:assert/strict";
import { runLockPath, WorkflowBusyError, Workflows } from "../../workflows/mod.ts";
import { clock, manual, transition } from "./_helpers.ts";

/** A workflow `w` on alert `A` (approval, no window) whose command notes each run in `runs`
 * and then holds until `release` exists. */
async function holdingWorkflow() {
  const root = await Deno.makeTempDir();
  const c = clock();
  const wf = new Workflows({
    root,
    host: "h1",
    now: c.now,
    actions: [{
      name: "hold",
      argv: [
        "sh",
        "-c",
        `echo run >> ${root}/runs; until [ -e ${root}/release ]; do sleep 0.02; done`,
      ],
    }],
    workflows: [{
      name: "w",
      trigger: { alert: "A" },
      enabled: true,
      approval: true,
      stabilization: 0,
      steps: [{ kind: "command", action: "hold" }],
    }],
  });
  const runs = async () => {
    const text = await Deno.readTextFile(`${root}/runs`).catch(() => "");
    return text.split("\n").filter(Boolean).length;
  };
  return { root, c, wf, runs };
}

/** The alert firing on a series of its own (its own approval). */
function firingOn(series: number, at: number) {
  const t = transition("A", "firing", at);
  return { ...t, instance: { ...t.instance, fingerprint: series.toString(16).padStart(16, "0") } };
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

Deno.test("An approval while a run of its workflow goes is refused naming that run, waits on, and runs after it", async () => {
  const { root, c, wf, runs } = await holdingWorkflow();
  const started = c.t;
  wf.onAlerts([firingOn(1, c.t), firingOn(2, c.t)]);
  const [first, second] = wf.pending();
  assert.equal(wf.approve(first!.id, "alice")?.next, "it runs now");
  await until(async () => (await runs()) === 1);

  c.t += 60_000;
  assert.throws(() => wf.approve(second!.id, "bob"), (e: unknown) => {
    assert.ok(e instanceof WorkflowBusyError);
    assert.equal(
      e.message,
      `Workflow w is already running: a run started ${
        new Date(started).toISOString()
      } by pid ${Deno.pid} (perfscope) for alert A firing on h1 (value 97.5); approval ${
        second!.id
      } still waits: approve it again once that run ends`,
    );
    return true;
  });
  // nothing started beside it, and the refused approval is as it was
  assert.deepEqual(wf.pending().map((p) => p.id), [second!.id]);
  assert.equal(await runs(), 1);
  assert.equal(wf.states()[0]!.running, true);

  await Deno.writeTextFile(`${root}/release`, "");
  await wf.idle();
  assert.equal(wf.approve(second!.id, "bob")?.next, "it runs now");
  await wf.idle();
  assert.equal(await runs(), 2);
  const audit = await wf.audit.read();
  assert.deepEqual(audit.filter((e) => e.outcome === "approved").map((e) => e.who), [
    "approver:bob",
    "approver:alice",
  ]);
  assert.deepEqual(audit.filter((e) => e.step === "command").map((e) => e.outcome), ["ok", "ok"]);
  // the lock file is let go with the run: it names nobody
  assert.equal(await Deno.readTextFile(runLockPath(root, "w")), "");
});

Deno.test("A run's lock is let go when the runner stops: a runner started afterwards on the same data runs the workflow", async () => {
  const { root, wf, runs } = await holdingWorkflow();
  wf.onAlerts([firingOn(1, 0)]);
  wf.approve(wf.pending()[0]!.id, "alice");
  await until(async () => (await runs()) === 1);
  // stop() aborts the step (SIGTERM to sh) and waits for it
  await wf.stop();
  const again = new Workflows({
    root,
    host: "h1",
    actions: [{ name: "hold", argv: ["true"] }],
    workflows: [{
      name: "w",
      trigger: { alert: "A" },
      enabled: true,
      steps: [{ kind: "command", action: "hold" }],
    }],
  });
  assert.equal(await again.fire("w", manual(Date.now())), "ok");
});
