import assert from "node:assert/strict";
import { compileMatcher, Notifier, parseMatcher, SilenceStore } from "../../alerts/mod.ts";
import { fingerprintOf, T0, transition, webhookServer } from "./_webhook.ts";

// Alerts carry host names as the lake stores them, in lower case (lake canonicalHost).

Deno.test("parseMatcher() folds the value of a host =/!= matcher to lower case, not a regex or another label", () => {
  assert.deepEqual(parseMatcher('host="Web1"'), { name: "host", op: "=", value: "web1" });
  assert.deepEqual(parseMatcher("host!=WEB1"), { name: "host", op: "!=", value: "web1" });
  // a regex is not folded (\W is not \w): it matches case-insensitively instead
  assert.deepEqual(parseMatcher("host=~Web\\W.*"), { name: "host", op: "=~", value: "Web\\W.*" });
  assert.deepEqual(parseMatcher('service="API"'), { name: "service", op: "=", value: "API" });
});

Deno.test("a host matcher matches the host whatever the case on either side; other labels compare exactly", () => {
  const eq = compileMatcher({ name: "host", op: "=", value: "Web1" });
  assert.equal(eq.test({ host: "web1" }), true);
  assert.equal(eq.test({ host: "WEB1" }), true);
  assert.equal(eq.test({ host: "web2" }), false);
  const ne = compileMatcher({ name: "host", op: "!=", value: "Web1" });
  assert.equal(ne.test({ host: "web1" }), false);
  assert.equal(ne.test({ host: "web2" }), true);
  const re = compileMatcher({ name: "host", op: "=~", value: "Web[0-9]+" });
  assert.equal(re.test({ host: "web12" }), true);
  assert.equal(re.test({ host: "db1" }), false);
  const nre = compileMatcher({ name: "host", op: "!~", value: "WEB.*" });
  assert.equal(nre.test({ host: "web1" }), false);
  assert.equal(nre.test({ host: "db1" }), true);
  assert.equal(
    compileMatcher({ name: "service", op: "=", value: "API" }).test({ service: "api" }),
    false,
  );
  assert.equal(
    compileMatcher({ name: "service", op: "=~", value: "API" }).test({ service: "api" }),
    false,
  );
});

Deno.test("a silence for host Web1 is stored as web1 and mutes web1; one stored before with Web1 still does", async () => {
  const root = await Deno.makeTempDir({ prefix: "perfscope-silence-host-" });
  const now = () => 1000;
  const silences = await SilenceStore.open(root, { now });
  const made = await silences.create({
    matchers: [{ name: "host", op: "=", value: "Web1" }],
    endsAt: 5000,
  });
  assert.deepEqual(made.matchers, [{ name: "host", op: "=", value: "web1" }]);
  assert.deepEqual(silences.silencedBy({ host: "web1" }), [made.id]);
  const record = JSON.parse(await Deno.readTextFile(`${root}/alerts/silences.log`));
  assert.equal(record.matchers[0].value, "web1");
  // a file written before host names were folded (and before the log)
  record.matchers[0].value = "Web1";
  await Deno.remove(`${root}/alerts/silences.log`);
  await Deno.writeTextFile(`${root}/alerts/silences.json`, JSON.stringify({ silences: [record] }));
  const old = await SilenceStore.open(root, { now });
  assert.deepEqual(old.silencedBy({ host: "web1" }), [made.id]);
  assert.deepEqual(old.silencedBy({ host: "web2" }), []);
});

Deno.test("routes and inhibit rules naming host DB1 apply to the alerts of db1", async () => {
  await using ops = webhookServer();
  await using dba = webhookServer();
  const notifier = new Notifier({
    receivers: [{ name: "ops", webhook: ops.url }, { name: "dba", webhook: dba.url }],
    route: { receiver: "ops", routes: [{ receiver: "dba", matchers: ['host="DB1"'] }] },
    inhibitRules: [{
      source_matchers: ['severity="critical"', 'host=~"DB.*"'],
      target_matchers: ['severity="warning"', 'host!="DB2"'],
      equal: ["host"],
    }],
    now: () => T0,
    tickMs: 0,
    log: () => {},
  });
  const down = { alertname: "HostDown", severity: "critical", host: "db1" };
  const slow = { alertname: "SlowDisk", severity: "warning", host: "db1" };
  notifier.handle([transition(down, "firing", T0)]);
  await notifier.idle();
  await notifier.close();
  assert.deepEqual(ops.received.length, 0);
  assert.deepEqual(dba.received.length, 1);
  assert.deepEqual(notifier.inhibitedBy(slow), [fingerprintOf(down)]);
  assert.deepEqual(notifier.inhibitedBy({ ...slow, host: "db2" }), []);
});
