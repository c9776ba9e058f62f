import assert from "node:assert/strict";
import { createSampler } from "../../collectors/create_sampler.ts";
import { find, registryProblems } from "./_util.ts";

const linux = Deno.build.os === "linux";

Deno.test({
  name: "createSampler() samples this machine's real /proc and /sys",
  ignore: !linux,
  async fn() {
    using sampler = createSampler();
    sampler.sample();
    await new Promise((resolve) => setTimeout(resolve, 250));
    const s = sampler.sample();
    assert.deepEqual(registryProblems(s), []);
    const memTotal = Number(Deno.readTextFileSync("/proc/meminfo").match(/^MemTotal:\s+(\d+)/)![1]);
    assert.equal(find(s, "memory_bytes", { state: "total" })!.value, memTotal * 1024);
    for (const r of s.filter((x) => x.metric === "cpu_ratio")) {
      assert.ok(Number.isNaN(r.value) || (r.value >= 0 && r.value <= 1), JSON.stringify(r));
    }
    assert.ok(s.some((x) => x.metric === "process_cpu_ratio" && x.labels.rank_by === "cpu"));
    assert.ok(find(s, "perfscope_event_loop_delay_ms")!.value >= 0);
    assert.ok(find(s, "processes_total")!.value >= 1);
    assert.ok(s.length >= 100, `only ${s.length} series`);
  },
});
