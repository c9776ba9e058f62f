import assert from "node:assert/strict";
import { AlertEngine, Notifier, SilenceStore } from "../../alerts/mod.ts";
import { ignore, startAlertmanager, until } from "./_alertmanager.ts";

/** Creates a silence in Alertmanager itself (`POST /api/v2/silences`); returns its id. */
async function amSilence(
  url: string,
  matchers: { name: string; value: string; isRegex: boolean }[],
): Promise<string> {
  const res = await fetch(`${url}/api/v2/silences`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      matchers: matchers.map((m) => ({ ...m, isEqual: true })),
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: "perfscope test",
      comment: "host case",
    }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()).silenceID;
}

Deno.test({
  name:
    "alerts reach a real Alertmanager with host in lower case however rules spell it; perfscope's silences stay in perfscope",
  ignore,
  async fn() {
    const am = await startAlertmanager();
    const silences = await SilenceStore.open(undefined);
    await silences.create({
      matchers: [{ name: "host", op: "=", value: "Web1" }],
      endsAt: Date.now() + 3_600_000,
    });
    const notifier = new Notifier({
      receivers: [{ name: "am", alertmanager: am.url }],
      route: { receiver: "am" },
      silences,
      log: () => {},
    });
    // three ways a host reaches an alert: the series (the lake's web1, asked for as Web1),
    // extra_labels written Web1, a SQL row giving WEB1
    const engine = new AlertEngine([
      { alert: "Load", metric: "load", above: 1, host: "Web1" },
      { alert: "Mem", metric: "load", above: 1, extra_labels: { host: "Web1" } },
      { alert: "Disk", kind: "sql", sql: "SELECT 1", above: 90 },
    ], { query: () => Promise.resolve([{ host: "WEB1", used: 95 }]) });
    try {
      const now = Date.now();
      engine.observe({ ts: [now], host: ["web1"], metric: ["load"], labels: [""], value: [5] });
      notifier.handle(engine.evaluate(now)); // the series' rules fire, the query starts
      await engine.settle();
      notifier.handle(engine.evaluate(now + 1)); // the SQL rule fires
      const pushed = await until(am.url, (a) => a.length === 3);
      assert.deepEqual(pushed.map((a) => a.labels.host), ["web1", "web1", "web1"]);
      // perfscope's silence mutes them for its webhooks, and is not sent to Alertmanager
      assert.ok(pushed.every((a) => notifier.muted(a.labels)));
      assert.deepEqual(pushed.map((a) => a.status.state), ["active", "active", "active"]);

      // Alertmanager compares host as written: the lake's spelling or (?i) match, Web1 does not
      const exact = await amSilence(am.url, [
        { name: "alertname", value: "Load", isRegex: false },
        { name: "host", value: "Web1", isRegex: false },
      ]);
      const folded = await amSilence(am.url, [
        { name: "alertname", value: "Load", isRegex: false },
        { name: "host", value: "(?i)Web1", isRegex: true },
      ]);
      const lower = await amSilence(am.url, [
        { name: "alertname", value: "Disk", isRegex: false },
        { name: "host", value: "web1", isRegex: false },
      ]);
      const pattern = await amSilence(am.url, [
        { name: "alertname", value: "Mem", isRegex: false },
        { name: "host", value: "(?i)WEB.*", isRegex: true },
      ]);
      const alerts = await until(am.url, (a) => a.every((x) => x.status.state === "suppressed"));
      const by = Object.fromEntries(alerts.map((a) => [a.labels.alertname, a.status.silencedBy]));
      assert.deepEqual(by, { Load: [folded], Disk: [lower], Mem: [pattern] });
      assert.ok(!Object.values(by).flat().includes(exact));
    } finally {
      engine.close();
      await notifier.close();
      await am.stop();
    }
  },
});
