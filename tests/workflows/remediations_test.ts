import assert from "node:assert/strict";
import { getPriority } from "node:os";
import {
  planCgroup,
  planRenice,
  planSysctl,
  psiSomeAvg10,
  undoAction,
  Workflows,
} from "../../workflows/mod.ts";
import { fireCalm, manual, orphanSleep } from "./_helpers.ts";

const signal = new AbortController().signal;

Deno.test("renice acts on exactly the named pid, says which process it is, and rolls back", async () => {
  const pid = await orphanSleep();
  // the test may run under `nice -n 19`, which children inherit
  const base = getPriority(pid);
  try {
    const { wf } = await fireCalm("Hog", [{ kind: "renice", process: `pid:${pid}`, nice: 7 }]);
    const [entry] = await wf.audit.read();
    assert.equal(entry!.outcome, "ok", entry!.detail);
    assert.equal(getPriority(pid), 7);
    assert.equal(entry!.what, `renice pid ${pid} (sleep: sleep 30) nice ${base} → 7`);
    const [id] = wf.states()[0]!.reversible;
    assert.equal(await wf.rollback(id!), "rolled-back");
    assert.equal(getPriority(pid), base);
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
});

Deno.test("renice refuses pid 1, perfscope itself and its own children", async () => {
  const child = new Deno.Command("sleep", { args: ["30"] }).spawn();
  const base = getPriority(child.pid);
  try {
    for (
      const [pid, reason] of [
        [1, /pid 1 \(init\) is never reniced/],
        [Deno.pid, /is perfscope itself/],
        [child.pid, /perfscope's own child process/],
      ] as const
    ) {
      const [plan] = await planRenice({ process: `pid:${pid}`, nice: 10 });
      assert.match(plan!.refused ?? "", reason);
    }
    assert.equal(getPriority(child.pid), base);
  } finally {
    child.kill("SIGKILL");
    await child.status;
  }
});

async function fakeProc(procs: [number, string, number][]): Promise<string> {
  const root = await Deno.makeTempDir();
  for (const [pid, comm, ppid] of procs) {
    await Deno.mkdir(`${root}/${pid}`);
    // pid (comm) state ppid … nice is field 19, starttime field 22
    const fields = ["S", ppid, ...Array(14).fill(0), 0, 1, 0, 4242];
    await Deno.writeTextFile(`${root}/${pid}/stat`, `${pid} (${comm}) ${fields.join(" ")}\n`);
    await Deno.writeTextFile(`${root}/${pid}/cmdline`, `/usr/bin/${comm}\0--flag\0`);
  }
  return root;
}

Deno.test("renice by name lists every matching process with its command line, and refuses too many", async () => {
  const proc = await fakeProc([[100, "stress ng", 50], [101, "stress ng", 50], [102, "bash", 50]]);
  const plans = await planRenice({ process: "stress ng", nice: 10, procRoot: proc, selfPid: 9 });
  assert.deepEqual(plans.map((p) => p.what).sort(), [
    "renice pid 100 (stress ng: /usr/bin/stress ng --flag) nice 0 → 10",
    "renice pid 101 (stress ng: /usr/bin/stress ng --flag) nice 0 → 10",
  ]);
  const many = await planRenice({ process: "stress ng", nice: 10, procRoot: proc, maxMatches: 1 });
  assert.match(many[0]!.refused!, /matches 2 processes \(more than 1\): name a pid:N/);
  const none = await planRenice({ process: "nginx", nice: 10, procRoot: proc });
  assert.match(none[0]!.refused!, /No process matches nginx/);
});

async function cgroupTree(files: Record<string, string>): Promise<string> {
  const root = await Deno.makeTempDir();
  const dir = `${root}/system.slice/api.service`;
  await Deno.mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) {
    await Deno.writeTextFile(`${dir}/${name}`, text);
  }
  return root;
}

const calm =
  "some avg10=0.50 avg60=0.40 avg300=0.10 total=123\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n";
const stressed =
  "some avg10=25.00 avg60=12.00 avg300=3.00 total=9999\nfull avg10=5.00 avg60=1.00 avg300=0.00 total=10\n";

Deno.test("psiSomeAvg10() reads the some line's avg10", () => {
  assert.equal(psiSomeAvg10(stressed), 25);
  assert.ok(Number.isNaN(psiSomeAvg10("")));
});

Deno.test("cgroup memory.high goes down one bounded step from memory.current when unlimited", async () => {
  const root = await cgroupTree({
    "memory.high": "max\n",
    "memory.current": "1000000\n",
    "memory.pressure": calm,
  });
  const plan = await planCgroup({
    unit: "api.service",
    resource: "memory.high",
    target: 500_000,
    cgroupRoot: root,
  });
  assert.equal(plan.old, "max");
  assert.equal(plan.new, "900000");
  await plan.apply(signal);
  assert.equal(await Deno.readTextFile(`${root}/system.slice/api.service/memory.high`), "900000");
  assert.deepEqual(plan.undo, {
    kind: "file",
    path: `${root}/system.slice/api.service/memory.high`,
    value: "max",
    expect: "900000",
  });
});

Deno.test("cgroup memory.high backs off upward while the unit's memory pressure is high", async () => {
  const root = await cgroupTree({ "memory.high": "800000\n", "memory.pressure": stressed });
  const plan = await planCgroup({
    unit: "api.service",
    resource: "memory.high",
    target: 500_000,
    cgroupRoot: root,
    maxPressure: 10,
  });
  assert.equal(plan.new, "880000");
  assert.match(plan.what, /memory pressure 25% > 10%: backing off upward/);
});

Deno.test("cgroup cpu.weight stops at the target and is a no-op there", async () => {
  const root = await cgroupTree({ "cpu.weight": "100\n" });
  let plan = await planCgroup({
    unit: "api.service",
    resource: "cpu.weight",
    target: 95,
    cgroupRoot: root,
    step: 0.5,
  });
  assert.equal(plan.new, "95");
  await plan.apply(signal);
  plan = await planCgroup({
    unit: "api.service",
    resource: "cpu.weight",
    target: 95,
    cgroupRoot: root,
  });
  assert.match(plan.noop!, /at 95/);
  const missing = await planCgroup({
    unit: "db.service",
    resource: "cpu.weight",
    target: 95,
    cgroupRoot: root,
  });
  assert.match(missing.refused!, /No cgroup for db.service/);
});

Deno.test("An enabled cgroup workflow steps toward the target run by run and rolls back", async () => {
  const root = await cgroupTree({ "cpu.weight": "100\n" });
  const wf = new Workflows({
    root: await Deno.makeTempDir(),
    host: "h1",
    cgroupRoot: root,
    workflows: [{
      name: "cg",
      trigger: { alert: "A" },
      enabled: true,
      stabilization: 0, // 1 ms raced: a run in the same millisecond as the last was skipped
      steps: [{ kind: "cgroup", unit: "api.service", resource: "cpu.weight", target: 50 }],
    }],
  });
  let t = Date.now();
  const file = `${root}/system.slice/api.service/cpu.weight`;
  await wf.fire("cg", manual(t));
  await wf.fire("cg", manual(t += 1000));
  assert.equal(await Deno.readTextFile(file), "81");
  for (const id of wf.states()[0]!.reversible.reverse()) await wf.rollback(id);
  assert.equal((await Deno.readTextFile(file)).trim(), "100");
});

Deno.test("sysctl refuses a key that would leave /proc/sys or does not exist, and is a no-op at the value", async () => {
  const root = await Deno.makeTempDir();
  await Deno.mkdir(`${root}/vm`);
  await Deno.writeTextFile(`${root}/vm/swappiness`, "10\n");
  assert.match((await planSysctl("vm..x", "1", root)).refused!, /Invalid sysctl key/);
  assert.match((await planSysctl("vm.nope", "1", root)).refused!, /Cannot read/);
  assert.match((await planSysctl("vm.swappiness", "10", root)).noop!, /is 10 already/);
});

Deno.test("undoAction() on a renice leaves an exited or since-changed process alone", async () => {
  const pid = await orphanSleep();
  try {
    const p = await readProcStart(pid);
    assert.match(
      await undoAction({ kind: "renice", pid, starttime: "0", nice: 0, expect: 5 }),
      /has exited: nothing to undo/,
    );
    assert.match(
      await undoAction({ kind: "renice", pid, starttime: p, nice: 0, expect: 5 }),
      new RegExp(
        `^Changed by someone else since our change: we set nice 5, it is ${getPriority(pid)}`,
      ),
    );
  } finally {
    Deno.kill(pid, "SIGKILL");
  }
});

async function readProcStart(pid: number): Promise<string> {
  const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19]!;
}
