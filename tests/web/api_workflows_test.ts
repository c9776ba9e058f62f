import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";
import { AuditLog, Scheduler, Workflows } from "../../workflows/mod.ts";
import { testApp } from "./_app.ts";
import { auditSection } from "../../web/mod.ts";
import { swapConfig, swapTrigger, swapWorkflows } from "../_swap_workflows.ts";

const json = { "content-type": "application/json" };

Deno.test("POST /api/workflows/approve runs the waiting action; the Alerts page shows it with a Roll back button", async () => {
  const root = await Deno.makeTempDir();
  const sys = await Deno.makeTempDir();
  const workflows = await swapWorkflows(root, sys);
  await using t = await testApp({ root, workflows: { workflows } });
  await workflows.fire("swap", swapTrigger());
  const listed = await (await t.app.request("/api/workflows")).json();
  assert.equal(listed.workflows[0].name, "swap");
  const id = listed.pending[0].id;
  let page = await (await t.app.request("/alerts")).text();
  assert.match(page, new RegExp(`data-approve="${id}"`));
  assert.match(page, /<script type="module" src="\/assets\/workflows.js"><\/script>/);

  const res = await t.app.request("/api/workflows/approve", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ id }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(await res.json(), {
    approved: id,
    workflow: "swap",
    acts: true,
    next: "it runs now",
  });
  await workflows.idle();
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "10\n");

  const audit = await (await t.app.request("/api/audit?since=1h")).json();
  assert.deepEqual(audit.entries.map((e: { outcome: string }) => e.outcome), [
    "ok",
    "approved",
    "awaiting-approval",
  ]);
  page = await (await t.app.request("/alerts")).text();
  assert.match(page, /sysctl vm.swappiness 60 → 10/);
  const done = audit.entries[0].id;
  assert.match(page, new RegExp(`data-rollback="${done}"`));
  const back = await t.app.request("/api/workflows/rollback", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ id: done }),
  });
  assert.deepEqual(await back.json(), { id: done, result: "rolled-back" });
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
});

Deno.test("A repeated approve or roll back answers 200 with who did it first and does nothing twice", async () => {
  const root = await Deno.makeTempDir();
  const sys = await Deno.makeTempDir();
  const workflows = await swapWorkflows(root, sys);
  await using t = await testApp({ root, workflows: { workflows } });
  const post = async (path: string, id: string) => {
    const res = await t.app.request(`/api/workflows/${path}`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ id }),
    });
    return { status: res.status, body: await res.json() };
  };
  await workflows.fire("swap", { type: "manual", why: "w", host: "h1", at: 0, evidence: null });
  const id = workflows.pending()[0]!.id;
  assert.deepEqual((await post("approve", id)).body, {
    approved: id,
    workflow: "swap",
    acts: true,
    next: "it runs now",
  });
  await workflows.idle();
  const again = await post("approve", id);
  assert.equal(again.status, 200);
  assert.equal(again.body.workflow, "swap");
  assert.equal(again.body.already.result, "approved");
  assert.equal(again.body.already.who, "approver:web");
  await workflows.idle();
  const audit = await workflows.audit.read();
  assert.deepEqual(audit.map((e) => e.outcome), ["ok", "approved", "awaiting-approval"]);

  const action = audit[0]!.id;
  assert.deepEqual((await post("rollback", action)).body, { id: action, result: "rolled-back" });
  const undone = await post("rollback", action);
  assert.equal(undone.status, 200);
  assert.equal(undone.body.result, "rolled-back");
  assert.equal(undone.body.already.who, "web");
  assert.equal((await workflows.audit.read()).length, 4);
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
});

Deno.test("An approval that expired unanswered is refused with when it expired", async () => {
  const root = await Deno.makeTempDir();
  const sys = await Deno.makeTempDir();
  let clock = Date.UTC(2026, 0, 1);
  const workflows = await swapWorkflows(root, sys, {
    now: () => clock,
    swap: { approval_expires: 60_000 },
  });
  await using t = await testApp({ root, workflows: { workflows } });
  await workflows.fire("swap", { type: "manual", why: "w", host: "h1", at: 0, evidence: null });
  const id = workflows.pending()[0]!.id;
  clock += 61_000;
  const res = await t.app.request("/api/workflows/approve", {
    method: "POST",
    headers: json,
    body: JSON.stringify({ id }),
  });
  assert.equal(res.status, 404);
  assert.equal(
    (await res.json()).error,
    `Approval ${id} expired unanswered at 2026-01-01T00:01:01.000Z`,
  );
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
});

