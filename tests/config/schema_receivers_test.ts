import assert from "node:assert/strict";
import { checkReceiverNames, parseConfig } from "../../config/mod.ts";
import { configError as fails } from "../_config_error.ts";

const GOOD = `receivers:
  - name: ops
    webhook: http://127.0.0.1:9095/hook
    headers: {Authorization: Bearer x}
    timeout: 2s
    rate_limit: {count: 10, per: 1m}
  - name: am
    alertmanager: http://127.0.0.1:9093
route:
  receiver: ops
  group_by: [alertname, host]
  group_wait: 0s
  group_interval: 30s
  repeat_interval: 4h
  routes:
    - matchers: ['severity="critical"', 'host=~"db.*"']
      receiver: am
      continue: true
inhibit_rules:
  - source_matchers: ['severity="critical"']
    target_matchers: ['severity="warning"']
    equal: [host]
`;

Deno.test("parseConfig() reads receivers, a route tree and inhibit rules with durations in ms", () => {
  const config = parseConfig(GOOD);
  assert.equal(config.receivers?.[0]?.timeout, 2000);
  assert.deepEqual(config.receivers?.[0]?.rate_limit, { count: 10, per: 60_000 });
  assert.equal(config.route?.group_wait, 0);
  assert.equal(config.route?.repeat_interval, 14_400_000);
  assert.equal(config.route?.routes?.[0]?.receiver, "am");
  assert.deepEqual(config.inhibit_rules?.[0]?.equal, ["host"]);
});

Deno.test("an unknown receiver in a child route is an error at its line and column with the key path", () => {
  const text = GOOD.replace("receiver: am", "receiver: pager");
  assert.equal(
    fails(text),
    'perfscope.yaml:17:17: route.routes[0].receiver: unknown receiver "pager" (defined: ops, am)',
  );
});

Deno.test("an unknown receiver named by a rule is reported at the rule's receiver key", () => {
  // the rules schema belongs to the alerts engine; the check reads any rules[i].receiver
  const issues: { path?: PropertyKey[]; message?: string }[] = [];
  const ctx = { addIssue: (issue: unknown) => issues.push(issue as (typeof issues)[0]) };
  checkReceiverNames(
    {
      receivers: [{ name: "ops" }],
      route: { receiver: "ops" },
      rules: [{ alert: "A" }, { alert: "B", receiver: "nobody" }],
    },
    ctx as unknown as Parameters<typeof checkReceiverNames>[1],
  );
  assert.deepEqual(issues.map((i) => [i.path, i.message]), [
    [["rules", 1, "receiver"], 'unknown receiver "nobody" (defined: ops)'],
  ]);
});

Deno.test("a rule's receiver key is read, and an unknown one is an error at its line and column", () => {
  const rules = (name: string) =>
    `${GOOD}rules:\n  - alert: Slow\n    metric: m\n    above: 1\n    receiver: ${name}\n`;
  assert.equal(parseConfig(rules("am")).rules?.[0]?.receiver, "am");
  assert.equal(
    fails(rules("pager")),
    'perfscope.yaml:27:15: rules[0].receiver: unknown receiver "pager" (defined: ops, am)',
  );
});

Deno.test("receivers refuse a bad URL, both kinds at once, a bad matcher and a duplicate name", () => {
  assert.match(
    fails("receivers:\n  - name: a\n    webhook: ftp://x\nroute: {receiver: a}\n"),
    /^perfscope.yaml:3:14: receivers\[0\].webhook: must be an http:\/\/ or https:\/\/ URL$/,
  );
  assert.match(
    fails(
      "receivers:\n  - name: a\n    webhook: http://x/\n    alertmanager: http://y/\nroute: {receiver: a}\n",
    ),
    /^perfscope.yaml:2:5: receivers\[0\]: give exactly one of webhook or alertmanager$/,
  );
  assert.match(
    fails(GOOD.replace(`'host=~"db.*"'`, `'host=~"db(("'`)),
    /^perfscope.yaml:16:41: route.routes\[0\].matchers\[1\]: invalid regular expression "db\(\(": Unterminated group$/,
  );
  assert.match(
    fails(GOOD.replace("name: am", "name: ops")),
    /^perfscope.yaml:7:\d+: receivers\[1\].name: duplicate receiver "ops"$/,
  );
});

Deno.test("a route needs a receiver at the top, receivers need a route, and durations are checked", () => {
  assert.match(
    fails("receivers:\n  - name: a\n    webhook: http://x/\n"),
    /receivers: receivers need a route/,
  );
  assert.match(
    fails("receivers:\n  - name: a\n    webhook: http://x/\nroute: {group_by: [x]}\n"),
    /^perfscope.yaml:4:8: route: the top route needs a receiver$/,
  );
  assert.match(
    fails(
      "receivers:\n  - name: a\n    webhook: http://x/\nroute: {receiver: a, group_interval: 0s}\n",
    ),
    /route.group_interval: must be greater than zero/,
  );
  assert.match(
    fails(
      "receivers:\n  - name: a\n    webhook: http://x/\nroute: {receiver: a, group_wait: soon}\n",
    ),
    /route.group_wait: invalid duration "soon"/,
  );
  assert.match(
    fails("receivers:\n  - name: a\n    webhook: http://x/\nroute: {receiver: a, grup_by: [x]}\n"),
    /unknown key "grup_by" in route/,
  );
});

Deno.test("the commented notifications block of examples/perfscope.yaml validates once uncommented", async () => {
  const text = await Deno.readTextFile(new URL("../../examples/perfscope.yaml", import.meta.url));
  const end = text.indexOf("\n# Workflows", text.indexOf("# receivers:"));
  const block = text.slice(text.indexOf("# receivers:"), end < 0 ? undefined : end).split("\n")
    .map((line) => line.replace(/^# ?/, "")).join("\n");
  const config = parseConfig(block);
  assert.deepEqual(config.receivers?.map((r) => r.name), ["ops", "am"]);
  assert.equal(config.route?.routes?.[0]?.receiver, "am");
  assert.equal(config.inhibit_rules?.length, 1);
});

Deno.test("the README's Notifications example validates", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const section = readme.slice(readme.indexOf("### Notifications"));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
  const config = parseConfig(yaml, "README.md");
  assert.equal(config.route?.receiver, "ops");
  assert.equal(config.receivers?.[1]?.alertmanager, "http://127.0.0.1:9093");
});
