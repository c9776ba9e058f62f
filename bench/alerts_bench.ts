/**
 * Alert rule evaluation: 1,000 rules at 1 Hz, CPU milliseconds per second of stream (observing
 * the second's samples, then one evaluation of every rule), against the goal of 0.5 ms/s. Three
 * rule sets: every rule on one of 300 synthetic series (1,000 instances); half of them on all
 * ten series of their metric (5,500 instances); and the rules `bench/alerts_e2e_bench.ts` gives
 * `serve` (1,000 rules on 8 of the collector's metrics, replaying real snapshots of this
 * machine: about 5,000 instances, all pending). Reducers mixed: last, avg 10 s, max 1 m, p95 30 s.
 *
 * Two ways: "hot", seconds back to back (the median and the best 100-second chunk), and "cold",
 * each second measured alone after walking 64 MB of memory, as `serve` finds its caches after a
 * second of other work (median and p90 of the seconds). With `--baseline DIR` (another
 * checkout, e.g. `git archive <commit> | tar -x -C DIR`), that checkout's engine runs the same
 * streams in the same process, alternating chunk by chunk with this one, and the ratios are
 * printed. Prints figures, never asserts.
 *
 * Run: `deno run -A bench/alerts_bench.ts [--quick] [--baseline DIR] [--serve-rules 100,1000]`.
 *
 * @module
 */
import process from "node:process";
import { parseFlags, parseNumber } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";
import { AlertEngine } from "../alerts/mod.ts";
import type { Sample } from "../collectors/mod.ts";
import type { RuleConfig } from "../config/mod.ts";
import type { IngestBatch } from "../lake/mod.ts";
import type { BenchOptions } from "./run.ts";
import { realSnapshots, REDUCERS, serveRules } from "./_serve_rules.ts";

const METRICS = 30, SETS = 10, RULES = 1000;
const GOAL_MS = 0.5;
const WARMUP = 120, CHUNK = 100;

/** The engine's surface the bench uses (this checkout's or a baseline's). */
type Engine = {
  observe(batch: IngestBatch | readonly Sample[]): void;
  evaluate(now: number): unknown[];
  instances(): unknown[];
  onTransition(cb: (t: unknown[]) => void): unknown;
};
type EngineClass = new (rules: readonly RuleConfig[]) => Engine;

/** Figures of one rule set on one engine. */
export interface AlertsBenchRow {
  set: string;
  /** "this" or "baseline". */
  code: string;
  rules: number;
  instances: number;
  /** CPU ms per simulated second (user + system), median of 100-second chunks. */
  cpuMsPerSecond: number;
  /** The same, best chunk. */
  bestCpuMsPerSecond: number;
  /** CPU ms of one second measured alone after the caches were flushed: median, p90. */
  coldMsPerSecond: number;
  coldP90MsPerSecond: number;
  /** Transitions over the run (the synthetic rules do fire). */
  transitions: number;
}

function syntheticRules(wide: boolean): RuleConfig[] {
  return Array.from({ length: RULES }, (_, j) => ({
    alert: `R${j}`,
    metric: `bench_metric_${j % METRICS}`,
    ...(wide && j % 2 === 0 ? {} : { labels: { cpu: String(Math.floor(j / METRICS) % SETS) } }),
    ...REDUCERS[j % 4]!,
    above: 90 + (j % 10),
    clear: 80,
    for: 5000,
  }));
}

function syntheticBatch(second: number): IngestBatch {
  const b: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  for (let m = 0; m < METRICS; m++) {
    for (let s = 0; s < SETS; s++) {
      b.ts.push(second * 1000);
      b.host.push("bench");
      b.metric.push(`bench_metric_${m}`);
      b.labels.push(`cpu=${s}`);
      // slow waves under the thresholds, and a 20 s spike past them every 10 minutes, at a
      // different moment for each series
      const spike = (second + 17 * (m * SETS + s)) % 600 < 20;
      b.value.push(spike ? 120 : 50 + 20 * Math.sin((second + 37 * m + 11 * s) / 45));
    }
  }
  return b;
}

