/**
 * Approvals waiting for an answer are bounded: an alert firing on many series (a rule matching
 * pushed series with any extra labels, which any local client can create) or flapping on one
 * used to add one pending approval per firing, each rewriting the whole state file, without end
 * until they expired (1 h by default). Now one waits per alert instance and at most
 * `PENDING_MAX` per workflow; the rest are audited as skipped.
 */
import assert from "node:assert/strict";
import { PENDING_MAX, Workflows } from "../../workflows/mod.ts";
import { clock, transition } from "./_helpers.ts";

async function approvalWorkflow() {
  const root = await Deno.makeTempDir();
  const c = clock();
  const wf = new Workflows({
    root,
    host: "h1",
    now: c.now,
    actions: [{ name: "hi", argv: ["true"] }],
    workflows: [{
      name: "w",
      trigger: { alert: "A" },
      enabled: true,
      approval: true,
      steps: [{ kind: "command", action: "hi" }],
    }],
  });
  return { wf, c, root };
}

function firingOn(series: number, at: number) {
  const t = transition("A", "firing", at);
  const fingerprint = series.toString(16).padStart(16, "0");
  return {
    ...t,
    instance: { ...t.instance, fingerprint, labels: { ...t.instance.labels, id: `${series}` } },
  };
}

Deno.test("An alert firing on a thousand series leaves at most PENDING_MAX approvals waiting", async () => {
  const { wf, c, root } = await approvalWorkflow();
  for (let i = 0; i < 1000; i++) wf.onAlerts([firingOn(i, c.t)]);
  await wf.idle();
  assert.equal(wf.pending().length, PENDING_MAX);
  const skipped = (await wf.audit.read()).filter((e) => e.outcome === "skipped");
  assert.equal(skipped.length, 1000 - PENDING_MAX);
  assert.match(skipped[0]!.what, /approvals of this workflow already wait/);
  await Deno.remove(root, { recursive: true });
});

Deno.test("An alert instance that fires again while its approval waits adds no second one", async () => {
  const { wf, c, root } = await approvalWorkflow();
  wf.onAlerts([firingOn(1, c.t)]);
  c.t += 60_000;
  wf.onAlerts([firingOn(1, c.t)]);
  wf.onAlerts([firingOn(2, c.t)]);
  await wf.idle();
  assert.equal(wf.pending().length, 2);
  const skipped = (await wf.audit.read()).filter((e) => e.outcome === "skipped");
  assert.equal(skipped.length, 1);
  assert.match(skipped[0]!.what, /for this alert already waits/);
  await Deno.remove(root, { recursive: true });
});
