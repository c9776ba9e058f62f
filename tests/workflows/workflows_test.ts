import assert from "node:assert/strict";
import type { WorkflowConfig } from "../../config/mod.ts";
import { Workflows } from "../../workflows/mod.ts";
import { clock, manual, procSys, transition } from "./_helpers.ts";

const swappiness = (value: string): WorkflowConfig["steps"][number] => ({
  kind: "sysctl",
  key: "vm.swappiness",
  value,
});

async function setup(w: Partial<WorkflowConfig>, extra: Record<string, unknown> = {}) {
  const root = await Deno.makeTempDir();
  const sys = await procSys();
  const c = clock();
  const wf = new Workflows({
    root,
    procSys: sys,
    host: "h1",
    now: c.now,
    workflows: [{ name: "w", trigger: { alert: "Swap" }, steps: [swappiness("10")], ...w }],
    ...extra,
  });
  const value = async () => (await Deno.readTextFile(`${sys}/vm/swappiness`)).trim();
  return { root, sys, c, wf, value };
}

Deno.test("Workflows run dry by default: the sysctl is untouched and the audit says what it would do", async () => {
  const { wf, value } = await setup({});
  wf.onAlerts([transition("Swap", "firing")]);
  await wf.idle();
  assert.equal(await value(), "60");
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "advice");
  assert.equal(entry!.mode, "dry-run");
  assert.equal(entry!.what, "sysctl vm.swappiness 60 → 10");
  assert.equal(entry!.old, "60");
  assert.equal(entry!.new, "10");
  assert.match(entry!.why, /alert Swap firing on h1/);
  assert.equal((entry!.evidence as { rule: string }).rule, "Swap");
});

Deno.test("Workflows ignore other alerts and the other direction of their own", async () => {
  const { wf } = await setup({ enabled: true });
  wf.onAlerts([transition("Other", "firing"), transition("Swap", "resolved")]);
  await wf.idle();
  assert.deepEqual(await wf.audit.read(), []);
});

Deno.test("An enabled workflow writes a started record before and a completed record after the action", async () => {
  const { wf, value } = await setup({ enabled: true });
  wf.onAlerts([transition("Swap", "firing")]);
  await wf.idle();
  assert.equal(await value(), "10");
  const records = await wf.audit.records();
  assert.deepEqual(records.map((r) => r.phase), ["started", "completed"]);
  assert.equal(records[0]!.id, records[1]!.id);
  assert.equal(records[1]!.result, "ok");
  assert.equal(typeof records[1]!.durationMs, "number");
});

/**
 * Workflows on `root` with `actions` and one enabled workflow "w", on alert A, whose steps run
 * the commands named in `steps` (with more workflow keys in `more`).
 */
function commandWorkflow(
  root: string,
  actions: NonNullable<ConstructorParameters<typeof Workflows>[0]["actions"]>,
  steps: string[],
  more: Partial<WorkflowConfig> = {},
): Workflows {
  return new Workflows({
    root,
    host: "h1",
    actions,
    workflows: [{
      name: "w",
      trigger: { alert: "A" },
      enabled: true,
      ...more,
      steps: steps.map((action) => ({ kind: "command", action })),
    }],
  });
}

Deno.test("A command step outside the allowlist is refused and nothing runs", async () => {
  const root = await Deno.makeTempDir();
  const marker = `${root}/ran`;
  const wf = commandWorkflow(root, [{ name: "ok", argv: ["touch", `${root}/ok`] }], [
    "evil",
    "ok",
  ]);
  await wf.fire("w", manual(Date.now()));
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "refused");
  assert.match(entry!.detail!, /Action "evil" is not in the allowlist/);
  await assert.rejects(Deno.stat(marker));
  await assert.rejects(Deno.stat(`${root}/ok`), "a refusal stops the run");
});

