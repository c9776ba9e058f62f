import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { analyzeCapacity } from "../../analytics/capacity/capacity_analysis.ts";
import { findResources } from "../../analytics/capacity/bottleneck_resources.ts";

const DAY = 86_400_000;
const START = Date.UTC(2024, 0, 1);
const STEP = 600_000;
const GiB = 2 ** 30;

/**
 * A host whose postgresql.service grows from 50 % to 90 % of its 1 GiB memory.max over 7 days,
 * a container at 1.9 of its 2-core quota, and nginx with no limits.
 */
function cgroupLake(): string {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-cgcap-" });
  const rows = [];
  for (let ts = START, i = 0; ts < START + 7 * DAY; ts += STEP, i++) {
    const f = (ts - START) / (7 * DAY);
    const row = (metric: string, labels: string, value: number) => ({
      ts,
      host: "db1",
      metric,
      labels,
      value,
    });
    rows.push(
      row("cgroup_memory_bytes", "cgroup=postgresql.service,state=current", (0.5 + 0.4 * f) * GiB),
      row("cgroup_memory_bytes", "cgroup=postgresql.service,state=max", GiB),
      row("cgroup_cpu_ratio", "cgroup=postgresql.service", 0.2),
      row("cgroup_cpu_ratio", "cgroup=4f3a9c0e5b7d", 1.5 + 0.4 * f + (i % 2) * 0.01),
      row("cgroup_cpu_limit_cores", "cgroup=4f3a9c0e5b7d", 2),
      row("cgroup_memory_bytes", "cgroup=nginx.service,state=current", 100e6 + f * 1e6),
      row("cgroup_cpu_ratio", "cgroup=nginx.service", 0.1),
    );
  }
  writeSamples(rows, { root, id: 1 });
  return root;
}

Deno.test("findResources() finds cgroups with a memory.max or CPU quota, and leaves unlimited ones out", async () => {
  const lake = await openLake({ root: cgroupLake() });
  try {
    const found = await findResources(lake, { now: START + 7 * DAY });
    const cg = found.filter((r) => r.kind.startsWith("cgroup_"));
    assert.deepEqual(
      cg.map((r) => [r.kind, r.labels, r.limit]).sort(),
      [
        ["cgroup_cpu", "cgroup=4f3a9c0e5b7d", 2],
        ["cgroup_memory", "cgroup=postgresql.service,state=current", GiB],
      ],
    );
  } finally {
    lake.close();
  }
});

Deno.test("analyzeCapacity() ranks cgroups near their limits and names the unit in the recommendation", async () => {
  const lake = await openLake({ root: cgroupLake() });
  try {
    const a = await analyzeCapacity(lake, { bootstrap: 20, clock: () => 0 });
    const pg = a.resources.find((r) => r.resource === "cgroup_memory")!;
    assert.equal(pg.name, "db1 · postgresql.service memory.max");
    assert.equal(pg.unit, "bytes");
    // (the analysis rounds its figures to 5 significant digits)
    assert.ok(Math.abs(pg.limit! / GiB - 1) < 1e-4);
    assert.equal(pg.threshold, pg.limit); // memory.max itself
    // 90 % now, +40 % of 1 GiB per 7 days: memory.max in 1.75 days
    const etaDays = (pg.eta! - a.now) / DAY;
    assert.ok(Math.abs(etaDays - 1.75) < 0.1, `${etaDays}`);
    const container = a.resources.find((r) => r.resource === "cgroup_cpu")!;
    assert.equal(container.name, "db1 · 4f3a9c0e5b7d CPU quota");
    assert.equal(container.threshold, 1.8);
    const rec = a.recommendations.find((r) => r.rule === "cgroup_memory-full")!;
    assert.match(rec.title, /^postgresql\.service on db1 reaches memory\.max in 4[12] h/);
    assert.match(rec.effect, /MemoryMax/);
    assert.deepEqual(rec.evidence.series[0]!.labels, "cgroup=postgresql.service,state=current");
    // nginx has no limit: it is no capacity resource
    assert.ok(!a.resources.some((r) => r.labels.includes("nginx")));
  } finally {
    lake.close();
  }
});
