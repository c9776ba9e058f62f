import assert from "node:assert/strict";
import { ConfigError, parseConfig } from "../../config/mod.ts";
import { exampleServicesBlock } from "../_example_services_block.ts";

Deno.test("parseConfig() reads the example's services and dashboards once uncommented", async () => {
  const config = parseConfig(await exampleServicesBlock());
  assert.deepEqual(config.services, [{
    name: "api",
    labels: { service: "api" },
    apdex: 0.3,
    slo: 0.999,
    cache: { hits: "cache_hits_per_second", misses: "cache_misses_per_second" },
  }]);
  const [d] = config.dashboards!;
  assert.equal(d!.name, "api");
  assert.deepEqual(d!.panels.map((p) => p.kind ?? "line"), [
    "area",
    "line",
    "number",
    "bar",
    "table",
  ]);
  assert.deepEqual(d!.panels[1]!.thresholds, [0.3, 1]);
  assert.match(d!.panels[3]!.sql!, /^SELECT time_bucket/);
});

const bad: [string, RegExp][] = [
  ["services:\n  - name: api\n    apdex: fast\n", /services\[0\]\.apdex: invalid duration "fast"/],
  ["services:\n  - name: api\n    slo: 1\n", /services\[0\]\.slo: must be below 1, got 1/],
  ["services:\n  - name: a\n  - name: a\n", /duplicate service a/],
  ["dashboards:\n  - name: x\n    panels: []\n", /needs at least one panel/],
  ["dashboards:\n  - name: a b\n    panels: [{title: t, metric: m}]\n", /use letters, digits/],
  ["dashboards:\n  - name: x\n    panels: [{title: t}]\n", /give either metric or sql/],
  [
    "dashboards:\n  - name: x\n    panels: [{title: t, metric: m, sql: SELECT 1}]\n",
    /give either metric or sql/,
  ],
  ["dashboards:\n  - name: x\n    panels: [{title: t, metric: m, kind: pie}]\n", /kind/],
  [
    "dashboards:\n  - name: x\n    panels: [{title: t, metric: m}]\n  - name: x\n    panels: [{title: t, metric: m}]\n",
    /duplicate dashboard x/,
  ],
];

for (const [text, message] of bad) {
  Deno.test(`parseConfig() refuses ${JSON.stringify(text.split("\n").slice(-2)[0]!.trim())} with a clear error`, () => {
    assert.throws(() => parseConfig(text, "x.yaml"), (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, message);
      return true;
    });
  });
}

Deno.test("parseConfig() reads a panel's range as a duration and refuses a bad one", () => {
  const ok = parseConfig(
    "dashboards:\n  - name: x\n    panels: [{title: t, metric: m, range: 1h}]\n",
  );
  assert.equal(ok.dashboards![0]!.panels[0]!.range, 3_600_000);
  assert.throws(
    () =>
      parseConfig("dashboards:\n  - name: x\n    panels: [{title: t, metric: m, range: soon}]\n"),
    /dashboards\[0\]\.panels\[0\]\.range: /,
  );
});
