import assert from "node:assert/strict";
import { formatLabels, parseLabels } from "../../labels/mod.ts";
import * as collectors from "../../collectors/mod.ts";

Deno.test("formatLabels() sorts keys, joins k=v by commas and escapes \\ , = in names and values", () => {
  assert.equal(formatLabels({}), "");
  assert.equal(formatLabels({ mode: "user", cpu: "0" }), "cpu=0,mode=user");
  assert.equal(formatLabels({ "a=b": "c,d", e: "f\\g" }), "a\\=b=c\\,d,e=f\\\\g");
  assert.equal(formatLabels({ k: "" }), "k=");
});

Deno.test("parseLabels() reads back what formatLabels() wrote, also with escapes", () => {
  const cases = [{}, { cpu: "0" }, { "a=b": "c,d", e: "f\\g", z: "" }, { "ü": "日本", "\\": "=" }];
  for (const labels of cases) assert.deepEqual(parseLabels(formatLabels(labels)), labels);
  assert.throws(() => parseLabels("cpu"), SyntaxError);
});

Deno.test("the collectors' formatLabels and parseLabels are the ones of labels/", () => {
  assert.equal(collectors.formatLabels, formatLabels);
  assert.equal(collectors.parseLabels, parseLabels);
});
