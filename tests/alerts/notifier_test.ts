import assert from "node:assert/strict";
import {
  Notifier,
  type NotifierOptions,
  SilenceStore,
  type WebhookPayload,
} from "../../alerts/mod.ts";
import type { RouteConfig } from "../../config/mod.ts";
import { fingerprintOf, T0, transition, webhookServer } from "./_webhook.ts";

/** A notifier on a fake clock (no timer: the test calls tick()) with fast retries. */
function notifierFor(
  url: string,
  route: Partial<RouteConfig> = {},
  options: Partial<NotifierOptions> & { clock?: { now: number } } = {},
): Notifier {
  const clock = options.clock ?? { now: T0 };
  return new Notifier({
    receivers: [{ name: "ops", webhook: url }],
    route: { receiver: "ops", ...route },
    now: () => clock.now,
    tickMs: 0,
    externalURL: "http://perfscope.test:8000",
    delivery: { initialBackoffMs: 2, random: () => 0.5 },
    log: () => {},
    ...options,
  });
}

function bodies(hook: { received: { body: unknown }[] }): WebhookPayload[] {
  return hook.received.map((r) => r.body as WebhookPayload);
}

const HOT = { alertname: "HighLatency", severity: "warning", host: "db1", service: "api" };

Deno.test("a firing and then resolved alert reach a webhook as Alertmanager's version 4 payload, exactly", async () => {
  await using hook = webhookServer();
  const notifier = notifierFor(hook.url);
  const annotations = { summary: "p95 312 ms on db1" };
  notifier.handle([transition(HOT, "firing", T0 + 5000, { annotations })]);
  await notifier.idle();
  notifier.handle([
    transition(HOT, "resolved", T0 + 65_000, { firedAt: T0 + 5000, annotations }),
  ]);
  // the resolution waits for the group's interval (30 s after the first notification)
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 1);
  await notifier.close();
  const fp = fingerprintOf(HOT);
  const alert = {
    labels: HOT,
    annotations,
    startsAt: "2024-01-01T00:00:05.000Z",
    generatorURL: "http://perfscope.test:8000/alerts",
    fingerprint: fp,
  };
  assert.deepEqual(bodies(hook)[0], {
    version: "4",
    groupKey: '{}:{alertname="HighLatency"}',
    truncatedAlerts: 0,
    status: "firing",
    receiver: "ops",
    groupLabels: { alertname: "HighLatency" },
    commonLabels: HOT,
    commonAnnotations: annotations,
    externalURL: "http://perfscope.test:8000",
    alerts: [{ status: "firing", ...alert, endsAt: "0001-01-01T00:00:00Z" }],
  });
  assert.equal(hook.received[0]?.path, "/hook");
  assert.equal(hook.received[0]?.headers.get("content-type"), "application/json");
});

Deno.test("a resolved notification carries endsAt and goes out at the group's next interval", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = notifierFor(hook.url, {}, { clock });
  notifier.handle([transition(HOT, "firing", T0)]);
  clock.now = T0 + 10_000;
  notifier.handle([transition(HOT, "resolved", clock.now, { firedAt: T0 })]);
  clock.now = T0 + 30_000;
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  const [first, second] = bodies(hook);
  assert.equal(first?.status, "firing");
  assert.equal(second?.status, "resolved");
  assert.deepEqual(
    second?.alerts.map((a) => [a.status, a.startsAt, a.endsAt]),
    [["resolved", "2024-01-01T00:00:00.000Z", "2024-01-01T00:00:10.000Z"]],
  );
});

Deno.test("a webhook answering 500 is retried with backoff until it takes the notification", async () => {
  await using hook = webhookServer();
  hook.statuses.push(500, 503);
  const notifier = notifierFor(hook.url);
  notifier.handle([transition(HOT, "firing", T0)]);
  await notifier.idle();
  await notifier.close();
  assert.equal(hook.received.length, 3);
  assert.deepEqual(hook.received[2]?.body, hook.received[0]?.body);
  assert.deepEqual(notifier.stats().ops, {
    sent: 1,
    failed: 0,
    rateLimited: 0,
    dropped: 0,
    retries: 2,
  });
});

