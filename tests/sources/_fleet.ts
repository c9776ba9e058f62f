/**
 * A simulated fleet for the query-API source tests: hosts simulated into a lake (the reference),
 * then the same samples imported into a real VictoriaMetrics through its import API, with the
 * external labels an agent would add (`env`, `dc`).
 *
 * @module
 */
import { openLake, simulateHost } from "../../lake/mod.ts";
import { formatLabels, parseLabels } from "../../collectors/mod.ts";
import { memorySource, type SeriesSource } from "../../analytics/mod.ts";
import type { Engine } from "../export/_engines.ts";

export const DAY = 86_400_000;
export const START = Date.UTC(2024, 0, 1);
export const END = START + 7 * DAY;
export const STEP = 900_000;

/** Host `i`'s name. */
export function hostName(i: number): string {
  return `node-${String(i).padStart(2, "0")}`;
}

/** How full host `i`'s /var ends (the first five fill up, at different speeds). */
export function fillTo(i: number): number {
  return i < 5 ? 0.97 - i * 0.04 : 0.4;
}

/**
 * Simulates `n` hosts into a new lake.
 *
 * @param n Hosts.
 * @returns The lake root.
 */
export function fleetLake(n: number): string {
  const root = Deno.makeTempDirSync({ prefix: "perfscope-fleet-lake-" });
  for (let i = 0; i < n; i++) {
    simulateHost({
      root,
      host: hostName(i),
      start: START,
      durationMs: END - START,
      stepMs: STEP,
      seed: i + 1,
      cpus: 2,
      topN: 1,
      diskFill: { mountpoint: "/var", from: 0.3, to: fillTo(i) },
    });
  }
  return root;
}

/**
 * Imports every sample of a lake into VictoriaMetrics (`/api/v1/import`), adding `env` (`prod`
 * for even hosts, `staging` for odd) and `dc` labels.
 *
 * @param root Lake root.
 * @param vm The engine.
 * @returns Samples imported.
 */
export async function importLake(root: string, vm: Engine): Promise<number> {
  const lake = await openLake({ root });
  const rows = await lake.query<
    { host: string; metric: string; labels: string; ts: number[]; v: number[] }
  >(
    `SELECT host, metric, labels, list(epoch_ms(ts) ORDER BY ts) AS ts,
      list(value ORDER BY ts) AS v FROM samples WHERE isfinite(value) GROUP BY ALL`,
  );
  lake.close();
  let n = 0;
  const lines = rows.map((r) => {
    const i = Number(r.host.slice(5));
    n += r.ts.length;
    return JSON.stringify({
      metric: {
        ...parseLabels(r.labels),
        __name__: r.metric,
        host: r.host,
        env: i % 2 === 0 ? "prod" : "staging",
        dc: i < 10 ? "ams" : "fra",
      },
      values: [...r.v].map(Number),
      timestamps: [...r.ts].map(Number),
    });
  });
  await importLines(vm, lines);
  return n;
}

/** The external labels of synthetic host `i`: env, dc and role cycle at different periods. */
export function fleetLabels(i: number): { env: string; dc: string; role: string } {
  return {
    env: i % 4 === 0 ? "staging" : "prod",
    dc: ["ams", "fra", "lon"][i % 3]!,
    role: ["web", "db", "cache", "batch", "queue"][i % 5]!,
  };
}

/** Synthetic host `i`'s name, e.g. `fleet-007`. */
export function fleetHost(i: number): string {
  return `fleet-${String(i).padStart(3, "0")}`;
}

/** How full synthetic host `i`'s /var ends (every tenth fills up, host 0 the fastest). */
export function fleetFill(i: number): number {
  return i % 10 === 0 ? 0.93 - i * 0.002 : 0.35 + (i % 7) * 0.02;
}

/** One series of the synthetic fleet: its labels (with `__name__`, `host` and the external
 * labels) and values at `timestamps`. */
export interface FleetSeries {
  metric: Record<string, string>;
  values: number[];
  timestamps: number[];
}

/**
 * The synthetic fleet's series: per host the few series the capacity analysis needs — /var
 * bytes used and free, memory used and total, the 1-minute load average with two cores of
 * `cpu_ratio`, and `perfscope_rss_bytes` (the source's extent probe) — with `env`, `dc` and
 * `role` labels, `days` days at `stepMs`, ending at `end`.
 *
 * @param o Hosts, days, step and the end.
 * @returns The series.
 */