interface RuleSet {
  name: string;
  rules: RuleConfig[];
  /** Rule × series instances (default: those listed at the end, all pending). */
  instances?: number;
  /** The samples of second `i` (built before the measurement). */
  batch(i: number): IngestBatch | Sample[];
}

const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// walked between "cold" seconds: more than the last-level cache, as other work would
const flush = new Float64Array(8 << 20);
function flushCaches(): void {
  let s = 0;
  for (let k = 0; k < flush.length; k += 8) s += flush[k]!;
  flush[1] = s;
}

/** One engine on one rule set, stepped chunk by chunk (so two engines can alternate). */
class Runner {
  engine: Engine;
  transitions = 0;
  second = 0;
  chunks: number[] = [];
  cold: number[] = [];
  constructor(readonly set: RuleSet, readonly code: string, Class: EngineClass) {
    this.engine = new Class(set.rules);
    this.engine.onTransition((t) => this.transitions += t.length);
    // warm-up: fill the windows and let the JIT settle
    for (; this.second < WARMUP; this.second++) this.#step(this.second);
  }

  #step(i: number): void {
    this.engine.observe(this.set.batch(i));
    this.engine.evaluate(i * 1000);
  }

  hotChunk(): void {
    const start = this.second;
    const cpu = cpuMs();
    for (let i = start; i < start + CHUNK; i++) this.#step(i);
    this.chunks.push((cpuMs() - cpu) / CHUNK);
    this.second += CHUNK;
  }

  coldSeconds(n: number): void {
    for (let k = 0; k < n; k++, this.second++) {
      flushCaches();
      const cpu = cpuMs();
      this.#step(this.second);
      this.cold.push(cpuMs() - cpu);
    }
  }

  row(): AlertsBenchRow {
    const hot = this.chunks.toSorted((a, b) => a - b);
    const cold = this.cold.toSorted((a, b) => a - b);
    return {
      set: this.set.name,
      code: this.code,
      rules: this.set.rules.length,
      instances: this.set.instances ?? this.engine.instances().length,
      cpuMsPerSecond: hot[Math.floor(hot.length / 2)]!,
      bestCpuMsPerSecond: hot[0]!,
      coldMsPerSecond: cold[Math.floor(cold.length / 2)]!,
      coldP90MsPerSecond: cold[Math.floor(cold.length * 0.9)]!,
      transitions: this.transitions,
    };
  }
}

/**
 * Runs the benchmark and prints a table.
 *
 * @param options `quick` for a shorter run; `baseline` a checkout to compare with;
 *   `serveRules` the sizes of serve's rule set (default 1,000).
 * @returns The rows.
 */