Deno.test("POST /api/workflows/approve validates its body and answers 404 for an unknown or expired id", async () => {
  await using t = await testApp();
  const post = (body: string, headers: Record<string, string> = json) =>
    t.app.request("/api/workflows/approve", { method: "POST", headers, body });
  assert.equal((await post(JSON.stringify({ id: "nope" }))).status, 404);
  const bad = await post(JSON.stringify({ id: "" }));
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /^Invalid json: id/);
  assert.equal((await post(JSON.stringify({ id: "x", extra: 1 }))).status, 400);
  assert.equal(
    (await post("id=x", { "content-type": "application/x-www-form-urlencoded" })).status,
    415,
  );
  assert.equal((await post("{")).status, 400);
});

Deno.test("GET /api/schedule shows each job's last run, outcome and next run", async () => {
  const root = await Deno.makeTempDir();
  let now = Date.UTC(2026, 0, 5, 12, 30);
  const scheduler = new Scheduler({
    root,
    now: () => now,
    log: () => {},
    jobs: [{
      name: "compact",
      cron: "0 * * * *",
      run: () => Promise.resolve("Compacted 3 partitions"),
    }],
  });
  now = Date.UTC(2026, 0, 5, 13, 0, 1);
  await scheduler.tick();
  await using t = await testApp({ root, workflows: { scheduler } });
  const body = await (await t.app.request("/api/schedule")).json();
  assert.equal(body.jobs[0].name, "compact");
  assert.equal(body.jobs[0].lastRun.outcome, "ok");
  assert.equal(body.jobs[0].lastRun.detail, "Compacted 3 partitions");
  assert.equal(body.jobs[0].nextRun, "2026-01-05T14:00:00.000Z");
});

Deno.test("GET /api/maintenance and /api/balance answer from the lake, and refuse bad queries", async () => {
  const root = await Deno.makeTempDir();
  const end = Date.UTC(2024, 0, 10);
  simulateHost({
    root,
    host: "a",
    start: end - 3 * 86_400_000,
    durationMs: 3 * 86_400_000,
    stepMs: 900_000,
    cpus: 2,
    topN: 1,
    chunkMs: 86_400_000,
  });
  await using t = await testApp({
    root,
    now: () => end,
    workflows: { blackouts: [{ cron: "0 0 * * *", duration: 6 * 3_600_000 }] },
  });
  const w = await (await t.app.request("/api/maintenance?duration=1h&within=2d")).json();
  assert.equal(w.status, "ok");
  assert.equal(w.method, "profile");
  assert.ok(new Date(w.best.start).getUTCHours() >= 6, w.best.start);
  const b = await (await t.app.request("/api/balance")).json();
  assert.match(b.message, /Only one host with data \(a\)/);
  for (const q of ["duration=soon", "duration=3d&within=1d", "metric=bad!", "nope=1"]) {
    const res = await t.app.request(`/api/maintenance?${q}`);
    assert.equal(res.status, 400, q);
  }
});

Deno.test("GET /api/maintenance?host= of a host the lake has no samples of is a 400 naming the hosts it has", async () => {
  const root = await Deno.makeTempDir();
  const end = Date.UTC(2024, 0, 10);
  for (const host of ["web1", "db1"]) {
    simulateHost({ root, host, start: end - 3_600_000, durationMs: 3_600_000, stepMs: 60_000 });
  }
  await using t = await testApp({ root, now: () => end });
  const res = await t.app.request("/api/maintenance?duration=1h&host=wbe1");
  assert.equal(res.status, 400);
  assert.deepEqual(await res.json(), {
    error: "Unknown host wbe1: no samples of it in the lake; hosts with samples: db1, web1",
  });
  // a long name is quoted cut, as other 400s quote what they were sent
  const long = await t.app.request(`/api/maintenance?duration=1h&host=${"x".repeat(250)}`);
  assert.match((await long.json()).error, new RegExp(`^Unknown host ${"x".repeat(100)}…: `));
  // a host it knows (in any case) is answered as before: hours of data are not enough yet
  const known = await t.app.request("/api/maintenance?duration=1h&host=WEB1");
  assert.equal(known.status, 200);
  assert.match((await known.json()).message, /^Not enough data yet: 59 min of cpu_busy on web1/);
});

Deno.test("GET /api/workflows without workflows configured answers empty lists", async () => {
  await using t = await testApp();
  assert.deepEqual(await (await t.app.request("/api/workflows")).json(), {
    workflows: [],
    pending: [],
  });
  assert.deepEqual(await (await t.app.request("/api/schedule")).json(), { jobs: [] });
  assert.equal((await t.app.request("/assets/workflows.js")).status, 200);
});

Deno.test("auditSection() takes the bare entry list too and escapes what it shows", async () => {
  const html = String(
    await auditSection([{
      id: "1",
      ts: 0,
      startedAt: 0,
      phase: "decision",
      workflow: "w",
      who: "workflow:w",
      what: "<script>alert(1)</script>",
      why: "x",
      mode: "dry-run",
      host: "h",
      pid: 1,
      outcome: "advice",
    }]),
  );
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /dry-run/);
});

