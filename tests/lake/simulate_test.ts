import assert from "node:assert/strict";
import { openLake, simulateHost } from "../../lake/mod.ts";
import { architectureMetrics } from "./_architecture.ts";

const start = Date.UTC(2024, 8, 2); // a Monday
const H = 3_600_000;

Deno.test("simulateHost() is deterministic for a seed and differs for another seed", async () => {
  const sums: string[] = [];
  for (const seed of [7, 7, 8]) {
    const root = Deno.makeTempDirSync();
    simulateHost({ root, start, durationMs: 600_000, stepMs: 60_000, seed });
    const lake = await openLake({ root });
    const [row] = await lake.query<{ s: string }>(
      "SELECT sum(hash(ts, metric, labels, value))::VARCHAR AS s FROM samples",
    );
    sums.push(row!.s);
    lake.close();
  }
  assert.equal(sums[0], sums[1]);
  assert.notEqual(sums[0], sums[2]);
});

Deno.test("simulateHost() writes every metric family of ARCHITECTURE.md with daily seasonality", async () => {
  const root = Deno.makeTempDirSync();
  const r = simulateHost({
    root,
    host: "s",
    start,
    durationMs: 24 * H,
    stepMs: 300_000,
    chunkMs: 6 * H,
  });
  assert.equal(r.files, 4);
  const documented = architectureMetrics();
  const lake = await openLake({ root });
  const present = (await lake.query<{ metric: string }>("SELECT DISTINCT metric FROM samples")).map(
    (m) => m.metric,
  );
  for (const m of documented) assert.ok(present.includes(m), `missing ${m}`);
  const busy = await lake.query<{ h: number; v: number }>(
    "SELECT hour(ts) AS h, avg(value) AS v FROM samples WHERE metric = 'cpu_ratio' AND labels = 'cpu=total,mode=idle' " +
      "AND hour(ts) IN (3, 15) GROUP BY 1 ORDER BY 1",
  );
  assert.ok(busy[0]!.v > busy[1]!.v + 0.1, "03:00 is idler than 15:00");
  const [bounds] = await lake.query<{ lo: number; hi: number }>(
    "SELECT min(value) AS lo, max(value) AS hi FROM samples WHERE metric LIKE '%_ratio' AND metric <> 'process_cpu_ratio'",
  );
  assert.ok(bounds!.lo >= 0 && bounds!.hi <= 1);
  lake.close();
});

Deno.test("simulateHost() fills the chosen file system and saturates the CPUs in the given window", async () => {
  const root = Deno.makeTempDirSync();
  simulateHost({
    root,
    start,
    durationMs: 4 * H,
    stepMs: 60_000,
    cpus: 2,
    diskFill: { from: 0.5, to: 0.9 },
    cpuSaturation: { from: start + H, durationMs: H },
  });
  const lake = await openLake({ root });
  const fill = await lake.query<{ r: number }>(
    "SELECT u.value / s.value AS r FROM samples u JOIN samples s USING (ts, labels) WHERE u.metric = 'filesystem_used_bytes' " +
      "AND s.metric = 'filesystem_size_bytes' AND labels LIKE '%mountpoint=/var' ORDER BY ts",
  );
  assert.ok(Math.abs(fill[0]!.r - 0.5) < 1e-3);
  assert.ok(Math.abs(fill.at(-1)!.r - (0.5 + 0.4 * (239 / 240))) < 1e-3);
  const idle = await lake.query<{ sat: boolean; v: number }>(
    `SELECT ts >= epoch_ms(${start + H}) AND ts < epoch_ms(${
      start + 2 * H
    }) AS sat, max(value) AS v FROM samples
      WHERE metric = 'cpu_ratio' AND labels = 'cpu=total,mode=idle' GROUP BY 1 ORDER BY 1`,
  );
  assert.ok(idle[1]!.sat && idle[1]!.v <= 0.05);
  assert.ok(idle[0]!.v > 0.3);
  lake.close();
});

Deno.test("simulateHost() rejects an empty period", () => {
  assert.throws(() => simulateHost({ root: "x", start, durationMs: 0 }), RangeError);
  assert.throws(() => simulateHost({ root: "x", start, durationMs: 1, stepMs: -1 }), RangeError);
});