Deno.test("An allowlisted command runs with a scrubbed environment and its output in the audit", async () => {
  const root = await Deno.makeTempDir();
  Deno.env.set("PERFSCOPE_SECRET_FOR_TEST", "hunter2");
  const wf = commandWorkflow(root, [{
    name: "env",
    argv: ["sh", "-c", "echo secret=$PERFSCOPE_SECRET_FOR_TEST mine=$MINE"],
    env: { MINE: "x" },
  }], ["env"]);
  await wf.fire("w", manual(Date.now()));
  Deno.env.delete("PERFSCOPE_SECRET_FOR_TEST");
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "ok");
  assert.equal(entry!.detail, "secret= mine=x");
});

Deno.test("A command past its timeout is killed and audited as failed", async () => {
  const root = await Deno.makeTempDir();
  const wf = commandWorkflow(root, [{ name: "slow", argv: ["sleep", "5"], timeout: 100 }], [
    "slow",
  ]);
  await wf.fire("w", manual(Date.now()));
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "failed");
  assert.match(entry!.detail!, /^Timed out after 100 ms/);
});

Deno.test("max_actions_per_hour stops actions past the limit until the hour has passed", async () => {
  const { wf, c } = await setup({
    enabled: true,
    max_actions_per_hour: 2,
    stabilization: 1,
    steps: [{ kind: "command", action: "true" }],
  }, { actions: [{ name: "true", argv: ["true"] }] });
  for (let i = 0; i < 3; i++) {
    c.t += 1000;
    await wf.fire("w", manual(c.t));
  }
  let entries = await wf.audit.read();
  assert.deepEqual(entries.map((e) => e.outcome), ["skipped", "ok", "ok"]);
  assert.match(entries[0]!.detail!, /Rate limit: 2 actions in the last hour on h1 \(max 2\)/);
  c.t += 3_600_000;
  await wf.fire("w", manual(c.t));
  entries = await wf.audit.read();
  assert.equal(entries[0]!.outcome, "ok");
  assert.equal(wf.states()[0]!.actionsLastHour, 1);
});

Deno.test("The stabilization window skips a trigger that comes too soon after an action", async () => {
  const { wf, c } = await setup({
    enabled: true,
    stabilization: 600_000,
    steps: [{ kind: "command", action: "true" }],
  }, { actions: [{ name: "true", argv: ["true"] }] });
  await wf.fire("w", manual(c.t));
  c.t += 60_000;
  await wf.fire("w", manual(c.t));
  const entries = await wf.audit.read();
  assert.equal(entries[0]!.outcome, "skipped");
  assert.match(entries[0]!.what, /stabilization window/);
  assert.ok(wf.states()[0]!.stableUntil! > c.t);
  c.t += 600_000;
  await wf.fire("w", manual(c.t));
  assert.equal((await wf.audit.read())[0]!.outcome, "ok");
});

for (const concurrency of ["skip", "queue"] as const) {
  Deno.test(`Concurrency ${concurrency}: a trigger during a run is ${concurrency === "skip" ? "skipped" : "run after it"}`, async () => {
    const root = await Deno.makeTempDir();
    const wf = commandWorkflow(root, [{ name: "nap", argv: ["sleep", "0.3"] }], ["nap"], {
      concurrency,
      // no window: with 1 ms, a queued run that started in the millisecond the first one
      // ended was skipped by it (CI saw ok, skipped, skipped)
      stabilization: 0,
    });
    wf.onAlerts([transition("A", "firing")]);
    wf.onAlerts([transition("A", "firing")]);
    assert.equal(wf.states()[0]!.running, true);
    await wf.idle();
    const outcomes = (await wf.audit.read()).map((e) => e.outcome).sort();
    assert.deepEqual(
      outcomes,
      concurrency === "skip" ? ["ok", "skipped"] : ["ok", "ok", "skipped"],
    );
  });
}

