/**
 * The ingest writer's per-batch CPU for a scrape-shaped batch (one host, runs of one metric, 500
 * distinct series, as serve's node_exporter scrape sends every second): ms per batch of
 * `checkIngestBatch` (the validation inside `IngestWriter.writeBatch`) and of the whole
 * `writeBatch`. With `--baseline <module>` (an older `lake/ingest_lines.ts` saved inside lake/, e.g.
 * `git show <rev>:lake/ingest_lines.ts > lake/_baseline_ingest_lines.ts`), that module's
 * `checkIngestBatch` is measured in the same run, interleaved, and the ratio printed.
 * `deno run -A bench/ingest_write_bench.ts [--baseline lake/_baseline_ingest_lines.ts]`.
 * Prints figures; never asserts.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { type IngestBatch, IngestWriter } from "../lake/mod.ts";
import { checkIngestBatch } from "../lake/ingest_lines.ts";

type Check = typeof checkIngestBatch;

/** A node_exporter-like batch: `samples` series over a few metrics, one host. */
function scrapeBatch(ts: number, samples = 500): IngestBatch {
  const batch: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  for (let i = 0; i < samples; i++) {
    batch.ts.push(ts);
    batch.host.push("bench-host");
    batch.metric.push(`node_metric_${Math.floor(i / 25)}`);
    batch.labels.push(`cpu=${i % 25},mode=idle,target=node`);
    batch.value.push(i);
  }
  return batch;
}

/** Median ms of one call of `check` on fresh copies of the batch (strings rebuilt per batch, as
 * a scrape's are). */
function timeCheck(check: Check, ts: number, rounds: number): number {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const batch = structuredClone(scrapeBatch(ts));
    const t0 = performance.now();
    for (let k = 0; k < 20; k++) check(batch, { now: ts });
    times.push((performance.now() - t0) / 20);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: { baseline: { type: "string" }, rounds: { type: "string", default: "200" } },
  });
  const rounds = Number(values.rounds);
  const ts = Date.UTC(2026, 0, 1);
  const baseline: Check | undefined = values.baseline
    ? (await import(pathToFileURL(resolve(values.baseline)).href)).checkIngestBatch
    : undefined;
  // warm both, then interleave so that both see the same machine load
  for (let w = 0; w < 3; w++) {
    timeCheck(checkIngestBatch, ts, 20);
    if (baseline) timeCheck(baseline, ts, 20);
  }
  const now: number[] = [], old: number[] = [];
  for (let rep = 0; rep < 5; rep++) {
    now.push(timeCheck(checkIngestBatch, ts, rounds / 5));
    if (baseline) old.push(timeCheck(baseline, ts, rounds / 5));
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.log(`checkIngestBatch, 500-sample batch: ${median(now).toFixed(4)} ms`);
  if (baseline) {
    console.log(`baseline checkIngestBatch:           ${median(old).toFixed(4)} ms`);
    console.log(`ratio new / old:                     ${(median(now) / median(old)).toFixed(2)}`);
  }
  const root = Deno.makeTempDirSync();
  let clock = ts;
  const writer = new IngestWriter({ root, sync: false, now: () => clock });
  const writes: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const batch = scrapeBatch(clock);
      const t0 = performance.now();
      writer.writeBatch(batch);
      writes.push(performance.now() - t0);
      clock += 1000;
      if (r % 50 === 49) writer.flush();
    }
  } finally {
    writer.close();
    Deno.removeSync(root, { recursive: true });
  }
  console.log(`IngestWriter.writeBatch, 500 samples: ${median(writes).toFixed(4)} ms (median)`);
}
