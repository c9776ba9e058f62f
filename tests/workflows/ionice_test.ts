import assert from "node:assert/strict";
import { getPriority } from "node:os";
import type { WorkflowConfig } from "../../config/mod.ts";
import { Workflows } from "../../workflows/mod.ts";
import { missing } from "../_skip.ts";
import { manual, orphanSleep } from "./_helpers.ts";

const ignore = missing("ionice", "the renice step's I/O class tests (util-linux)");

/** Runs `body` with the pid of a {@linkcode orphanSleep} process, killed after. */
async function withSleep(body: (pid: number) => Promise<void>): Promise<void> {
  const pid = await orphanSleep();
  try {
    await body(pid);
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
}

/** What the real `ionice -p PID` prints. */
async function ioClass(pid: number): Promise<string> {
  const out = await new Deno.Command("ionice", { args: ["-p", String(pid)] }).output();
  assert.equal(out.code, 0);
  return new TextDecoder().decode(out.stdout).trim();
}

/** A nice value other than the process' own (the test may run under `nice -n 19`, and children
 * inherit it). */
function otherNice(pid: number): number {
  return getPriority(pid) === 15 ? 16 : 15;
}

async function calm(
  pid: number,
  step: Partial<WorkflowConfig["steps"][number]>,
  enabled: boolean,
) {
  const root = await Deno.makeTempDir();
  const wf = new Workflows({
    root,
    host: "h1",
    workflows: [{
      name: "calm",
      trigger: { alert: "IoHog" },
      enabled,
      steps: [
        {
          kind: "renice",
          process: `pid:${pid}`,
          nice: otherNice(pid),
          ...step,
        } as WorkflowConfig["steps"][number],
      ],
    }],
  });
  await wf.fire("calm", manual(Date.now()));
  return { wf, root };
}

Deno.test({
  name:
    "A dry-run renice with ionice changes neither the nice value nor the I/O class, and says what it would do",
  ignore,
  async fn() {
    await withSleep(async (pid) => {
      const before = await ioClass(pid);
      const [nice, target] = [getPriority(pid), otherNice(pid)];
      const { wf, root } = await calm(pid, { ionice: "idle" }, false);
      const [entry] = await wf.audit.read();
      assert.equal(entry!.outcome, "advice");
      assert.equal(entry!.mode, "dry-run");
      assert.equal(
        entry!.what,
        `renice pid ${pid} (sleep: sleep 30) nice ${nice} → ${target}, ionice idle (I/O class was ${before})`,
      );
      assert.equal(getPriority(pid), nice);
      assert.equal(await ioClass(pid), before);
      await Deno.remove(root, { recursive: true });
    });
  },
});

Deno.test({
  name:
    "An enabled renice with ionice idle sets the real I/O class, audits old → new, and a rollback puts both back",
  ignore,
  async fn() {
    await withSleep(async (pid) => {
      const before = await ioClass(pid);
      assert.notEqual(before, "idle");
      const [nice, target] = [getPriority(pid), otherNice(pid)];
      const { wf, root } = await calm(pid, { ionice: "idle" }, true);
      const records = await wf.audit.records();
      assert.deepEqual(records.map((r) => r.phase), ["started", "completed"]);
      const [entry] = await wf.audit.read();
      assert.equal(entry!.outcome, "ok", entry!.detail);
      assert.equal(entry!.mode, "real");
      assert.equal(
        entry!.what,
        `renice pid ${pid} (sleep: sleep 30) nice ${nice} → ${target}, ionice idle (I/O class was ${before})`,
      );
      assert.equal(entry!.old, String(nice));
      assert.equal(entry!.new, String(target));
      assert.equal(entry!.detail, `nice now ${target}`);
      assert.equal(getPriority(pid), target);
      assert.equal(await ioClass(pid), "idle");

      const [id] = wf.states()[0]!.reversible;
      assert.equal(await wf.rollback(id!), "rolled-back");
      assert.equal(getPriority(pid), nice);
      assert.equal(await ioClass(pid), before);
      const rolled = (await wf.audit.read()).find((e) => e.outcome === "rolled-back");
      assert.equal(
        rolled!.detail,
        `pid ${pid} (sleep) nice ${target} → ${nice}, I/O class idle → ${before}`,
      );
      await Deno.remove(root, { recursive: true });
    });
  },
});

Deno.test({
  name: "ionice best-effort sets the lowest best-effort level, 7",
  ignore,
  async fn() {
    await withSleep(async (pid) => {
      const { wf, root } = await calm(pid, { ionice: "best-effort" }, true);
      const [entry] = await wf.audit.read();
      assert.equal(entry!.outcome, "ok", entry!.detail);
      assert.equal(await ioClass(pid), "best-effort: prio 7");
      await Deno.remove(root, { recursive: true });
    });
  },
});

Deno.test({
  name: "A rollback restores the nice value but leaves an I/O class someone else set since",
  ignore,
  async fn() {
    await withSleep(async (pid) => {
      const nice = getPriority(pid);
      const { wf, root } = await calm(pid, { ionice: "idle" }, true);
      assert.equal(await ioClass(pid), "idle");
      // an operator moves it to best-effort level 2 by hand
      const hand = await new Deno.Command("ionice", {
        args: ["-c", "2", "-n", "2", "-p", String(pid)],
      })
        .output();
      assert.equal(hand.code, 0);
      const [id] = wf.states()[0]!.reversible;
      assert.equal(await wf.rollback(id!), "rolled-back");
      assert.equal(getPriority(pid), nice);
      assert.equal(await ioClass(pid), "best-effort: prio 2");
      const rolled = (await wf.audit.read()).find((e) => e.outcome === "rolled-back");
      assert.match(
        rolled!.detail!,
        /I\/O class changed by someone else since our change: we set idle, it is best-effort: prio 2; leaving it$/,
      );
      await Deno.remove(root, { recursive: true });
    });
  },
});

Deno.test({
  name:
    "A rollback puts our I/O class back even when someone else changed the nice value since (it leaves only their nice)",
  ignore,
  async fn() {
    const pid = await orphanSleep();
    try {
      const before = await ioClass(pid);
      const { wf, root } = await calm(pid, { ionice: "idle" }, true);
      assert.equal(await ioClass(pid), "idle");
      // an operator renices it by hand; the I/O class stays the one we set
      const hand = await new Deno.Command("renice", { args: ["-n", "3", "-p", String(pid)] })
        .output();
      assert.equal(hand.code, 0);
      const [id] = wf.states()[0]!.reversible;
      assert.equal(await wf.rollback(id!), "backed-off");
      assert.equal(getPriority(pid), 3, "their nice value stays");
      assert.equal(await ioClass(pid), before, "our idle class does not outlive the rollback");
      const rolled = (await wf.audit.read()).find((e) => e.outcome === "backed-off");
      assert.match(rolled!.detail!, new RegExp(`I/O class idle → ${before}$`));
      await Deno.remove(root, { recursive: true });
    } finally {
      Deno.kill(pid, "SIGKILL");
    }
  },
});

Deno.test({
  name:
    "A renice whose ionice fails puts the nice value back: a failed step leaves nothing changed that no rollback could undo",
  ignore,
  async fn() {
    const pid = await orphanSleep();
    const path = Deno.env.get("PATH");
    const empty = await Deno.makeTempDir(); // a PATH without ionice, as on a host without it
    try {
      const nice = getPriority(pid);
      Deno.env.set("PATH", empty);
      let wf, root;
      try {
        ({ wf, root } = await calm(pid, { ionice: "idle" }, true));
      } finally {
        if (path === undefined) Deno.env.delete("PATH");
        else Deno.env.set("PATH", path);
      }
      const [entry] = await wf.audit.read();
      assert.equal(entry!.outcome, "failed");
      assert.equal(getPriority(pid), nice, "the nice value is the one before the step");
      assert.deepEqual(wf.states()[0]!.reversible, []);
      await Deno.remove(root, { recursive: true });
    } finally {
      Deno.kill(pid, "SIGKILL");
      await Deno.remove(empty);
    }
  },
});