Deno.test("a webhook answering 400 is not retried: the failure is counted and logged", async () => {
  await using hook = webhookServer();
  hook.statuses.push(400);
  const lines: string[] = [];
  const notifier = notifierFor(hook.url, {}, { log: (l) => lines.push(l) });
  notifier.handle([transition(HOT, "firing", T0)]);
  await notifier.idle();
  await notifier.close();
  assert.equal(hook.received.length, 1);
  assert.equal(notifier.stats().ops?.failed, 1);
  assert.match(notifier.stats().ops?.lastError ?? "", /^HTTP 400: ok$/);
  assert.match(lines[0] ?? "", /^notify: receiver ops: gave up after 1 attempts: HTTP 400/);
});

Deno.test("a receiver that is down gives up after the attempts, and the network error is kept", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // a port nobody listens on: connection refused
  const notifier = notifierFor(`http://127.0.0.1:${port}/hook`, {}, {
    delivery: { attempts: 3, initialBackoffMs: 1, random: () => 0 },
  });
  notifier.handle([transition(HOT, "firing", T0)]);
  await notifier.idle();
  await notifier.close();
  const stats = notifier.stats().ops!;
  assert.equal(stats.failed, 1);
  assert.equal(stats.retries, 2);
  // in a user's words: Deno's "fetch failed: error sending request for url (…): client error
  // (Connect): tcp connect error: Connection refused (os error 111)" reached the Alerts page
  assert.equal(stats.lastError, "Cannot connect: Connection refused");
});

Deno.test("a webhook that does not answer in time is retried after the timeout", async () => {
  let calls = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  // the first request hangs past the receiver's timeout; the second is answered
  await using hook = webhookServer(() => ++calls === 1 ? gate : Promise.resolve());
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: hook.url, timeout: 50 }],
    route: { receiver: "ops" },
    now: () => T0,
    tickMs: 0,
    delivery: { initialBackoffMs: 1 },
    log: () => {},
  });
  notifier.handle([transition(HOT, "firing", T0)]);
  await notifier.idle();
  release();
  await notifier.close();
  assert.equal(hook.received.length, 2);
  assert.deepEqual(notifier.stats().ops, {
    sent: 1,
    failed: 0,
    rateLimited: 0,
    dropped: 0,
    retries: 1,
  });
});

Deno.test("group_wait gathers a group's first alerts; later ones wait for group_interval", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = notifierFor(hook.url, {
    group_by: ["alertname"],
    group_wait: 10_000,
    group_interval: 30_000,
  }, { clock });
  const on = (host: string) => transition({ ...HOT, host }, "firing", clock.now);
  notifier.handle([on("db1")]);
  clock.now = T0 + 4000;
  notifier.handle([on("db2")]);
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 0, "nothing before group_wait");
  clock.now = T0 + 10_000;
  notifier.tick();
  await notifier.idle();
  assert.deepEqual(bodies(hook)[0]?.alerts.map((a) => a.labels.host), ["db1", "db2"]);
  assert.deepEqual(bodies(hook)[0]?.commonLabels, {
    alertname: "HighLatency",
    severity: "warning",
    service: "api",
  });
  clock.now = T0 + 12_000;
  notifier.handle([on("db3")]);
  clock.now = T0 + 39_000;
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 1, "the third waits for the interval");
  clock.now = T0 + 40_000;
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(hook)[1]?.alerts.map((a) => a.labels.host), ["db1", "db2", "db3"]);
});

Deno.test("an unchanged group is notified again after repeat_interval, not before", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = notifierFor(hook.url, {
    group_interval: 60_000,
    repeat_interval: 600_000,
  }, { clock });
  notifier.handle([transition(HOT, "firing", T0)]);
  for (let t = 60_000; t < 600_000; t += 60_000) {
    clock.now = T0 + t;
    notifier.tick();
  }
  await notifier.idle();
  assert.equal(hook.received.length, 1);
  clock.now = T0 + 600_000;
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  assert.equal(hook.received.length, 2);
  assert.deepEqual(bodies(hook)[1]?.alerts, bodies(hook)[0]?.alerts);
});

Deno.test("group_by splits groups and names them in the group key; ['...'] groups by every label", async () => {
  await using hook = webhookServer();
  const notifier = notifierFor(hook.url, { group_by: ["alertname", "host"] });
  notifier.handle([
    transition({ ...HOT, host: "db1" }, "firing", T0),
    transition({ ...HOT, host: "db2" }, "firing", T0),
  ]);
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(hook).map((b) => b.groupKey).sort(), [
    '{}:{alertname="HighLatency", host="db1"}',
    '{}:{alertname="HighLatency", host="db2"}',
  ]);
  await using hook2 = webhookServer();
  const all = notifierFor(hook2.url, { group_by: ["..."] });
  all.handle([transition(HOT, "firing", T0)]);
  await all.idle();
  await all.close();
  assert.deepEqual(bodies(hook2)[0]?.groupLabels, HOT);
});

