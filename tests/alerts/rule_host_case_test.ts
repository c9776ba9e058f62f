import assert from "node:assert/strict";
import { AlertEngine, compileRule, ruleMatches } from "../../alerts/mod.ts";

Deno.test("A rule naming host Web1 matches the series of web1, as the lake stores host names", () => {
  const byHost = compileRule({ alert: "Load", metric: "load", above: 1, host: "Web1" });
  assert.equal(ruleMatches(byHost, "web1", {}), true);
  assert.equal(ruleMatches(byHost, "web2", {}), false);
  const byLabel = compileRule({
    alert: "Load",
    metric: "load",
    above: 1,
    labels: { host: "WEB1" },
  });
  assert.equal(ruleMatches(byLabel, "web1", {}), true);
});

Deno.test("An alert's host label is lower case when extra_labels or a SQL rule's row spell it otherwise", async () => {
  const engine = new AlertEngine([
    { alert: "Load", metric: "load", above: 1, extra_labels: { host: "Web1", team: "Ops" } },
    { alert: "Disk", kind: "sql", sql: "SELECT 1", above: 90 },
  ], { query: () => Promise.resolve([{ host: "WEB1", disk: "SDA", used: 95 }]) });
  engine.observe({ ts: [0], host: ["web2"], metric: ["load"], labels: [""], value: [5] });
  engine.evaluate(0);
  await engine.settle();
  engine.evaluate(1000);
  const labels = Object.fromEntries(engine.instances().map((i) => [i.rule, i.labels]));
  // host only: other labels keep their case, as everywhere else
  assert.deepEqual(labels.Load, {
    host: "web1",
    team: "Ops",
    alertname: "Load",
    severity: "warning",
  });
  assert.deepEqual(labels.Disk, {
    host: "web1",
    disk: "SDA",
    alertname: "Disk",
    severity: "warning",
  });
  engine.close();
});
