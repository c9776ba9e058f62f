import assert from "node:assert/strict";
import { metricInfo, registry } from "../../collectors/registry.ts";

Deno.test("registry has unique names, sorted label names and a known kind", () => {
  const names = registry.map((m) => m.name);
  assert.equal(new Set(names).size, names.length);
  for (const m of registry) {
    assert.match(m.name, /^[a-z][a-z0-9_]*$/);
    assert.deepEqual([...m.labels], [...m.labels].sort());
    assert.ok(m.kind === "gauge" || m.kind === "rate");
    assert.ok(m.help.length > 0 && m.unit.length > 0);
    if (m.name.endsWith("_per_second")) assert.equal(m.kind, "rate");
  }
});

Deno.test("metricInfo() finds the architecture's metrics and nothing else", () => {
  assert.deepEqual(metricInfo("process_rss_bytes")?.labels, ["command", "name", "pid", "rank_by"]);
  assert.deepEqual(metricInfo("filesystem_inodes_free")?.labels, [
    "device",
    "fstype",
    "mountpoint",
  ]);
  assert.equal(metricInfo("pressure_stall_ratio")?.kind, "rate");
  assert.equal(metricInfo(""), undefined);
  assert.throws(() => (registry as unknown as unknown[]).push(1), TypeError);
});