Deno.test("child routes pick the receiver by matchers; continue lets the next sibling match too", async () => {
  await using ops = webhookServer();
  await using pager = webhookServer();
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: ops.url }, { name: "pager", webhook: pager.url }],
    route: {
      receiver: "ops",
      routes: [
        { matchers: ['severity="critical"'], receiver: "pager", continue: true },
        { matchers: ['host=~"db.*"'], receiver: "ops", group_by: ["host"] },
      ],
    },
    now: () => T0,
    tickMs: 0,
    log: () => {},
  });
  notifier.handle([
    transition({ ...HOT, severity: "critical" }, "firing", T0),
    transition({ ...HOT, alertname: "Other", host: "web1" }, "firing", T0),
  ]);
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(pager).map((b) => b.groupKey), [
    '{}/{severity="critical"}:{alertname="HighLatency"}',
  ]);
  assert.deepEqual(bodies(ops).map((b) => b.groupKey).sort(), [
    '{}/{host=~"db.*"}:{host="db1"}',
    '{}:{alertname="Other"}',
  ]);
});

Deno.test("a rule that names a receiver sends only there, past the route tree; other rules follow the route", async () => {
  await using ops = webhookServer();
  await using pager = webhookServer();
  const logged: string[] = [];
  const own: Record<string, string> = { HighLatency: "pager", Gone: "nobody" };
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: ops.url }, { name: "pager", webhook: pager.url }],
    // the child route would take HighLatency to ops: the rule's receiver wins
    route: { receiver: "ops", routes: [{ matchers: ['host="db1"'], receiver: "ops" }] },
    ruleReceiver: (rule) => own[rule],
    now: () => T0,
    tickMs: 0,
    log: (line) => logged.push(line),
  });
  notifier.handle([
    transition(HOT, "firing", T0),
    transition({ ...HOT, alertname: "Other" }, "firing", T0),
    transition({ ...HOT, alertname: "Gone" }, "firing", T0),
  ]);
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(pager).map((b) => [b.receiver, b.groupKey]), [
    ["pager", '{}/rule:pager:{alertname="HighLatency"}'],
  ]);
  assert.deepEqual(bodies(ops).map((b) => b.groupKey).sort(), [
    '{}/{host="db1"}:{alertname="Gone"}',
    '{}/{host="db1"}:{alertname="Other"}',
  ]);
  assert.deepEqual(logged, [
    'Rule Gone names receiver "nobody", not loaded: its alerts follow the route',
  ]);
});

Deno.test("a resolution goes where its alert fired, even after the rule's receiver changed", async () => {
  await using ops = webhookServer();
  await using pager = webhookServer();
  const clock = { now: T0 };
  let own: string | undefined = "pager";
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: ops.url }, { name: "pager", webhook: pager.url }],
    route: { receiver: "ops", group_interval: 1000 },
    ruleReceiver: () => own,
    now: () => clock.now,
    tickMs: 0,
    log: () => {},
  });
  notifier.handle([transition(HOT, "firing", T0)]);
  await notifier.idle();
  own = undefined; // the rule was reloaded without its receiver
  clock.now = T0 + 5000;
  notifier.handle([transition(HOT, "resolved", T0 + 5000, { firedAt: T0 })]);
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(pager).map((b) => b.status), ["firing", "resolved"]);
  assert.equal(ops.received.length, 0);
});