Deno.test("An action needing approval waits, runs once approved, and an unanswered one expires", async () => {
  const { wf, c, value } = await setup({ enabled: true, approval: true, approval_expires: 60_000 });
  wf.onAlerts([transition("Swap", "firing")]);
  await wf.idle();
  assert.equal(await value(), "60");
  const [pending] = wf.pending();
  assert.equal(pending!.workflow, "w");
  assert.deepEqual(wf.approve(pending!.id, "alice"), {
    workflow: "w",
    acts: true,
    next: "it runs now",
  });
  await wf.idle();
  assert.equal(await value(), "10");
  const entries = await wf.audit.read();
  assert.deepEqual(entries.map((e) => e.outcome), ["ok", "approved", "awaiting-approval"]);
  assert.equal(entries[1]!.who, "approver:alice");

  c.t += 3_600_000;
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  const [second] = wf.pending();
  c.t += 61_000;
  assert.equal(wf.approve(second!.id, "bob"), undefined);
  assert.equal((await wf.audit.read())[0]!.outcome, "expired");
  assert.deepEqual(wf.pending(), []);
});

Deno.test("A sysctl change is rolled back to the old value, and on resolve with rollback_on_resolve", async () => {
  const { wf, value, c } = await setup({
    enabled: true,
    rollback_on_resolve: true,
    stabilization: 1,
  });
  await wf.fire("w", manual(c.t));
  assert.equal(await value(), "10");
  const [id] = wf.states()[0]!.reversible;
  assert.equal(await wf.rollback(id!, "test"), "rolled-back");
  assert.equal(await value(), "60");
  assert.equal(await wf.rollback(id!, "test"), undefined, "an action is rolled back once");

  c.t += 1000;
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  await wf.idle();
  assert.equal(await value(), "10");
  wf.onAlerts([transition("Swap", "resolved", c.t)]);
  await wf.idle();
  assert.equal(await value(), "60");
  const [last] = await wf.audit.read();
  assert.equal(last!.outcome, "rolled-back");
  assert.match(last!.what, /^undo: sysctl vm.swappiness 60 → 10/);
});

Deno.test("A setting changed by someone else since our last write is left alone (backoff), rollback too", async () => {
  const { wf, value, c, sys } = await setup({ enabled: true, stabilization: 1 });
  await wf.fire("w", manual(c.t));
  assert.equal(await value(), "10");
  await Deno.writeTextFile(`${sys}/vm/swappiness`, "30\n"); // an operator
  const [id] = wf.states()[0]!.reversible;
  assert.equal(await wf.rollback(id!), "backed-off");
  assert.equal(await value(), "30");
  c.t += 1000;
  await wf.fire("w", manual(c.t));
  assert.equal(await value(), "30");
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "backed-off");
  assert.match(entry!.detail!, /we wrote 10, it is 30 now/);
});

Deno.test("The state survives a restart: the backoff still knows what we wrote", async () => {
  const { wf, root, sys, c } = await setup({ enabled: true, stabilization: 1 });
  await wf.fire("w", manual(c.t));
  await Deno.writeTextFile(`${sys}/vm/swappiness`, "30\n");
  const again = new Workflows({
    root,
    procSys: sys,
    host: "h1",
    now: () => c.t + 5000,
    workflows: [{
      name: "w",
      trigger: { alert: "Swap" },
      enabled: true,
      stabilization: 1,
      steps: [swappiness("5")],
    }],
  });
  await again.fire("w", manual(c.t + 5000));
  assert.equal((await again.audit.read())[0]!.outcome, "backed-off");
});