export async function run(
  options: BenchOptions & { baseline?: string; serveRules?: readonly number[] } = {},
): Promise<AlertsBenchRow[]> {
  const chunks = options.quick ? 3 : 18;
  const coldSeconds = options.quick ? 100 : 300;
  const snaps = await realSnapshots();
  const synthetic = (wide: boolean): RuleSet => {
    const batches = new Map<number, IngestBatch>();
    return {
      name: wide ? "half the rules on all 10 series of their metric" : "each rule on one series",
      rules: syntheticRules(wide),
      instances: wide ? 500 + 500 * SETS : RULES,
      batch: (i) => {
        let b = batches.get(i);
        if (!b) batches.set(i, b = syntheticBatch(i));
        return b;
      },
    };
  };
  const real = new Map<number, Sample[]>();
  const sets: RuleSet[] = [synthetic(false), synthetic(true)];
  for (const count of options.serveRules ?? [RULES]) {
    sets.push({
      name: `serve's: ${count} rules, 8 collector metrics`,
      rules: serveRules(count),
      batch: (i) => {
        let b = real.get(i);
        if (!b) real.set(i, b = snaps[i % snaps.length]!.map((s) => ({ ...s, ts: i * 1000 })));
        return b;
      },
    });
  }
  const classes: [string, EngineClass][] = [["this", AlertEngine as unknown as EngineClass]];
  if (options.baseline) {
    const dir = options.baseline.replace(/\/?$/, "/");
    const url = new URL("alerts/mod.ts", new URL(dir, `file://${Deno.cwd()}/`));
    const mod = await import(url.href) as { AlertEngine: EngineClass };
    classes.push(["baseline", mod.AlertEngine]);
  }
  const rows: AlertsBenchRow[] = [];
  for (const set of sets) {
    // every second's samples built before anything is measured
    const total = WARMUP + chunks * CHUNK + coldSeconds;
    for (let i = 0; i < total; i++) set.batch(i);
    const runners = classes.map(([code, Class]) => new Runner(set, code, Class));
    // alternating chunk by chunk, so both engines see the same machine load
    for (let c = 0; c < chunks; c++) for (const r of runners) r.hotChunk();
    for (let c = 0; c < coldSeconds / 50; c++) for (const r of runners) r.coldSeconds(50);
    for (const r of runners) rows.push(r.row());
  }
  const load = Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");
  console.log(
    `Rule evaluation at 1 Hz: CPU ms per second of stream (goal ≤ ${GOAL_MS} ms/s; load ${load})`,
  );
  console.log(
    "rule set                                          code      instances  hot median (best)  cold median (p90)  goal    transitions",
  );
  for (const r of rows) {
    console.log(
      `${r.set.padEnd(48)}  ${r.code.padEnd(8)}  ${String(r.instances).padStart(9)}  ${
        `${r.cpuMsPerSecond.toFixed(3)} (${r.bestCpuMsPerSecond.toFixed(3)})`.padStart(17)
      }  ${`${r.coldMsPerSecond.toFixed(3)} (${r.coldP90MsPerSecond.toFixed(3)})`.padStart(17)}  ${
        (r.cpuMsPerSecond <= GOAL_MS ? "met" : "missed").padEnd(6)
      }  ${r.transitions}`,
    );
  }
  if (classes.length > 1) {
    console.log("baseline ÷ this (CPU per second; above 1: this is cheaper)");
    for (const set of sets) {
      const a = rows.find((r) => r.set === set.name && r.code === "this")!;
      const b = rows.find((r) => r.set === set.name && r.code === "baseline")!;
      console.log(
        `${set.name.padEnd(48)}  hot ${(b.cpuMsPerSecond / a.cpuMsPerSecond).toFixed(1)}×, cold ${
          (b.coldMsPerSecond / a.coldMsPerSecond).toFixed(1)
        }×`,
      );
    }
  }
  return rows;
}

const USAGE =
  `Usage: deno run -A bench/alerts_bench.ts [--quick] [--baseline DIR] [--serve-rules N,...]

Alert rule evaluation, 1,000 rules at 1 Hz: CPU ms per second of stream, hot and cold, on three
rule sets (synthetic series, and the rules the end-to-end bench gives serve on real snapshots).

Options:
  --quick             shorter runs (as deno task bench --quick)
  --baseline DIR      another checkout, measured in the same run for a before/after
  --serve-rules N,... the sizes of serve's rule set, comma-separated (default 1000)
  -h, --help          show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, {
      quick: { type: "boolean", default: false },
      baseline: { type: "string" },
      "serve-rules": { type: "string" },
    });
    return {
      quick: values.quick,
      ...(values["serve-rules"] !== undefined && {
        serveRules: values["serve-rules"].split(",").map((n) =>
          parseNumber(n, "serve-rules", { min: 1, integer: true })
        ),
      }),
      ...(values.baseline !== undefined && { baseline: values.baseline }),
    };
  }, run);
}