export function syntheticFleet(
  o: { hosts: number; days: number; stepMs: number; end: number },
): FleetSeries[] {
  const out: FleetSeries[] = [];
  const start = o.end - o.days * DAY;
  const ts: number[] = [];
  for (let t = start; t < o.end; t += o.stepMs) ts.push(t);
  for (let i = 0; i < o.hosts; i++) {
    let seed = i * 7919 + 1;
    const noise = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647 - 0.5;
    };
    const daily = (t: number) => Math.sin(((t % DAY) / DAY) * 2 * Math.PI);
    const size = 100 * 2 ** 30;
    const used = ts.map((t) =>
      Math.round(size * (0.3 + (fleetFill(i) - 0.3) * (t - start) / (o.end - start)) / 4096) * 4096
    );
    const memTotal = 16 * 2 ** 30;
    const series: [Record<string, string>, number[]][] = [
      [{ __name__: "filesystem_used_bytes", mountpoint: "/var" }, used],
      [{ __name__: "filesystem_free_bytes", mountpoint: "/var" }, used.map((u) => size - u)],
      [{ __name__: "memory_bytes", state: "total" }, ts.map(() => memTotal)],
      [
        { __name__: "memory_bytes", state: "used" },
        ts.map((t) => Math.round(memTotal * (0.45 + 0.1 * daily(t) + 0.02 * noise()))),
      ],
      [
        { __name__: "load_average", window: "1m" },
        ts.map((t) => Math.max(0, 0.8 + 0.5 * daily(t) + 0.2 * noise())),
      ],
      ...["0", "1"].map((cpu): [Record<string, string>, number[]] => [
        { __name__: "cpu_ratio", cpu, mode: "user" },
        ts.map((t) => Math.min(1, Math.max(0, 0.3 + 0.15 * daily(t) + 0.05 * noise()))),
      ]),
      [{ __name__: "perfscope_rss_bytes" }, ts.map(() => 60e6 + Math.round(1e6 * noise()))],
    ];
    for (const [metric, values] of series) {
      out.push({
        metric: { ...metric, host: fleetHost(i), ...fleetLabels(i) },
        values,
        timestamps: ts,
      });
    }
  }
  return out;
}

/**
 * Imports the synthetic fleet (`syntheticFleet`) straight into VictoriaMetrics (no lake in
 * between, so a hundred hosts load in seconds).
 *
 * @param vm The engine.
 * @param o Hosts, days, step and the end.
 * @returns Samples imported.
 */
export async function importSyntheticFleet(
  vm: Engine,
  o: { hosts: number; days: number; stepMs: number; end: number },
): Promise<number> {
  const series = syntheticFleet(o);
  const n = series.reduce((a, s) => a + s.values.length, 0);
  const lines = series.map((s) => JSON.stringify(s));
  await importLines(vm, lines);
  return n;
}

const EXTERNAL = new Set(["__name__", "host", "env", "dc", "role"]);

/**
 * The synthetic fleet (`syntheticFleet`) as a memory source, for the analysis without a
 * query API (the external labels are not part of a series' labels, as over the query API).
 *
 * @param o Hosts, days, step and the end.
 * @returns The source.
 */
export function fleetMemorySource(
  o: { hosts: number; days: number; stepMs: number; end: number },
): SeriesSource {
  return memorySource(
    syntheticFleet(o).map((s) => {
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.metric)) if (!EXTERNAL.has(k)) labels[k] = v;
      return {
        host: s.metric.host!,
        metric: s.metric.__name__!,
        labels: formatLabels(labels),
        ts: Float64Array.from(s.timestamps),
        values: Float64Array.from(s.values),
      };
    }),
    "synthetic fleet",
  );
}

/** Imports JSON lines into VictoriaMetrics and makes them searchable at once. */
async function importLines(vm: Engine, lines: string[]): Promise<void> {
  const response = await fetch(`${vm.base}/api/v1/import`, {
    method: "POST",
    body: lines.join("\n") + "\n",
  });
  if (!response.ok) throw new Error(`Import failed: ${response.status} ${await response.text()}`);
  // make the imported samples searchable at once
  await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
}