Deno.test("A webhook step posts the trigger and its evidence as JSON", async () => {
  const got: unknown[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    got.push(await req.json());
    return new Response("ok");
  });
  const root = await Deno.makeTempDir();
  const wf = new Workflows({
    root,
    host: "h1",
    workflows: [{
      name: "hook",
      trigger: { alert: "HighCpu" },
      enabled: true,
      steps: [{ kind: "webhook", url: `http://127.0.0.1:${server.addr.port}/x` }],
    }],
  });
  wf.onAlerts([transition("HighCpu", "firing", Date.UTC(2026, 0, 1))]);
  await wf.idle();
  await server.shutdown();
  const body = got[0] as {
    workflow: string;
    trigger: { at: string; type: string };
    evidence: { labels: Record<string, string> };
  };
  assert.equal(body.workflow, "hook");
  assert.equal(body.trigger.type, "alert");
  assert.equal(body.trigger.at, "2026-01-01T00:00:00.000Z");
  assert.equal(body.evidence.labels.host, "h1");
  assert.equal((await wf.audit.read())[0]!.detail, "HTTP 200");
});

Deno.test("A recommendation triggers its workflow once per appearance", async () => {
  const root = await Deno.makeTempDir();
  const wf = new Workflows({
    root,
    host: "h1",
    workflows: [{
      name: "r",
      trigger: { recommendation: "memory-pressure" },
      steps: [{ kind: "compact" }],
    }],
    jobs: { compact: () => Promise.resolve("compacted") },
  });
  const rec = {
    id: "memory-pressure:h1",
    rule: "memory-pressure",
    severity: "warning" as const,
    host: "h1",
    title: "Memory pressure",
    detail: "",
    evidence: { values: {}, series: [] },
    facts: [],
    effect: "",
  };
  wf.onRecommendations([rec]);
  wf.onRecommendations([rec]);
  await wf.idle();
  assert.equal((await wf.audit.read()).length, 1);
  wf.onRecommendations([]);
  wf.onRecommendations([rec]);
  await wf.idle();
  const entries = await wf.audit.read();
  assert.equal(entries.length, 2);
  assert.equal(entries[0]!.outcome, "advice");
  assert.match(entries[0]!.why, /recommendation memory-pressure:h1/);
});

Deno.test("Local steps (renice, cgroup, sysctl, command) refuse to act for another host's alert", async () => {
  const { wf, value } = await setup({ enabled: true });
  wf.onAlerts([transition("Swap", "firing", 0, "db7")]);
  await wf.idle();
  assert.equal(await value(), "60");
  const [entry] = await wf.audit.read();
  assert.equal(entry!.outcome, "refused");
  assert.match(entry!.detail!, /The trigger is about host db7, this is h1/);
});

Deno.test("A pending approval survives a restart and can be approved afterwards", async () => {
  const { wf, root, sys, c, value } = await setup({ enabled: true, approval: true });
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  const [pending] = wf.pending();
  const again = new Workflows({
    root,
    procSys: sys,
    host: "h1",
    now: c.now,
    workflows: [{
      name: "w",
      trigger: { alert: "Swap" },
      enabled: true,
      approval: true,
      steps: [swappiness("10")],
    }],
  });
  assert.deepEqual(again.pending().map((p) => p.id), [pending!.id]);
  assert.equal(again.approve(pending!.id, "carol")?.workflow, "w");
  await again.idle();
  assert.equal(await value(), "10");
  assert.deepEqual(again.pending(), []);
});

Deno.test("A step failing after one that acted says what is left in place and how to roll it back", async () => {
  // the sysctl stayed at 10 after the command failed, and the audit said only "Exit code 1: "
  const { wf, value } = await setup({
    enabled: true,
    steps: [swappiness("10"), { kind: "command", action: "boom" }],
  }, { actions: [{ name: "boom", argv: ["false"] }] });
  assert.equal(await wf.fire("w", manual(Date.now())), "stopped");
  assert.equal(await value(), "10");
  const [stopped, failed, set] = await wf.audit.read();
  assert.deepEqual([set!.outcome, failed!.outcome, stopped!.outcome], ["ok", "failed", "failed"]);
  assert.equal(failed!.detail, "Exit code 1 (no output)");
  assert.equal(
    stopped!.what,
    `run stopped at its command step (2 of 2); left in place: sysctl vm.swappiness 60 → 10 (roll back: ${
      set!.id
    })`,
  );
  assert.deepEqual(wf.states()[0]!.reversible, [set!.id]);
  assert.equal(await wf.rollback(set!.id), "rolled-back");
  assert.equal(await value(), "60");
});

