import assert from "node:assert/strict";
import { Notifier, type NotifierOptions, type WebhookPayload } from "../../alerts/mod.ts";
import { amAlerts, ignore, startAlertmanager, until } from "./_alertmanager.ts";
import { transition, webhookServer } from "./_webhook.ts";

const LABELS = { alertname: "HighLatency", severity: "warning", host: "db1", service: "api" };

/**
 * Runs `body` with a real Alertmanager and a notifier routing every alert to it (receiver `am`,
 * with `resend_every` if given, and more notifier `options`), closing both after.
 */
async function withPushTo(
  extra: { resend_every?: number; options?: Omit<NotifierOptions, "receivers" | "route"> },
  body: (am: { url: string }, notifier: Notifier) => Promise<void>,
): Promise<void> {
  const am = await startAlertmanager();
  const notifier = new Notifier({
    receivers: [{
      name: "am",
      alertmanager: am.url,
      ...(extra.resend_every !== undefined && { resend_every: extra.resend_every }),
    }],
    route: { receiver: "am" },
    log: () => {},
    ...extra.options,
  });
  try {
    await body(am, notifier);
  } finally {
    await notifier.close();
    await am.stop();
  }
}

Deno.test({
  name: "alerts pushed to a real Alertmanager appear in its API with their labels, and resolve",
  ignore,
  async fn() {
    await withPushTo(
      { options: { externalURL: "http://127.0.0.1:8000" } },
      async (am, notifier) => {
        const firedAt = Date.now() - 5000;
        notifier.handle([
          transition(LABELS, "firing", firedAt, { annotations: { summary: "p95 312 ms on db1" } }),
        ]);
        const [alert] = await until(am.url, (a) => a.length === 1);
        assert.deepEqual(alert?.labels, LABELS);
        assert.deepEqual(alert?.annotations, { summary: "p95 312 ms on db1" });
        assert.equal(alert?.status.state, "active");
        assert.equal(Date.parse(alert!.startsAt), firedAt);
        // valid for four re-sends (1 min by default), so Alertmanager does not resolve it alone
        assert.ok(Date.parse(alert!.endsAt) > Date.now() + 60_000);
        notifier.handle([transition(LABELS, "resolved", Date.now(), { firedAt })]);
        await until(am.url, (a) => a.length === 0);
        assert.equal(notifier.stats().am?.sent, 2);
      },
    );
  },
});

Deno.test({
  name: "a silence created in Alertmanager suppresses the pushed alert there",
  ignore,
  async fn() {
    await withPushTo({}, async (am, notifier) => {
      const res = await fetch(`${am.url}/api/v2/silences`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          matchers: [{ name: "host", value: "db1", isRegex: false, isEqual: true }],
          startsAt: new Date().toISOString(),
          endsAt: new Date(Date.now() + 3_600_000).toISOString(),
          createdBy: "perfscope test",
          comment: "maintenance",
        }),
      });
      assert.equal(res.status, 200);
      const { silenceID } = await res.json();
      notifier.handle([
        transition(LABELS, "firing", Date.now()),
        transition({ ...LABELS, host: "db2" }, "firing", Date.now()),
      ]);
      const alerts = await until(
        am.url,
        (a) => a.length === 2 && a.some((x) => x.status.state === "suppressed"),
      );
      const byHost = Object.fromEntries(alerts.map((a) => [a.labels.host, a.status]));
      assert.deepEqual(byHost.db1, { ...byHost.db1, state: "suppressed", silencedBy: [silenceID] });
      assert.equal(byHost.db2?.state, "active");
      const unsilenced = await amAlerts(am.url, "?silenced=false");
      assert.deepEqual(unsilenced.map((a) => a.labels.host), ["db2"]);
    });
  },
});

Deno.test({
  name: "a firing alert is re-sent to Alertmanager while it fires, moving its end forward",
  ignore,
  async fn() {
    await withPushTo({ resend_every: 300, options: { tickMs: 50 } }, async (am, notifier) => {
      notifier.handle([transition(LABELS, "firing", Date.now())]);
      const [first] = await until(am.url, (a) => a.length === 1);
      const [later] = await until(am.url, (a) => a[0] !== undefined && a[0].endsAt > first!.endsAt);
      assert.ok(Date.parse(later!.endsAt) > Date.parse(first!.endsAt));
      assert.ok((notifier.stats().am?.sent ?? 0) >= 2);
    });
  },
});

/** The shape of a JSON value: keys (sorted) and the types of the leaves. */
function shape(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shape);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value).sort().map((k) => [k, shape((value as Record<string, unknown>)[k])]),
    );
  }
  return typeof value;
}

Deno.test({
  name: "perfscope's webhook payload has exactly the fields and types of Alertmanager's own",
  ignore,
  async fn() {
    await using theirs = webhookServer();
    await using ours = webhookServer();
    const am = await startAlertmanager(
      `route:\n  receiver: hook\n  group_by: [alertname]\n  group_wait: 50ms\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: ${theirs.url}\n`,
    );
    const pusher = new Notifier({
      receivers: [{ name: "am", alertmanager: am.url }],
      route: { receiver: "am" },
      log: () => {},
    });
    const direct = new Notifier({
      receivers: [{ name: "hook", webhook: ours.url }],
      route: { receiver: "hook" },
      log: () => {},
    });
    try {
      const t = transition(LABELS, "firing", Date.now(), { annotations: { summary: "slow" } });
      pusher.handle([t]);
      direct.handle([t]);
      await theirs.waitFor(1);
      await ours.waitFor(1);
      const a = theirs.received[0]!.body as WebhookPayload;
      const b = ours.received[0]!.body as WebhookPayload;
      assert.deepEqual(shape(b), shape(a));
      assert.equal(b.groupKey, a.groupKey);
      assert.deepEqual(
        [
          b.version,
          b.status,
          b.groupLabels,
          b.commonLabels,
          b.commonAnnotations,
          b.truncatedAlerts,
        ],
        [
          a.version,
          a.status,
          a.groupLabels,
          a.commonLabels,
          a.commonAnnotations,
          a.truncatedAlerts,
        ],
      );
      const [x, y] = [a.alerts[0]!, b.alerts[0]!];
      assert.deepEqual(
        [y.status, y.labels, y.annotations, y.endsAt],
        [x.status, x.labels, x.annotations, x.endsAt],
      );
      assert.equal(Date.parse(y.startsAt), Date.parse(x.startsAt));
    } finally {
      await pusher.close();
      await direct.close();
      await am.stop();
    }
  },
});
