/**
 * Notification benchmark: alert latency to a webhook receiver on loopback, p50/p99 (goal p99
 * < 1 s), and what one `Notifier.handle()` costs the caller. Each alert fires in its own group
 * (`group_by: ['...']`, `group_wait: 0s`), one every 20 ms, so the latency is the notifier's and
 * the receiver's, not a wait the config asks for.
 *
 * Measured from `Notifier.handle()` to the request's arrival at the receiver: the alerts engine
 * (the evaluation that fires) is not in this branch; with it, add the evaluation's share (it runs
 * every second, so at most 1 s after the sample, plus its own CPU time).
 *
 * `deno run -A bench/notify_bench.ts` or `deno task bench --only notify`.
 *
 * @module
 */
import { type AlertTransition, Notifier } from "../alerts/mod.ts";
import { benchMain, quickFlag } from "./_flags.ts";

/** What the benchmark measured. */
export interface NotifyBenchResult {
  /** Alerts sent. */
  alerts: number;
  /** Latency `handle()` → webhook receipt, ms. */
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Time spent inside `handle()` per call, µs (what the engine's loop pays). */
  handleP50Us: number;
  handleP99Us: number;
  /** What is measured. */
  measured: string;
}

function quantile(sorted: readonly number[], q: number): number {
  // R-7 (linear interpolation), as the other benches print
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  return sorted[lo]! +
    (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? 0) - sorted[lo]!);
}

/**
 * Runs the benchmark.
 *
 * @param options `quick`: 100 alerts instead of 1000.
 * @returns The figures.
 */
export async function run(options: { quick?: boolean } = {}): Promise<NotifyBenchResult> {
  const n = options.quick ? 100 : 1000;
  const sentAt = new Map<string, number>();
  const latency: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => done = resolve);
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const arrived = performance.now();
    const body = await req.json() as { alerts: { fingerprint: string }[] };
    for (const a of body.alerts) {
      const t = sentAt.get(a.fingerprint);
      if (t !== undefined) latency.push(arrived - t);
    }
    if (latency.length >= n) done();
    return new Response("ok");
  });
  const notifier = new Notifier({
    receivers: [{ name: "bench", webhook: `http://127.0.0.1:${server.addr.port}/hook` }],
    route: { receiver: "bench", group_by: ["..."], group_wait: 0 },
    queueSize: n,
    log: () => {},
  });
  const handleUs: number[] = [];
  for (let i = 0; i < n; i++) {
    const fingerprint = i.toString(16).padStart(16, "0");
    const labels = { alertname: "BenchAlert", severity: "warning", host: `h${i}` };
    const at = Date.now();
    const t: AlertTransition = {
      at,
      from: "pending",
      to: "firing",
      instance: {
        rule: "BenchAlert",
        fingerprint,
        labels,
        annotations: { summary: `alert ${i}` },
        state: "firing",
        value: i,
        activeAt: at,
        firedAt: at,
        resolvedAt: NaN,
      },
    };
    const start = performance.now();
    sentAt.set(fingerprint, start);
    notifier.handle([t]);
    handleUs.push((performance.now() - start) * 1000);
    await new Promise((r) => setTimeout(r, 20));
  }
  await Promise.race([all, new Promise((r) => setTimeout(r, 30_000))]);
  await notifier.close();
  await server.shutdown();
  latency.sort((a, b) => a - b);
  handleUs.sort((a, b) => a - b);
  const result: NotifyBenchResult = {
    alerts: latency.length,
    p50Ms: Math.round(quantile(latency, 0.5) * 100) / 100,
    p99Ms: Math.round(quantile(latency, 0.99) * 100) / 100,
    maxMs: Math.round((latency.at(-1) ?? NaN) * 100) / 100,
    handleP50Us: Math.round(quantile(handleUs, 0.5)),
    handleP99Us: Math.round(quantile(handleUs, 0.99)),
    measured: "Notifier.handle() → webhook receipt (engine evaluation not included)",
  };
  const row = (k: string, v: string) => console.log(`${k.padEnd(40)}${v}`);
  row("alerts delivered", `${result.alerts} of ${n} (one group each, group_wait 0s)`);
  row("alert latency p50 (handle → webhook)", `${result.p50Ms} ms`);
  row("alert latency p99 (handle → webhook)", `${result.p99Ms} ms (goal < 1000 ms)`);
  row("alert latency max", `${result.maxMs} ms`);
  row("Notifier.handle() p50/p99, caller's", `${result.handleP50Us} / ${result.handleP99Us} µs`);
  row("note", "engine evaluation not included (alerts engine not in this branch)");
  return result;
}

const USAGE = `Usage: deno run -A bench/notify_bench.ts [--quick]

Alert latency to a webhook receiver on loopback (p50/p99) and the cost of Notifier.handle();
1000 alerts (100 with --quick).

Options:
  --quick      shorter runs (as deno task bench --quick)
  -h, --help   show this help`;

if (import.meta.main) await benchMain(USAGE, quickFlag, run);
