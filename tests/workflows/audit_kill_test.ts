import assert from "node:assert/strict";
import { AuditLog } from "../../workflows/mod.ts";

const CHILD = new URL("./_audit_child.ts", import.meta.url).pathname;

Deno.test("kill -9 during an action leaves a visible 'started, outcome unknown' entry and a usable log", async () => {
  const root = await Deno.makeTempDir();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, root],
    stdout: "null",
    stderr: "null",
  }).spawn();
  const log = new AuditLog(root, { host: "h1" });
  let started = false;
  for (let i = 0; i < 300 && !started; i++) {
    await new Promise((r) => setTimeout(r, 50));
    started = (await log.records()).some((r) => r.phase === "started");
  }
  assert.ok(started, "the child wrote its started record");
  child.kill("SIGKILL");
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");

  const entries = await log.read();
  assert.equal(entries.length, 1);
  assert.equal(entries[0]!.outcome, "unknown");
  assert.equal(entries[0]!.phase, "started");
  assert.equal(entries[0]!.pid, child.pid);
  assert.match(entries[0]!.what, /command nap: \["sleep","3"\]/);

  // the log stays append-only and readable after the crash
  log.decide({
    workflow: "w",
    who: "test",
    what: "after",
    why: "x",
    mode: "dry-run",
    result: "advice",
  });
  const after = await log.read();
  assert.equal(after.length, 2);
  assert.equal(after.find((e) => e.pid === child.pid)!.outcome, "unknown");
});

Deno.test("AuditLog.read() skips a torn last line and keeps the records before it", async () => {
  const root = await Deno.makeTempDir();
  const log = new AuditLog(root, { host: "h1", now: () => Date.UTC(2026, 0, 1) });
  log.decide({ workflow: "w", who: "t", what: "one", why: "x", mode: "dry-run", result: "advice" });
  await Deno.writeTextFile(`${root}/audit/audit-2026-01-01.jsonl`, '{"id":"torn","ts":17', {
    append: true,
  });
  assert.deepEqual((await log.read()).map((e) => e.what), ["one"]);
  log.decide({ workflow: "w", who: "t", what: "two", why: "x", mode: "dry-run", result: "advice" });
  assert.deepEqual(
    (await log.read()).map((e) => e.what),
    ["two", "one"],
    "not glued to the torn line",
  );
});

Deno.test("AuditLog.read() filters by time across daily files", async () => {
  const root = await Deno.makeTempDir();
  let t = Date.UTC(2026, 0, 1, 12);
  const log = new AuditLog(root, { host: "h1", now: () => t });
  for (let d = 0; d < 3; d++, t += 86_400_000) {
    log.decide({
      workflow: "w",
      who: "t",
      what: `day ${d}`,
      why: "x",
      mode: "dry-run",
      result: "advice",
    });
  }
  assert.equal([...Deno.readDirSync(`${root}/audit`)].length, 3);
  const since = Date.UTC(2026, 0, 2);
  assert.deepEqual((await log.read({ since })).map((e) => e.what), ["day 2", "day 1"]);
});
