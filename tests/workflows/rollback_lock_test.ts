/**
 * A rollback takes its workflow's run lock: `rollback_on_resolve` used to undo a workflow's
 * changes beside a run of it going (in this process or another on the same data), undoing a
 * change while it was being made. Now the rollback on resolve waits for that run, audited as
 * `waiting` and naming it, and rolls back once it ends; a rollback asked for by hand is refused
 * (409) and the action stays reversible. The other process is a real child holding the lock, the
 * run here a real `sh` that holds until a file appears.
 */
import assert from "node:assert/strict";
import type { WorkflowConfig } from "../../config/mod.ts";
import { runLockPath, Workflows } from "../../workflows/mod.ts";
import { testApp } from "../web/_app.ts";
import { clock, procSys, transition } from "./_helpers.ts";

const CHILD = new URL("./_run_lock_child.ts", import.meta.url).pathname;

/** Workflow `w` on alert Swap, enabled, rolled back on resolve, with `steps` (default a sysctl
 * vm.swappiness 60 → 10); its `hold` command notes it started in ROOT/holding, then holds until
 * ROOT/done exists. */
async function setup(steps: WorkflowConfig["steps"] = []) {
  const root = await Deno.makeTempDir();
  const sys = await procSys();
  const c = clock();
  // a runner on this data, as a restarted process would make it
  const runner = () =>
    new Workflows({
      root,
      procSys: sys,
      host: "h1",
      now: c.now,
      actions: [{
        name: "hold",
        argv: ["sh", "-c", `: > ${root}/holding; until [ -e ${root}/done ]; do sleep 0.02; done`],
      }],
      workflows: [{
        name: "w",
        trigger: { alert: "Swap" },
        enabled: true,
        rollback_on_resolve: true,
        stabilization: 1,
        steps: [{ kind: "sysctl", key: "vm.swappiness", value: "10" }, ...steps],
      }],
    });
  const wf = runner();
  const value = async () => (await Deno.readTextFile(`${sys}/vm/swappiness`)).trim();
  return { root, c, wf, value, runner };
}

/** A child process holding workflow `workflow`'s run lock under `root` until `release()`. */
async function holdRunLock(root: string, workflow: string) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, root, workflow],
    stdout: "piped",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  assert.equal((await lines.read()).value?.trim(), "held");
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await Deno.writeTextFile(`${root}/release`, "");
    await lines.cancel();
    assert.equal((await child.status).code, 0);
  };
  return { pid: child.pid, release, [Symbol.asyncDispose]: release };
}

/** Whether a promise has settled, read synchronously. */
function settled(p: Promise<unknown>): { done: boolean } {
  const s = { done: false };
  p.finally(() => s.done = true);
  return s;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 10));
}

/** A while for a waiting rollback to try the lock again a few times (it tries every 250 ms). */
function severalTries(): Promise<void> {
  return new Promise((r) => setTimeout(r, 800));
}

Deno.test("A rollback on resolve while another process holds its workflow's run lock waits, audited naming that run, and rolls back once it is let go; with the lock free it rolls back at once", async () => {
  const { root, c, wf, value } = await setup();
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  await wf.idle();
  assert.equal(await value(), "10");

  await using child = await holdRunLock(root, "w");
  c.t += 60_000;
  wf.onAlerts([transition("Swap", "resolved", c.t)]);
  const idle = settled(wf.idle());
  await until(async () =>
    idle.done || (await wf.audit.read()).some((e) => e.outcome === "waiting")
  );
  await severalTries();
  assert.equal(idle.done, false, "the rollback did not wait for the run");
  assert.equal(await value(), "10", "rolled back while the other process held the run lock");
  const [waiting] = await wf.audit.read();
  assert.equal(waiting!.outcome, "waiting");
  assert.match(
    waiting!.what,
    new RegExp(
      `^rollback waits: a run started \\S+Z by pid ${child.pid} \\(run-lock child\\) for a test run is still going$`,
    ),
  );
  assert.equal(waiting!.detail, "it rolls back once that run ends");
  assert.equal(waiting!.why, "alert Swap resolved on h1");

  await child.release();
  await wf.idle();
  assert.equal(await value(), "60");
  const [back] = await wf.audit.read();
  assert.equal(back!.outcome, "rolled-back");
  assert.equal(back!.who, "workflow:w (alert resolved)");
  assert.match(back!.what, /^undo: sysctl vm.swappiness 60 → 10/);
  assert.deepEqual(wf.states()[0]!.reversible, []);

  // the lock free: at once, as before, and nothing waits
  c.t += 60_000;
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  await wf.idle();
  assert.equal(await value(), "10");
  wf.onAlerts([transition("Swap", "resolved", c.t)]);
  await wf.idle();
  assert.equal(await value(), "60");
  const audit = await wf.audit.read();
  assert.equal(audit[0]!.outcome, "rolled-back");
  assert.equal(audit.filter((e) => e.outcome === "waiting").length, 1);
  // the rollback let the lock go: its file names nobody
  assert.equal(await Deno.readTextFile(runLockPath(root, "w")), "");
});