Deno.test("an inhibition mutes the warning while a critical alert on the same host fires", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = notifierFor(hook.url, {
    group_by: ["alertname", "host"],
    group_interval: 10_000,
  }, {
    clock,
    inhibitRules: [{
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ["host"],
    }],
  });
  const down = { alertname: "HostDown", severity: "critical", host: "db1" };
  notifier.handle([transition(down, "firing", T0)]);
  notifier.handle([
    transition({ ...HOT, host: "db1" }, "firing", T0),
    transition({ ...HOT, host: "db2" }, "firing", T0),
  ]);
  await notifier.idle();
  assert.deepEqual(
    bodies(hook).map((b) => b.alerts[0]?.labels.host + " " + b.groupLabels.alertname).sort(),
    [
      "db1 HostDown",
      "db2 HighLatency",
    ],
  );
  assert.deepEqual(notifier.inhibitedBy({ ...HOT, host: "db1" }), [fingerprintOf(down)]);
  // the source resolves: the muted warning is notified at its group's next interval
  clock.now = T0 + 5000;
  notifier.handle([transition(down, "resolved", clock.now, { firedAt: T0 })]);
  clock.now = T0 + 10_000;
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  const late = bodies(hook).slice(2).map((b) => `${b.status} ${b.groupKey}`).sort();
  assert.deepEqual(late, [
    'firing {}:{alertname="HighLatency", host="db1"}',
    'resolved {}:{alertname="HostDown", host="db1"}',
  ]);
});

Deno.test("a silence mutes matching alerts until it expires; the file survives a restart", async () => {
  await using hook = webhookServer();
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-" });
  const clock = { now: T0 };
  const silences = await SilenceStore.open(root, { now: () => clock.now });
  const silence = await silences.create({
    matchers: [{ name: "host", op: "=~", value: "db1|db3" }, {
      name: "severity",
      op: "!=",
      value: "critical",
    }],
    endsAt: T0 + 3_600_000,
    createdBy: "test",
    comment: "maintenance",
  });
  const notifier = notifierFor(hook.url, { group_by: ["host"], group_interval: 10_000 }, {
    clock,
    silences,
  });
  notifier.handle([
    transition({ ...HOT, host: "db1" }, "firing", T0),
    transition({ ...HOT, host: "db2" }, "firing", T0),
  ]);
  await notifier.idle();
  assert.deepEqual(bodies(hook).map((b) => b.groupLabels.host), ["db2"]);
  const reopened = await SilenceStore.open(root, { now: () => clock.now });
  assert.deepEqual(reopened.silencedBy({ ...HOT, host: "db1" }), [silence.id]);
  // appended to the log, one line per change
  assert.equal((await Deno.readTextFile(`${root}/alerts/silences.log`)).split("\n").length, 2);
  clock.now = T0 + 20_000;
  await silences.expire(silence.id);
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(hook).map((b) => b.groupLabels.host), ["db2", "db1"]);
  assert.equal(silences.list()[0]?.state, "expired");
  assert.deepEqual([...Deno.readDirSync(`${root}/alerts`)].map((e) => e.name), ["silences.log"]);
});

Deno.test("a silence that would mute every alert, or ends before it starts, is refused", async () => {
  const store = await SilenceStore.open(undefined, { now: () => T0 });
  await assert.rejects(
    () => store.create({ matchers: [{ name: "host", op: "=~", value: ".*" }], endsAt: T0 + 1 }),
    /Silence would mute every alert: host=~".\*" accepts every alert without a label host/,
  );
  await assert.rejects(
    () => store.create({ matchers: [], endsAt: T0 + 1 }),
    /at least one matcher/,
  );
  await assert.rejects(
    () => store.create({ matchers: [{ name: "host", op: "=", value: "a" }], endsAt: T0 - 1 }),
    /must end after it starts/,
  );
  await assert.rejects(
    () => store.create({ matchers: [{ name: "host", op: "=~", value: "(" }], endsAt: T0 + 1 }),
    /Invalid regular expression "\("/,
  );
  assert.equal(await store.expire("nope"), undefined);
});

Deno.test("the rate limit holds notifications back, counts and logs them, and lets them out later", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const lines: string[] = [];
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: hook.url, rate_limit: { count: 2, per: 60_000 } }],
    route: { receiver: "ops", group_by: ["host"], group_interval: 30_000 },
    now: () => clock.now,
    tickMs: 0,
    log: (l) => lines.push(l),
  });
  notifier.handle(
    ["a", "b", "c", "d", "e"].map((h) => transition({ ...HOT, host: h }, "firing", T0)),
  );
  await notifier.idle();
  assert.equal(hook.received.length, 2);
  assert.equal(notifier.stats().ops?.rateLimited, 3);
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^notify: receiver ops over its rate limit \(2 per 60000 ms\)/);
  clock.now = T0 + 30_000; // one token back
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 3);
  clock.now = T0 + 120_000;
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(hook).map((b) => b.groupLabels.host).sort(), ["a", "b", "c", "d", "e"]);
});

