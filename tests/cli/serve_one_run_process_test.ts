/**
 * One run of a workflow at a time across processes: a real `serve` (a child process) runs two
 * workflows whose commands hold until a file appears, and a second runner on the same data
 * directory (this process, as a second `serve --no-collect` would) neither runs the scheduled one
 * again on its tick nor starts the other on an approval. Each process's in-memory flag saw only
 * its own runs, so both used to run.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnServe, stopServe } from "../_serve_process.ts";
import { startWorkflows } from "../../cli/_workflows_wiring.ts";
import { parseConfig } from "../../config/mod.ts";
import { openLake } from "../../lake/mod.ts";
import { AuditLog } from "../../workflows/mod.ts";
import { testApp } from "../web/_app.ts";

/** Actions that note each run (the shell's pid) in `DIR/<name>-runs`, then hold until
 * `DIR/release` exists. */
function configText(dir: string): string {
  const hold = (name: string) =>
    `  - name: hold-${name}
    argv: [sh, -c, "echo $$ >> ${dir}/${name}-runs; until [ -e ${dir}/release ]; do sleep 0.05; done"]
    timeout: 5m
`;
  return `actions:
${hold("doze")}${hold("nap")}workflows:
  - name: doze
    trigger: {schedule: "0 3 * * *"}
    enabled: true
    steps: [{kind: command, action: hold-doze}]
  - name: nap
    trigger: {schedule: "0 3 * * *"}
    enabled: true
    approval: true
    approval_expires: 7d
    steps: [{kind: command, action: hold-nap}]
`;
}

async function runs(dir: string, name: string): Promise<number> {
  const text = await Deno.readTextFile(`${dir}/${name}-runs`).catch(() => "");
  return text.split("\n").filter(Boolean).length;
}

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 25));
}

const json = { "content-type": "application/json" };