Deno.test("A rollback on resolve while a run of its workflow goes in this process waits for it, then undoes that run's change", async () => {
  const { root, c, wf, value } = await setup([{ kind: "command", action: "hold" }]);
  try {
    wf.onAlerts([transition("Swap", "firing", c.t)]);
    // the run has set the sysctl and holds in its command
    await until(() => Deno.stat(`${root}/holding`).then(() => true, () => false));
    assert.equal(await value(), "10");

    c.t += 60_000;
    wf.onAlerts([transition("Swap", "resolved", c.t)]);
    await until(async () =>
      (await value()) === "60" || (await wf.audit.read()).some((e) => e.outcome === "waiting")
    );
    await severalTries();
    assert.equal(await value(), "10", "rolled back while the run was still going");
    const waiting = (await wf.audit.read()).find((e) => e.outcome === "waiting");
    assert.match(
      waiting!.what,
      new RegExp(
        `^rollback waits: a run started \\S+Z by pid ${Deno.pid} \\(perfscope\\) for alert Swap firing on h1 \\(value 97\\.5\\) is still going$`,
      ),
    );

    await Deno.writeTextFile(`${root}/done`, "");
    await wf.idle();
    assert.equal(await value(), "60");
    // in the log's order: the rollback started after the run's command ended
    const records = await wf.audit.records();
    const commandEnd = records.findIndex((r) => r.step === "command" && r.phase === "completed");
    const rollbackStart = records.findIndex((r) => r.step === "rollback" && r.phase === "started");
    assert.ok(commandEnd >= 0 && rollbackStart > commandEnd, JSON.stringify(records));
    assert.equal(records.at(-1)!.result, "rolled-back");
  } finally {
    // the run's command holds until this file appears, also when an assertion failed
    await Deno.writeTextFile(`${root}/done`, "");
    await wf.stop();
  }
});

Deno.test("A rollback asked for by hand while another process runs its workflow is refused naming that run (409), and the action stays reversible", async () => {
  const { root, c, wf, value } = await setup();
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  await wf.idle();
  const [id] = wf.states()[0]!.reversible;
  await using t = await testApp({ root, workflows: { workflows: wf } });
  const rollback = () =>
    t.app.request("/api/workflows/rollback", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ id }),
    });

  await using child = await holdRunLock(root, "w");
  const refused = await rollback();
  assert.equal(refused.status, 409);
  assert.match(
    (await refused.json()).error,
    new RegExp(
      `^Workflow w is already running: a run started \\S+Z by pid ${child.pid} \\(run-lock child\\) for a test run; ${id} is not rolled back: roll it back again once that run ends$`,
    ),
  );
  assert.equal(await value(), "10");
  assert.deepEqual(wf.states()[0]!.reversible, [id]);

  await child.release();
  const back = await rollback();
  assert.deepEqual(await back.json(), { id, result: "rolled-back" });
  assert.equal(await value(), "60");
});

Deno.test("A rollback on resolve waiting when the runner stops is audited as not done yet, and the next start rolls back once the run is over", async () => {
  const { root, c, wf, value, runner } = await setup();
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  await wf.idle();
  const [id] = wf.states()[0]!.reversible;
  await using child = await holdRunLock(root, "w");
  c.t += 60_000;
  wf.onAlerts([transition("Swap", "resolved", c.t)]);
  await until(async () =>
    (await value()) === "60" || (await wf.audit.read()).some((e) => e.outcome === "waiting")
  );
  await wf.stop();
  assert.equal(await value(), "10", "rolled back while the other process held the run lock");
  const [stopped] = await wf.audit.read();
  assert.equal(stopped!.outcome, "waiting");
  assert.match(
    stopped!.what,
    new RegExp(
      `^rollback not done yet: perfscope stopped while a run started \\S+Z by pid ${child.pid} \\(run-lock child\\) for a test run went$`,
    ),
  );
  assert.equal(
    stopped!.detail,
    `it rolls back when perfscope starts again; until then reversible by hand: ${id}`,
  );

  // the next process takes the wait up on start: it waits on while the run goes, then rolls back
  // (a later clock: audit ids are time, pid and a count, and this "process" has the same pid)
  c.t += 1000;
  const again = runner();
  try {
    again.start();
    await until(async () =>
      (await again.audit.read()).filter((e) => e.outcome === "waiting").length === 3
    );
    assert.equal(await value(), "10");
    await child.release();
    await again.idle();
    assert.equal(await value(), "60");
    const [back] = await again.audit.read();
    assert.equal(back!.outcome, "rolled-back");
    assert.equal(back!.why, `rollback of ${id}`);
    assert.deepEqual(again.states()[0]!.reversible, []);
  } finally {
    await again.stop();
  }
  // done: a third start has nothing to take up
  const records = (await wf.audit.records()).length;
  const third = runner();
  third.start();
  await third.stop();
  assert.equal((await third.audit.records()).length, records);
});
