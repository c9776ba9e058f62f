import assert from "node:assert/strict";
import type { AlertTransition, WebhookPayload } from "../../alerts/mod.ts";
import {
  alertsView,
  lakeBacktest,
  type LakeSeries,
  startNotifications,
} from "../../cli/_serve_notify.ts";
import { transition, webhookServer } from "../alerts/_webhook.ts";
import { seededApp, T0 } from "../web/_app.ts";

/** The engine's surface the wiring uses, driven by the test (the engine has its own tests). */
function engineStandIn(instances: AlertTransition["instance"][]) {
  const listeners: ((t: AlertTransition[]) => void)[] = [];
  return {
    instances: () => instances,
    onTransition: (cb: (t: AlertTransition[]) => void) => void listeners.push(cb),
    emit: (t: AlertTransition[]) => listeners.forEach((cb) => cb(t)),
  };
}

Deno.test("startNotifications() sends the engine's transitions and does not re-announce restored alerts", async () => {
  await using hook = webhookServer();
  const root = await Deno.makeTempDir({ prefix: "perfscope-serve-notify-" });
  const restored =
    transition({ alertname: "Old", host: "h" }, "firing", Date.now() - 60_000).instance;
  const engine = engineStandIn([restored]);
  const { notifier, silences } = await startNotifications(engine, {
    receivers: [{ name: "ops", webhook: hook.url }],
    route: { receiver: "ops", group_by: ["alertname"] },
  }, { root, externalURL: "http://127.0.0.1:8000" });
  engine.emit([transition({ alertname: "New", host: "h" }, "firing", Date.now())]);
  await hook.waitFor(1);
  await notifier.idle();
  await notifier.close();
  const body = hook.received[0]!.body as WebhookPayload;
  assert.equal(hook.received.length, 1);
  assert.equal(body.groupLabels.alertname, "New");
  assert.equal(body.externalURL, "http://127.0.0.1:8000");
  assert.deepEqual(silences.list(), []);
});

Deno.test("lakeBacktest() validates the rule, reads its metric's series from the lake and replays them", async () => {
  await using t = await seededApp();
  const seen: LakeSeries[] = [];
  const backtest = lakeBacktest(t.lake, {
    parseRule(rule) {
      const r = rule as { alert?: unknown; metric?: unknown };
      if (typeof r.alert !== "string") throw new RangeError("rule: alert is required");
      return { alert: r.alert, ...(typeof r.metric === "string" && { metric: r.metric }) };
    },
    replay(rules, series) {
      seen.push(...series);
      return [{
        alert: rules[0]!.alert,
        labels: { host: "h" },
        start: T0 + 5000,
        end: NaN,
        peak: 9,
      }];
    },
  });
  const out = await backtest({ alert: "High", metric: "m" }, T0, T0 + 60_000);
  assert.deepEqual(out, [{
    alert: "High",
    labels: { host: "h" },
    start: T0 + 5000,
    end: null,
    peak: 9,
  }]);
  assert.equal(seen.length, 1);
  assert.deepEqual([seen[0]!.host, seen[0]!.metric, Array.from(seen[0]!.values)], ["h", "m", [
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8,
    9,
  ]]);
  await assert.rejects(() => backtest({ metric: "m" }, T0, T0 + 1), /alert is required/);
  await assert.rejects(() => backtest({ alert: "X" }, T0, T0 + 1), /needs a rule with a metric/);
});

Deno.test("alertsView() reads the engine's instances and the current rules on each call", async () => {
  let rules = [{ alert: "A", metric: "m" }];
  const view = alertsView(engineStandIn([]), () => Promise.resolve([]), () => rules);
  assert.deepEqual(view.rules?.(), [{ alert: "A", metric: "m" }]);
  rules = [{ alert: "B", metric: "" }];
  assert.deepEqual(view.rules?.(), [{ alert: "B" }]);
  // the labels a rule adds: the page leaves them out of the series it links to
  const withTeam = [{ alert: "C", metric: "m", extra_labels: { team: "db", tier: "1" } }];
  const view2 = alertsView(engineStandIn([]), () => Promise.resolve([]), () => withTeam);
  assert.deepEqual(view2.rules?.(), [{ alert: "C", metric: "m", extraLabels: ["team", "tier"] }]);
  assert.deepEqual(await view.history({ since: 0, until: 1 }), []);
});
