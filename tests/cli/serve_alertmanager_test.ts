import assert from "node:assert/strict";
import type { AlertEngine, AlertInstance } from "../../alerts/mod.ts";
import { ignore, startAlertmanager, until } from "../alerts/_alertmanager.ts";
import { webhookServer } from "../alerts/_webhook.ts";
import { postSamples } from "../_post_samples.ts";
import { startServe } from "../_serve.ts";

/** Polls the engine until `pick` finds an instance (the loop evaluates ingest 100 ms later). */
async function instanceWhere(
  engine: AlertEngine,
  pick: (i: AlertInstance) => boolean,
): Promise<AlertInstance> {
  for (let i = 0; i < 300; i++) {
    const found = engine.instances().find(pick);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`No such instance; have ${JSON.stringify(engine.instances())}`);
}

Deno.test({
  name:
    "serve pushes a rule's alert to a real Alertmanager named by its receiver key, keeps it past clear, and resolves it",
  ignore,
  async fn() {
    const am = await startAlertmanager();
    await using ops = webhookServer();
    const dir = await Deno.makeTempDir();
    const file = `${dir}/perfscope.yaml`;
    // Slow goes only to Alertmanager (its receiver:); Other follows the route to the webhook
    await Deno.writeTextFile(
      file,
      `data: ${dir}/lake\nrules:\n` +
        `  - {alert: Slow, metric: app_latency_ms, labels: {service: api}, above: 250, ` +
        `clear: 200, receiver: am}\n` +
        `  - {alert: Other, metric: app_errors, above: 0}\n` +
        `receivers:\n  - {name: ops, webhook: "${ops.url}"}\n  - {name: am, alertmanager: "${am.url}"}\n` +
        `route: {receiver: ops, group_wait: 0s}\n`,
    );
    let engine: AlertEngine | undefined;
    const served = await startServe(
      ["--config", file, "--no-collect"],
      { compact: false, onAlerts: (e) => engine = e },
      { muteErrors: true },
    );
    const push = async (metric: string, value: number) => {
      const labels = metric === "app_latency_ms" ? { service: "api" } : {};
      assert.equal(await postSamples(served.url, [{ host: "web1", metric, labels, value }]), 200);
    };
    try {
      await push("app_latency_ms", 300);
      await push("app_errors", 1);
      const [alert] = await until(am.url, (a) => a.length === 1);
      assert.deepEqual(alert!.labels, {
        alertname: "Slow",
        severity: "warning",
        host: "web1",
        service: "api",
      });
      assert.equal(alert!.status.state, "active");
      // the route's receiver got Other, never Slow
      await ops.waitFor(1);
      const names = ops.received.flatMap((r) =>
        (r.body as { alerts: { labels: { alertname: string } }[] }).alerts.map((a) =>
          a.labels.alertname
        )
      );
      assert.deepEqual(names, ["Other"]);
      // below the threshold but above clear: still firing (hysteresis)
      await push("app_latency_ms", 220);
      const held = await instanceWhere(engine!, (i) => i.rule === "Slow" && i.value === 220);
      assert.equal(held.state, "firing");
      assert.equal((await until(am.url, (a) => a.length === 1))[0]!.labels.alertname, "Slow");
      // below clear: resolved, and Alertmanager no longer lists it
      await push("app_latency_ms", 150);
      await instanceWhere(engine!, (i) => i.rule === "Slow" && i.state !== "firing");
      await until(am.url, (a) => a.length === 0);
    } finally {
      served.stop();
      assert.equal(await served.done, 0);
      await am.stop();
    }
    await Deno.remove(dir, { recursive: true });
  },
});
