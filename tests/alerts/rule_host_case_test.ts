import assert from "node:assert/strict";
import { compileRule, ruleMatches } from "../../alerts/mod.ts";

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
