import assert from "node:assert/strict";
import { SilenceStore } from "../../alerts/mod.ts";
import { compileMatchers } from "../../alerts/notify/matchers.ts";
import { silenceBreadthProblem } from "../../alerts/notify/silence_breadth.ts";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 11, 7);

Deno.test("silenceBreadthProblem() refuses matchers that accept every alert and names each one", () => {
  const refused: [string[], RegExp][] = [
    [['alertname=~".+"'], /alertname=~".\+" accepts every alertname \(every alert has one\)/],
    [['alertname!=""'], /alertname!="" accepts every alertname/],
    [['alertname=~"[A-Za-z_][A-Za-z0-9_]*"'], /accepts every alertname/],
    [['alertname=~"\\\\w+"'], /accepts every alertname/], // \\ in the text is one \ in the value
    [['alertname!~"HighCPU"'], /matches the empty value \(refused as Alertmanager does\)/],
    [['severity=~"critical|warning|info"'], /accepts every severity/],
    [['severity!="page"'], /accepts every severity/],
    [['host=~".*"'], /host=~".\*" accepts every alert without a label host/],
    [['env!="prod"'], /accepts every alert without a label env/],
    // every one is broad: alertname for all, env!="prod" for every alert without env=prod
    [['alertname=~".+"', 'env!="prod"'], /alertname=~".\+" accepts .*; env!="prod" accepts/],
    [['alertname=~".+"', 'severity=~".+"'], /alertname.*; severity=~".\+" accepts every severity/],
  ];
  for (const [texts, why] of refused) {
    const problem = silenceBreadthProblem(compileMatchers(texts)) ?? "";
    assert.match(problem, /^Silence would mute every alert: /, texts.join(", "));
    assert.match(problem, why, texts.join(", "));
  }
  const accepted = [
    ['alertname=~".+"', 'host="db1"'],
    ['alertname=~"High.*"'],
    ['alertname=~"[A-Z].*"'], // rule names may start in lower case or with _
    ['alertname!="HighCPU"', 'host=~"db.*"'],
    ['severity=~"critical|warning"'],
    ['severity="critical"'],
    ['host=~".+"'], // SQL and absence rules' alerts may carry no host
    ['env!=""'],
    ['alertname="DiskFull"'],
  ];
  for (const texts of accepted) {
    assert.equal(silenceBreadthProblem(compileMatchers(texts)), undefined, texts.join(", "));
  }
});

Deno.test("SilenceStore.create() refuses too broad matchers and an end more than 365 days ahead", async () => {
  const store = await SilenceStore.open(undefined, { now: () => T0 });
  const name = { name: "alertname", op: "=~" as const, value: ".+" };
  await assert.rejects(
    () => store.create({ matchers: [name], endsAt: T0 + DAY }),
    /^RangeError: Silence would mute every alert: alertname=~".\+"/,
  );
  const host = { name: "host", op: "=" as const, value: "db1" };
  await assert.rejects(
    () => store.create({ matchers: [host], endsAt: T0 + 365 * DAY + 1 }),
    /must end within 365 days from now: this one ends 2027-12-07T00:00:00.001Z/,
  );
  await assert.rejects(
    () => store.create({ matchers: [host], endsAt: T0 + 300 * 365 * DAY }),
    /must end within 365 days from now: this one ends 2326-/,
  );
  await assert.rejects(
    () => store.create({ matchers: [host], endsAt: 1e300 }),
    /must end within 365 days from now: this one never ends/,
  );
  // starting later does not stretch the cap: the end is counted from now
  await assert.rejects(
    () => store.create({ matchers: [host], startsAt: T0 + 200 * DAY, endsAt: T0 + 400 * DAY }),
    /within 365 days/,
  );
  const year = await store.create({ matchers: [host, name], endsAt: T0 + 365 * DAY });
  assert.equal(year.endsAt, T0 + 365 * DAY);
  assert.deepEqual(store.silencedBy({ alertname: "X", host: "db1" }), [year.id]);
  assert.deepEqual(store.silencedBy({ alertname: "X", host: "db2" }), []);
  assert.equal(store.list().length, 1);
});