Deno.test("A second process on the same data neither runs a workflow's schedule nor an approval while serve runs that workflow", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-one-run-" });
  const data = `${dir}/data`, configPath = `${dir}/perfscope.yaml`;
  const text = configText(dir);
  await Deno.writeTextFile(configPath, text);
  // both jobs last ran long ago: serve's start runs each once as a catch-up
  await Deno.mkdir(`${data}/schedule`, { recursive: true });
  await Deno.writeTextFile(
    `${data}/schedule/state.json`,
    JSON.stringify({
      "workflow:doze": { at: 1, outcome: "ok" },
      "workflow:nap": { at: 1, outcome: "ok" },
    }),
  );
  const served = await spawnServe(["--data", data, "--no-collect", "--config", configPath], {
    port: 19231,
    stderr: "piped",
  });
  const pid = served.process.pid;
  try {
    // serve runs doze (its catch-up) and, once approved through its API, nap
    await until(async () => (await runs(dir, "doze")) === 1);
    let pending: { id: string; workflow: string }[] = [];
    await until(async () => {
      pending = (await (await fetch(new URL("/api/workflows", served.url))).json()).pending;
      return pending.length === 1;
    });
    const approved = await fetch(new URL("/api/workflows/approve", served.url), {
      method: "POST",
      headers: json,
      body: JSON.stringify({ id: pending[0]!.id }),
    });
    assert.equal((await approved.json()).next, "it runs now");
    await until(async () => (await runs(dir, "nap")) === 1);

    // this process: the scheduler and runner serve would start, on a clock at the next 03:00
    const lake = await openLake({ root: data });
    let t = Date.UTC(2026, 0, 5, 2, 59);
    const runtime = startWorkflows({
      root: data,
      config: parseConfig(text),
      lake,
      compact: false,
      now: () => t,
      log: () => {},
    });
    try {
      t = Date.UTC(2026, 0, 5, 3, 0, 1);
      // its tick ran doze beside serve's run (a second line) and then waited on that run
      let ticked = false;
      const tick = runtime.scheduler.tick().finally(() => ticked = true);
      await until(async () => ticked || (await runs(dir, "doze")) === 2);
      assert.equal(await runs(dir, "doze"), 1, "this process ran doze beside serve's run");
      await tick;
      const [doze, nap] = runtime.scheduler.status();
      const started = (line: string) =>
        new RegExp(
          `^skipped: a run started \\S+Z by pid ${pid} \\(deno task serve\\) for ${line} is still going$`,
        );
      assert.match(doze!.lastRun!.detail!, started("schedule 0 3 \\* \\* \\*"));
      assert.equal(nap!.lastRun!.detail, "waiting for approval to run command");
      const skipped = (await runtime.workflows!.audit.read()).find((e) =>
        e.workflow === "doze" && e.outcome === "skipped"
      );
      assert.match(skipped!.what, started("schedule 0 3 \\* \\* \\*"));

      // its approval of nap is refused with serve's run, and waits on (the app over a lake of its
      // own: its ingest writer on serve's data would take serve's spool)
      await using other = await testApp({ workflows: runtime.deps });
      const [mine] = runtime.workflows!.pending();
      const refused = await other.app.request("/api/workflows/approve", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ id: mine!.id }),
      });
      assert.equal(refused.status, 409);
      assert.match(
        (await refused.json()).error,
        new RegExp(
          `^Workflow nap is already running: a run started \\S+Z by pid ${pid} \\(deno task serve\\) for schedule 0 3 \\* \\* \\*; approval ${
            mine!.id
          } still waits: approve it again once that run ends$`,
        ),
      );
      assert.deepEqual(runtime.workflows!.pending().map((p) => p.id), [mine!.id]);
      assert.deepEqual([await runs(dir, "doze"), await runs(dir, "nap")], [1, 1]);

      // once serve's runs are over, the approval runs here
      await Deno.writeTextFile(`${dir}/release`, "");
      await until(async () => {
        const states = (await (await fetch(new URL("/api/workflows", served.url))).json())
          .workflows as { running: boolean }[];
        return states.every((s) => !s.running);
      });
      const ran = await other.app.request("/api/workflows/approve", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ id: mine!.id }),
      });
      assert.equal((await ran.json()).next, "it runs now");
      await runtime.workflows!.idle();
      assert.deepEqual([await runs(dir, "doze"), await runs(dir, "nap")], [1, 2]);
    } finally {
      // the runs end first: stop() waits for the scheduler's jobs, a run's trigger among them
      await Deno.writeTextFile(`${dir}/release`, "");
      await runtime.stop();
      lake.close();
    }
  } finally {
    await Deno.writeTextFile(`${dir}/release`, "");
    assert.equal((await stopServe(served.process)).code, 0, served.stderr.join(""));
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve's stop cuts a scheduled workflow's run: its command is killed, the audit says so, and serve exits 0", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-one-run-" });
  const data = `${dir}/data`, configPath = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(configPath, configText(dir));
  await Deno.mkdir(`${data}/schedule`, { recursive: true });
  await Deno.writeTextFile(
    `${data}/schedule/state.json`,
    JSON.stringify({ "workflow:doze": { at: 1, outcome: "ok" } }),
  );
  const served = await spawnServe(["--data", data, "--no-collect", "--config", configPath], {
    port: 19232,
    stderr: "piped",
  });
  let shell = 0;
  try {
    await until(async () => (await runs(dir, "doze")) === 1);
    shell = Number((await Deno.readTextFile(`${dir}/doze-runs`)).trim());
    // the scheduler's stop waited for the run, which only the runner's stop cuts: serve sat in
    // its stop until the deadline exited it (1), the command left running
    assert.equal((await stopServe(served.process)).code, 0, served.stderr.join(""));
    await assert.rejects(Deno.stat(`/proc/${shell}`), Deno.errors.NotFound);
    const done = (await new AuditLog(data).read()).find((e) =>
      e.workflow === "doze" && e.step === "command"
    );
    assert.equal(done!.outcome, "failed");
    assert.equal(done!.detail, "Stopped: perfscope stopped while it ran (no output)");
  } finally {
    await Deno.writeTextFile(`${dir}/release`, "");
    await served.process.status;
    // a command left running by a failed stop would wait for the file deleted next
    if (shell) {
      try {
        Deno.kill(shell, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
    await Deno.remove(dir, { recursive: true });
  }
});
