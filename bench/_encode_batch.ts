/**
 * Encoding one remote-write batch of this host's real series, with the library path (`pbf`, then
 * `snappyjs`) and with {@linkcode WriteRequestEncoder}: CPU per batch and bytes. Run by
 * bench/remote_write_bench.ts with the collect task's V8 flags (interpreted, as in the
 * collector); prints one JSON line.
 *
 * Run: `deno run --v8-flags=--lite-mode,--single-threaded -A bench/_encode_batch.ts [seconds]`.
 *
 * @module
 */

import process from "node:process";
import { createSampler } from "../collectors/mod.ts";
import { encodeWriteRequest, WriteRequestEncoder, type WriteSeries } from "../export/mod.ts";

/** Figures of one encoder. */
export interface EncodeFigures {
  /** CPU per batch, ms. */
  cpuMs: number;
  /** Body bytes. */
  bytes: number;
}

function cpuMsPer(n: number, f: () => unknown): number {
  f();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) f();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000 / n;
}

/**
 * Samples this host `seconds + 1` times (the first gives no rates) and encodes the batch both ways.
 *
 * @param seconds Snapshots in the batch (the sender's default batch is 5 s).
 * @returns The figures and the batch's size.
 */
export async function encodeBatch(seconds = 5): Promise<
  { series: number; samples: number; library: EncodeFigures; ours: EncodeFigures }
> {
  using sampler = createSampler({ host: "bench" });
  const by = new Map<string, WriteSeries & { ts: number[]; values: number[] }>();
  sampler.sample();
  for (let k = 0; k < seconds; k++) {
    await new Promise((r) => setTimeout(r, 250));
    const ts = 1_764_000_000_000 + k * 1000;
    for (const s of sampler.sample()) {
      if (Number.isNaN(s.value)) continue;
      const key = `${s.metric}{${JSON.stringify(s.labels)}}`;
      let entry = by.get(key);
      if (!entry) {
        const labels = Object.entries({ ...s.labels, __name__: s.metric, host: s.host })
          .sort((a, b) => (a[0] < b[0] ? -1 : 1));
        by.set(key, entry = { labels, ts: [], values: [] });
      }
      entry.ts.push(ts);
      entry.values.push(s.value);
    }
  }
  const series = [...by.values()];
  const encoder = new WriteRequestEncoder();
  return {
    series: series.length,
    samples: series.reduce((a, s) => a + s.ts.length, 0),
    library: {
      cpuMs: cpuMsPer(40, () => encodeWriteRequest(series)),
      bytes: encodeWriteRequest(series).length,
    },
    ours: {
      cpuMs: cpuMsPer(40, () => encoder.encode(series)),
      bytes: encoder.encode(series).length,
    },
  };
}

if (import.meta.main) console.log(JSON.stringify(await encodeBatch(Number(Deno.args[0] ?? 5))));
