import assert from "node:assert/strict";
import { createFallbackSampler } from "../../collectors/create_fallback_sampler.ts";
import { inventory } from "../../collectors/inventory.ts";
import { find, registryProblems } from "./_util.ts";

Deno.test("inventory() describes this machine", async () => {
  const inv = await inventory();
  assert.equal(inv.cores, navigator.hardwareConcurrency);
  assert.equal(inv.platform, Deno.build.os);
  assert.ok(inv.memoryBytes > 0 && inv.kernel.length > 0);
  assert.ok(Array.isArray(inv.disks));
});

Deno.test("createFallbackSampler() emits registered metrics with rates on the second snapshot", async () => {
  let clock = 1000;
  const sampler = createFallbackSampler({ host: "fb", topN: 2, now: () => clock });
  const a = await sampler.sample();
  clock = 2000;
  const b = await sampler.sample();
  assert.deepEqual(registryProblems([...a, ...b]), []);
  assert.ok(b.every((s) => s.host === "fb" && s.ts === 2000));
  const lo = find(b, "network_receive_bytes_per_second", { interface: "lo" });
  if (lo) assert.ok(lo.value >= 0);
  assert.equal(b.filter((s) => s.metric === "process_rss_bytes").length, 4);
  const total = find(b, "cpu_ratio", { cpu: "total", mode: "idle" })!.value;
  assert.ok(total >= 0 && total <= 1);
  assert.throws(() => createFallbackSampler({ topN: -1 }), RangeError);
});