Deno.test("GET /api/audit keeps the newest entries up to its limit and refuses a limit out of bounds", async () => {
  const root = await Deno.makeTempDir();
  let clock = Date.now() - 10_000;
  const log = new AuditLog(root, { host: "h1", now: () => (clock += 1000) });
  for (let i = 0; i < 3; i++) {
    log.decide({
      workflow: "w",
      who: "workflow:w",
      what: `step ${i}`,
      why: "test",
      mode: "dry-run",
      result: "advice",
    });
  }
  await using t = await testApp({ root });
  const all = await (await t.app.request("/api/audit")).json();
  assert.equal(all.entries.length, 3);
  const latest = await (await t.app.request("/api/audit?since=1h&limit=2")).json();
  assert.deepEqual(latest.entries.map((e: { what: string }) => e.what), ["step 2", "step 1"]);
  for (const q of ["limit=0", "limit=1001", "limit=-1", "limit=x"]) {
    const res = await t.app.request(`/api/audit?${q}`);
    assert.equal(res.status, 400, q);
    assert.match((await res.json()).error, /limit/, q);
  }
});

Deno.test("After a restart, a repeated approve or roll back answers 200 with who did it from the audit log and runs nothing", async () => {
  const root = await Deno.makeTempDir();
  const sys = await Deno.makeTempDir();
  const first = await swapWorkflows(root, sys);
  // a restart: a new runner on the same root, with the first one's config and /proc/sys
  const restart = () => new Workflows(swapConfig(root, sys));
  const post = async (workflows: Workflows, path: string, id: string) => {
    await using t = await testApp({ root, workflows: { workflows } });
    const res = await t.app.request(`/api/workflows/${path}`, {
      method: "POST",
      headers: json,
      body: JSON.stringify({ id }),
    });
    return { status: res.status, body: await res.json() };
  };
  // a repeat on a fresh runner is answered 200 from the audit log
  const repeatAfterRestart = async (path: string, target: string) => {
    const runner = restart();
    const answer = await post(runner, path, target);
    assert.equal(answer.status, 200);
    return { runner, body: answer.body };
  };
  await first.fire("swap", swapTrigger());
  const id = first.pending()[0]!.id;
  assert.equal((await post(first, "approve", id)).status, 200);
  await first.idle();
  const audit = await first.audit.read();
  assert.deepEqual(audit.map((e) => e.outcome), ["ok", "approved", "awaiting-approval"]);

  const { runner: second, body: again } = await repeatAfterRestart("approve", id);
  assert.deepEqual(again, {
    approved: id,
    workflow: "swap",
    already: { workflow: "swap", result: "approved", at: audit[1]!.ts, who: "approver:web" },
  });
  await second.idle();
  assert.equal((await second.audit.read()).length, 3);
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "10\n");

  const action = audit[0]!.id;
  assert.deepEqual((await post(second, "rollback", action)).body, {
    id: action,
    result: "rolled-back",
  });
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
  const rolled = (await second.audit.read())[0]!;
  assert.equal(rolled.outcome, "rolled-back");

  const { runner: third, body: undone } = await repeatAfterRestart("rollback", action);
  assert.deepEqual(undone, {
    id: action,
    result: "rolled-back",
    already: { workflow: "swap", result: "rolled-back", at: rolled.ts, who: "web" },
  });
  assert.equal((await post(third, "approve", id)).body.already.who, "approver:web");
  assert.equal((await post(third, "approve", "nope")).status, 404);
  await third.idle();
  assert.equal((await third.audit.read()).length, 4);
  assert.equal(await Deno.readTextFile(`${sys}/vm/swappiness`), "60\n");
});

Deno.test("GET /api/audit, /api/maintenance and /api/balance take ?token= in token mode and refuse other unknown parameters", async () => {
  await using t = await testApp({ token: "s3cret" });
  const auth = { authorization: "Bearer s3cret" };
  for (const path of ["/api/audit", "/api/maintenance", "/api/balance"]) {
    const res = await t.app.request(`${path}?token=s3cret`);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    await res.body?.cancel();
    const bad = await t.app.request(`${path}?sinse=1h`, { headers: auth });
    assert.equal(bad.status, 400, path);
    assert.match((await bad.json()).error, /^Invalid query: sinse: unknown parameter \(/, path);
  }
  const typo = await t.app.request("/api/audit?sinse=1h", { headers: auth });
  assert.equal(
    (await typo.json()).error,
    "Invalid query: sinse: unknown parameter (did you mean since?)",
  );
});
