/**
 * Live heap an alert engine holds for `serve`'s rule set (`bench/alerts_bench.ts`: 1,000 rules
 * on 8 of the collector's metrics, every matching series pending), per instance: the heap after
 * a forced GC with the engine fed and evaluated for a while, minus the heap after the engine is
 * dropped. The major GC's marking work in `serve` grows with what is live, so this is the figure
 * that stands for the engine's GC cost. `--engine DIR` measures another checkout's engine
 * (e.g. `git archive <commit> | tar -x -C DIR`); run each in its own process. With `--objects`,
 * two heap snapshots (with and without the engine) count the objects it holds instead (a
 * snapshot changes what the heap holds after it, so the bytes are not measured then).
 *
 * Run: `deno run -A --v8-flags=--expose-gc bench/alerts_heap.ts [--engine DIR] [--rules 1000]
 * [--seconds 180] [--objects]`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import v8 from "node:v8";
import { createSampler, type Sample } from "../collectors/mod.ts";
import type { RuleConfig } from "../config/mod.ts";

const METRICS = [
  "cpu_ratio",
  "load_average",
  "memory_bytes",
  "disk_utilization_ratio",
  "disk_read_bytes_per_second",
  "disk_write_bytes_per_second",
  "disk_wait_ms",
  "disk_queue_depth",
];
const REDUCERS = [
  { reduce: "last" },
  { reduce: "avg", window: 10_000 },
  { reduce: "max", window: 60_000 },
  { reduce: "p95", window: 30_000 },
] as const;

type Engine = {
  observe(batch: readonly Sample[]): void;
  evaluate(now: number): unknown[];
  instances(): unknown[];
};

const { values } = parseArgs({
  options: {
    engine: { type: "string" },
    rules: { type: "string" },
    seconds: { type: "string" },
    objects: { type: "boolean" },
  },
});
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc");
const count = Number(values.rules ?? 1000), seconds = Number(values.seconds ?? 180);
const rules: RuleConfig[] = Array.from({ length: count }, (_, j) => ({
  alert: `R${j}`,
  metric: METRICS[j % METRICS.length]!,
  ...REDUCERS[j % 4]!,
  below: 1e18 + j,
  for: 3_600_000,
}));
const dir = (values.engine ?? new URL("..", import.meta.url).pathname).replace(/\/?$/, "/");
const { AlertEngine } = await import(new URL("alerts/mod.ts", `file://${dir}`).href) as {
  AlertEngine: new (rules: readonly RuleConfig[]) => Engine;
};
using sampler = createSampler({ host: "bench" });
const snaps: Sample[][] = [];
for (let i = 0; i < 6; i++) {
  snaps.push(sampler.sample());
  await new Promise((r) => setTimeout(r, 200));
}
const batches = Array.from(
  { length: seconds },
  (_, i) => snaps[i % snaps.length]!.map((s) => ({ ...s, ts: i * 1000 })),
);
/** Objects in a heap snapshot of now (the snapshot forces a full GC first). */
const objects = (): number => {
  const file = Deno.makeTempFileSync({ suffix: ".heapsnapshot" });
  try {
    v8.writeHeapSnapshot(file);
    const snap = JSON.parse(Deno.readTextFileSync(file));
    return snap.nodes.length / snap.snapshot.meta.node_fields.length;
  } finally {
    Deno.removeSync(file);
  }
};
const heap = () => {
  for (let i = 0; i < 4; i++) gc();
  return Deno.memoryUsage().heapUsed;
};
let engine: Engine | undefined = new AlertEngine(rules);
for (let i = 0; i < seconds; i++) {
  engine.observe(batches[i]!);
  engine.evaluate(i * 1000);
}
const instances = engine.instances().length;
const measure = values.objects ? objects : heap;
const withEngine = measure();
engine = undefined;
const without = measure();
const held = withEngine - without;
console.log(
  JSON.stringify({
    engine: dir,
    rules: count,
    instances,
    ...(values.objects
      ? { engineObjects: held, objectsPerInstance: Number((held / instances).toFixed(1)) }
      : { engineHeapBytes: held, bytesPerInstance: Math.round(held / instances) }),
  }),
);
