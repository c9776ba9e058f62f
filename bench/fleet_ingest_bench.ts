/**
 * Fleet ingest benchmark: N simulated agents × S series at 1 Hz remote-writing into one local
 * VictoriaMetrics. Each agent is a real spool (`SpoolWriter`, one snapshot a second) and a real
 * `RemoteWriteSender` (5 s batches), all in this process (one process stands in for N machines:
 * its own CPU is not a per-agent figure). Prints the end-to-end lag (from a snapshot's time to the
 * moment its batch was acknowledged, checked every 100 ms) p50/p99, and VictoriaMetrics' CPU ms/s from
 * `/proc/PID/task/*\/schedstat` over the measured window. Prints figures, never asserts.
 *
 * Run: `deno run -A bench/fleet_ingest_bench.ts [--agents 50] [--series 300] [--seconds 60]
 * [--quick]`, or within `deno task bench [--quick]`.
 *
 * @module
 */

import { parseFlags, parseNumber } from "../cli/_args.ts";
import { benchMain } from "./_flags.ts";
import { RemoteWriteSender } from "../export/mod.ts";
import { type LakeRow, SpoolWriter } from "../lake/mod.ts";
import { startVictoriaMetrics } from "../tests/export/_engines.ts";

function cpuNs(pid: number): number {
  let total = 0;
  for (const t of Deno.readDirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(Deno.readTextFileSync(`/proc/${pid}/task/${t.name}/schedstat`).split(" ")[0]);
    } catch {
      // the thread ended
    }
  }
  return total;
}

function vmPid(port: string): number | undefined {
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    try {
      const cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`);
      const argv0 = cmd.split("\0")[0] ?? "";
      if (argv0.endsWith("victoria-metrics") && cmd.includes(`:${port}`)) return Number(e.name);
    } catch {
      // gone
    }
  }
  return undefined;
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

/**
 * Runs the benchmark.
 *
 * @param options Agents (default 50), series per agent (300), measured seconds (60); `quick`
 * (as `deno task bench --quick` passes it) makes the defaults 20 agents for 20 s.
 * @returns The lag quantiles (ms) and the receiver's CPU (ms/s).
 */
export async function run(
  options: { agents?: number; series?: number; seconds?: number; quick?: boolean } = {},
): Promise<{ p50: number; p99: number; vmCpuMsPerS: number; samplesPerS: number }> {
  const { agents = options.quick ? 20 : 50, series = 300, seconds = options.quick ? 20 : 60 } =
    options;
  const vm = await startVictoriaMetrics();
  const pid = vmPid(new URL(vm.base).port);
  const lags: number[] = [];
  const writers: SpoolWriter[] = [];
  const senders: RemoteWriteSender[] = [];
  const start = Date.now();
  for (let a = 0; a < agents; a++) {
    const root = Deno.makeTempDirSync({ prefix: "perfscope-fleet-bench-" });
    writers.push(new SpoolWriter(root, start));
    senders.push(new RemoteWriteSender(root, { url: vm.writeUrl, log: () => {} }));
  }
  let tick = 0;
  const timer = setInterval(() => {
    const ts = start + ++tick * 1000;
    writers.forEach((w, a) => {
      const rows: LakeRow[] = [];
      for (let s = 0; s < series; s++) {
        rows.push({
          ts,
          host: `agent-${a}`,
          metric: `m_${s % 30}`,
          labels: `i=${s}`,
          value: Math.sin(ts / 60_000 + s) * 100 + a,
        });
      }
      w.append(rows);
    });
  }, 1000);
  const measured = senders.map((s) => {
    let last = NaN;
    return setInterval(() => {
      const acked = s.stats.ackedTs;
      if (acked !== last) {
        // every snapshot of the batch, (last, acked], is acknowledged now
        const now = Date.now();
        for (let t = Number.isNaN(last) ? acked : last + 1000; t <= acked; t += 1000) {
          lags.push(now - t);
        }
        last = acked;
      }
    }, 100);
  });
  for (const s of senders) s.start();
  await new Promise((r) => setTimeout(r, 10_000)); // warm-up
  lags.length = 0;
  const cpu0 = pid ? cpuNs(pid) : NaN;
  const sent0 = senders.reduce((a, s) => a + s.stats.samples, 0);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const wall = (performance.now() - t0) / 1000;
  const vmCpuMsPerS = pid ? (cpuNs(pid) - cpu0) / 1e6 / wall : NaN;
  const samplesPerS = (senders.reduce((a, s) => a + s.stats.samples, 0) - sent0) / wall;
  clearInterval(timer);
  for (const m of measured) clearInterval(m);
  await Promise.all(senders.map((s) => s.stop()));
  for (const w of writers) w.close();
  await vm.stop();
  // lag of each snapshot from its time to its acknowledgement (checked every 100 ms): batch
  // deadline (5 s) + queueing in this one process + the request
  const sorted = lags.sort((a, b) => a - b);
  const out = { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), vmCpuMsPerS, samplesPerS };
  console.log(
    `${agents} agents × ${series} series at 1 Hz (5 s batches): ${
      samplesPerS.toFixed(0)
    } samples/s acknowledged`,
  );
  console.log(
    `end-to-end lag at acknowledgement: p50 ${(out.p50 / 1000).toFixed(2)} s, p99 ${
      (out.p99 / 1000).toFixed(2)
    } s (${sorted.length} acknowledgements)`,
  );
  console.log(
    `VictoriaMetrics CPU: ${vmCpuMsPerS.toFixed(1)} ms/s, ${
      (vmCpuMsPerS / samplesPerS * 1000).toFixed(2)
    } µs per sample; load average ${Deno.readTextFileSync("/proc/loadavg").split(" ")[0]}`,
  );
  return out;
}

const USAGE =
  `Usage: deno run -A bench/fleet_ingest_bench.ts [--agents N] [--series N] [--seconds N]
       [--quick]

Simulated agents remote-writing into one local VictoriaMetrics: end-to-end lag p50/p99 and
VictoriaMetrics' CPU ms/s.

Options:
  --agents N    agents sending (default 50, 20 with --quick)
  --series N    series per agent (default 300)
  --seconds N   measured seconds (default 60, 20 with --quick)
  --quick       20 agents for 20 s (as deno task bench --quick)
  -h, --help    show this help`;

if (import.meta.main) {
  await benchMain(USAGE, (args) => {
    const { values } = parseFlags(args, {
      agents: { type: "string" },
      series: { type: "string" },
      seconds: { type: "string" },
      quick: { type: "boolean", default: false },
    });
    const count = (flag: "agents" | "series" | "seconds") =>
      values[flag] && {
        [flag]: parseNumber(values[flag], flag, { min: 1, integer: flag !== "seconds" }),
      };
    return { quick: values.quick, ...count("agents"), ...count("series"), ...count("seconds") };
  }, run);
}