Deno.test("handle() returns while the receiver hangs, and a full queue drops the oldest notification", async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  await using hook = webhookServer(() => gate);
  const notifier = notifierFor(hook.url, { group_by: ["host"] }, { queueSize: 2 });
  try {
    const hosts = Array.from({ length: 6 }, (_, i) => `h${i}`);
    for (const h of hosts) notifier.handle([transition({ ...HOT, host: h }, "firing", T0)]);
    // sending starts after the caller's turn: by then the queue holds the last two
    assert.equal(hook.received.length, 0);
    assert.equal(notifier.stats().ops?.dropped, 4);
    await hook.waitFor(1);
    notifier.handle([transition({ ...HOT, host: "h6" }, "firing", T0)]);
    assert.equal(notifier.stats().ops?.dropped, 4, "one is being sent, one waits: room for h6");
  } finally {
    release();
  }
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(bodies(hook).map((b) => b.groupLabels.host), ["h4", "h5", "h6"]);
});

Deno.test("pending and nodata changes notify nothing; a resolve never announced as firing is not sent", async () => {
  await using hook = webhookServer();
  const notifier = notifierFor(hook.url);
  notifier.handle([
    transition(HOT, "pending", T0, { from: "inactive" }),
    transition(HOT, "inactive", T0 + 1, { from: "pending" }),
    transition(HOT, "nodata", T0 + 2, { from: "inactive" }),
    transition({ ...HOT, host: "x" }, "resolved", T0 + 3),
  ]);
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  assert.equal(hook.received.length, 0);
});

Deno.test("a route naming an undefined receiver is refused when the notifier is built", () => {
  assert.throws(
    () => new Notifier({ receivers: [], route: { receiver: "ghost" }, tickMs: 0 }),
    /Unknown receiver "ghost" in route \{\}/,
  );
});

Deno.test("after a restart, resumed firing alerts are not announced again, but their resolution is sent", async () => {
  await using hook = webhookServer();
  const clock = { now: T0 };
  const notifier = notifierFor(hook.url, { group_interval: 10_000 }, { clock });
  const firing = transition(HOT, "firing", T0 - 3_600_000).instance;
  notifier.resume([firing, transition({ ...HOT, host: "db9" }, "pending", T0).instance]);
  notifier.tick();
  await notifier.idle();
  assert.equal(hook.received.length, 0);
  clock.now = T0 + 5000;
  notifier.handle([transition(HOT, "resolved", clock.now, { firedAt: T0 - 3_600_000 })]);
  clock.now = T0 + 10_000;
  notifier.tick();
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(
    bodies(hook).map((b) => [b.status, b.alerts[0]?.startsAt, b.alerts[0]?.endsAt]),
    [["resolved", "2023-12-31T23:00:00.000Z", "2024-01-01T00:00:05.000Z"]],
  );
});

Deno.test("a receiver's headers go with every request, and generatorURL is the caller's", async () => {
  await using hook = webhookServer();
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: hook.url, headers: { Authorization: "Bearer s3cret" } }],
    route: { receiver: "ops" },
    now: () => T0,
    tickMs: 0,
    generatorURL: (a) => `http://perf.example/explore?host=${a.labels.host}`,
    log: () => {},
  });
  notifier.handle([transition(HOT, "firing", T0)]);
  await notifier.idle();
  await notifier.close();
  assert.equal(hook.received[0]?.headers.get("authorization"), "Bearer s3cret");
  assert.equal(bodies(hook)[0]?.alerts[0]?.generatorURL, "http://perf.example/explore?host=db1");
});

Deno.test("max_alerts lists that many alerts and counts the rest in truncatedAlerts", async () => {
  await using hook = webhookServer();
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: hook.url, max_alerts: 2 }],
    route: { receiver: "ops" },
    now: () => T0,
    tickMs: 0,
    log: () => {},
  });
  notifier.handle(
    ["a", "b", "c", "d", "e"].map((h) => transition({ ...HOT, host: h }, "firing", T0)),
  );
  await notifier.idle();
  await notifier.close();
  const [body] = bodies(hook);
  assert.equal(body?.alerts.length, 2);
  assert.equal(body?.truncatedAlerts, 3);
  assert.deepEqual(body?.commonLabels, {
    alertname: "HighLatency",
    severity: "warning",
    service: "api",
  });
});