Deno.test("A first step that fails leaves nothing in place, and the audit adds no 'left in place' line", async () => {
  const { wf } = await setup({
    enabled: true,
    steps: [{ kind: "command", action: "boom" }, swappiness("10")],
  }, { actions: [{ name: "boom", argv: ["false"] }] });
  await wf.fire("w", manual(Date.now()));
  assert.deepEqual((await wf.audit.read()).map((e) => e.outcome), ["failed"]);
});

Deno.test("An approval answers what becomes of the run: skipped by its stabilization window, as the audit then says", async () => {
  const { wf, c, value } = await setup({
    enabled: true,
    approval: true,
    approval_expires: 7_200_000,
    stabilization: 600_000,
  });
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  assert.equal(wf.approve(wf.pending()[0]!.id, "alice")?.next, "it runs now");
  await wf.idle();
  assert.equal(await value(), "10");
  const acted = c.t;
  c.t += 60_000;
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  const answer = wf.approve(wf.pending()[0]!.id, "alice");
  const until = new Date(acted + 600_000).toISOString();
  assert.deepEqual(answer, {
    workflow: "w",
    acts: false,
    next: `the run is skipped: stabilization window (no action on h1 before ${until})`,
  });
  await wf.idle();
  const [last] = await wf.audit.read();
  assert.equal(last!.what, "skipped: stabilization window");
  assert.equal(last!.detail, `no action before ${until}`);
});

Deno.test("An approval answers what becomes of the run: its actions skipped by the rate limit, as the audit then says", async () => {
  const { wf, c, value } = await setup({
    enabled: true,
    approval: true,
    stabilization: 0,
    max_actions_per_hour: 1,
  });
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  wf.approve(wf.pending()[0]!.id, "alice");
  await wf.idle();
  // rolled back, the change is to make again: only the rate limit stands in the way
  assert.equal(await wf.rollback((await wf.audit.read())[0]!.id), "rolled-back");
  assert.equal(await value(), "60");
  c.t += 60_000;
  wf.onAlerts([transition("Swap", "firing", c.t)]);
  assert.deepEqual(wf.approve(wf.pending()[0]!.id, "alice"), {
    workflow: "w",
    acts: false,
    next: "its actions are skipped: rate limit (1 in the last hour on h1, max 1)",
  });
  await wf.idle();
  assert.equal(await value(), "60");
  const [last] = await wf.audit.read();
  assert.equal(last!.outcome, "skipped");
  assert.equal(last!.detail, "Rate limit: 1 actions in the last hour on h1 (max 1)");
});

Deno.test("An approval of a workflow disabled since it asked says the run is a dry run", async () => {
  const root = await Deno.makeTempDir();
  const sys = await procSys();
  const c = clock();
  const config = (enabled: boolean): WorkflowConfig[] => [{
    name: "w",
    trigger: { alert: "Swap" },
    enabled,
    approval: true,
    steps: [swappiness("10")],
  }];
  const first = new Workflows({
    root,
    procSys: sys,
    host: "h1",
    now: c.now,
    workflows: config(true),
  });
  first.onAlerts([transition("Swap", "firing", c.t)]);
  const [pending] = first.pending();
  await first.stop();
  // the config now has the workflow as a dry run; the approval waits in the state file
  const again = new Workflows({
    root,
    procSys: sys,
    host: "h1",
    now: c.now,
    workflows: config(false),
  });
  assert.deepEqual(again.approve(pending!.id, "carol"), {
    workflow: "w",
    acts: false,
    next: "it runs as a dry run (advice only): the workflow is not enabled",
  });
  await again.idle();
  assert.equal((await again.audit.read())[0]!.outcome, "advice");
  assert.equal((await Deno.readTextFile(`${sys}/vm/swappiness`)).trim(), "60");
});
