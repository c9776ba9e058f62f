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
import { parseFlags, parseNumber } from "../cli/_args.ts";
import { benchFlags } from "./_flags.ts";
import v8 from "node:v8";
import type { Sample } from "../collectors/mod.ts";
import type { RuleConfig } from "../config/mod.ts";
import { realSnapshots, serveRules } from "./_serve_rules.ts";

type Engine = {
  observe(batch: readonly Sample[]): void;
  evaluate(now: number): unknown[];
  instances(): unknown[];
};

const USAGE =
  `Usage: deno run -A --v8-flags=--expose-gc bench/alerts_heap.ts [--engine DIR] [--rules N]
       [--seconds N] [--objects]

Live heap an alert engine holds for serve's rule set, per instance: the heap after a forced GC
with the engine fed and evaluated, minus the heap after it is dropped.

Options:
  --engine DIR   another checkout's engine (run each in its own process)
  --rules N      rules in the set (default 1000)
  --seconds N    seconds of real snapshots fed (default 180)
  --objects      count the objects it holds (two heap snapshots) instead of the bytes
  -h, --help     show this help`;

const { values, count, seconds } = benchFlags(USAGE, (args) => {
  const { values } = parseFlags(args, {
    engine: { type: "string" },
    rules: { type: "string", default: "1000" },
    seconds: { type: "string", default: "180" },
    objects: { type: "boolean" },
  });
  return {
    values,
    count: parseNumber(values.rules!, "rules", { min: 1, integer: true }),
    seconds: parseNumber(values.seconds!, "seconds", { min: 1, integer: true }),
  };
});
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) {
  console.error("perfscope bench: run with --v8-flags=--expose-gc");
  Deno.exit(2);
}
const rules = serveRules(count);
const dir = (values.engine ?? new URL("..", import.meta.url).pathname).replace(/\/?$/, "/");
const { AlertEngine } = await import(new URL("alerts/mod.ts", `file://${dir}`).href) as {
  AlertEngine: new (rules: readonly RuleConfig[]) => Engine;
};
const snaps = await realSnapshots();
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
