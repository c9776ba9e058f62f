/**
 * A simulated fleet for the query-API source tests: hosts simulated into a lake (the reference),
 * then the same samples imported into a real VictoriaMetrics through its import API, with the
 * external labels an agent would add (`env`, `dc`).
 *
 * @module
 */
import { openLake, simulateHost } from "../../lake/mod.ts";
import { parseLabels } from "../../collectors/mod.ts";
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
  const response = await fetch(`${vm.base}/api/v1/import`, {
    method: "POST",
    body: lines.join("\n") + "\n",
  });
  if (!response.ok) throw new Error(`Import failed: ${response.status} ${await response.text()}`);
  // make the imported samples searchable at once
  await (await fetch(`${vm.base}/internal/force_flush`)).body?.cancel();
  return n;
}
