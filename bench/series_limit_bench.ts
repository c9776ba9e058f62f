/**
 * The series limits' admission path, ns per sample: `SeriesLimit.admit` as a scrape target's
 * limit calls it (10 000 series a batch, all known; and the first batch after each hourly reset,
 * when the series are carried on or counted again), and `IngestSeriesLimit.filter` on
 * `/api/ingest` batches (20 hosts × 500 series known; and a first push of 100 000 new series).
 * With `--baseline-limit` / `--baseline-ingest` (older files saved beside the current ones, e.g.
 * `git show <rev>:receivers/series_limit.ts > receivers/_baseline_series_limit.ts` and
 * `git show <rev>:web/ingest_series_limit.ts > web/_baseline_ingest_series_limit.ts`), those are
 * measured in the same run, interleaved, and the ratio printed.
 * `deno run -A bench/series_limit_bench.ts [--baseline-limit …] [--baseline-ingest …]`.
 * Prints figures; never asserts.
 *
 * @module
 */

import { parseFlags, parseNumber, runMain } from "../cli/_args.ts";
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import type { IngestBatch } from "../lake/mod.ts";
import { SeriesLimit } from "../receivers/mod.ts";
import { IngestSeriesLimit } from "../web/mod.ts";

type Limit = { admit(key: string): boolean; roll?(): void };
type LimitClass = new (o: { maxSeries: number; now: () => number }) => Limit;
type Ingest = { filter(batch: IngestBatch): { batch: IngestBatch } };
type IngestClass = new (o: { now: () => number }) => Ingest;

const HOUR = 3_600_000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Scrape-shaped keys: `n` series over a few metrics, as the exposition parser caches them. */
function scrapeKeys(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `http_requests_total\n${i % 50}\nroute=/r${i}`);
}

/** One timed round (ms) of a workload on one implementation; its state lives in the closure. */
type Round = () => number;

/** Admits every key once a round (a batch: the window rolled first, as `BatchBuilder` does,
 * where the limit can); with `reset`, every round is an hour later and begins with one new
 * series (the window before this change started again only at a new series). */
function limitRounds(make: LimitClass, keys: string[], reset: boolean): Round {
  let now = 0;
  const limit = new make({ maxSeries: 100_000, now: () => now });
  for (const k of keys) limit.admit(k);
  let r = 0;
  return () => {
    if (reset) now += HOUR;
    const t = performance.now();
    limit.roll?.();
    if (reset) limit.admit(`new_series\n\nround=${r++}`);
    for (const k of keys) limit.admit(k);
    return performance.now() - t;
  };
}

/** A push of `hosts` × `series` samples (labels canonical, strings fresh as a parse gives). */
function pushBatch(hosts: number, series: number, ts: number, tag = ""): IngestBatch {
  const b: IngestBatch = { ts: [], host: [], metric: [], labels: [], value: [] };
  for (let h = 0; h < hosts; h++) {
    for (let s = 0; s < series; s++) {
      b.ts.push(ts);
      b.host.push(`host-${h}`);
      b.metric.push(`app_metric_${s % 20}`);
      b.labels.push(`id=${tag}${s}`);
      b.value.push(s);
    }
  }
  return b;
}

/** `filter` of a fleet's steady pushes: 20 hosts × 500 series, all known. */
function ingestKnownRounds(make: IngestClass): Round {
  const limit = new make({ now: () => 0 });
  limit.filter(pushBatch(20, 500, 0));
  let r = 0;
  return () => {
    const batch = structuredClone(pushBatch(20, 500, ++r));
    const t = performance.now();
    limit.filter(batch);
    return performance.now() - t;
  };
}

/** `filter` of a first push of 100 000 new series, 5 000 of each of 20 hosts (all admitted: at
 * both default limits' edge), on a fresh limit each round. */
function ingestNewRounds(make: IngestClass): Round {
  let r = 0;
  return () => {
    const limit = new make({ now: () => 0 });
    const batch = pushBatch(20, 5_000, 0, `r${++r}-`);
    const t = performance.now();
    limit.filter(batch);
    return performance.now() - t;
  };
}

async function load<T>(path: string | undefined, name: string): Promise<T | undefined> {
  if (path === undefined) return undefined;
  const mod = await import(pathToFileURL(resolve(path)).href);
  // a file without the class used to measure no baseline and say nothing
  if (typeof mod[name] !== "function") throw new Error(`${path} exports no ${name}`);
  return mod[name] as T;
}

const USAGE = `Usage: deno run -A bench/series_limit_bench.ts [options]

The series limits' admission path, ns per sample, beside a baseline module round by round.

Options:
  --baseline-limit FILE    an older receivers/series_limit.ts to measure beside the current one
  --baseline-ingest FILE   an older web/ingest_series_limit.ts, likewise
  --rounds N               rounds per row (default 200)
  -h, --help               show this help`;

async function main(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    "baseline-limit": { type: "string" },
    "baseline-ingest": { type: "string" },
    rounds: { type: "string", default: "200" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const rounds = parseNumber(values.rounds!, "rounds", { min: 1, max: 1e6, integer: true });
  const oldLimit = await load<LimitClass>(values["baseline-limit"], "SeriesLimit");
  const oldIngest = await load<IngestClass>(values["baseline-ingest"], "IngestSeriesLimit");
  const keys = scrapeKeys(10_000);
  const rows: [string, number, (m: unknown) => Round, unknown, unknown][] = [
    [
      "SeriesLimit.admit, 10k known series",
      10_000,
      (m) => limitRounds(m as LimitClass, keys, false),
      SeriesLimit,
      oldLimit,
    ],
    [
      "SeriesLimit.admit, every batch past a reset",
      10_001,
      (m) => limitRounds(m as LimitClass, keys, true),
      SeriesLimit,
      oldLimit,
    ],
    [
      "IngestSeriesLimit.filter, 20 hosts × 500 known",
      10_000,
      (m) => ingestKnownRounds(m as IngestClass),
      IngestSeriesLimit,
      oldIngest,
    ],
    [
      "IngestSeriesLimit.filter, 100k new series",
      100_000,
      (m) => ingestNewRounds(m as IngestClass),
      IngestSeriesLimit,
      oldIngest,
    ],
  ];
  console.log(`ns per sample (median of ${rounds} rounds; old and new alternating round by round)`);
  for (const [name, samples, rounds_, current, baseline] of rows) {
    const n = rounds_(current);
    const b = baseline === undefined ? undefined : rounds_(baseline);
    const now: number[] = [];
    const before: number[] = [];
    const many = samples > 10_001 ? Math.max(5, Math.floor(rounds / 4)) : rounds;
    for (let r = 0; r < many; r++) {
      // which goes first alternates, so a warm or cold moment favours neither
      if (b && r % 2 === 1) before.push(b());
      now.push(n());
      if (b && r % 2 === 0) before.push(b());
    }
    const ns = (ms: number[]) => (median(ms) * 1e6) / samples;
    const line = `${name.padEnd(48)} new ${ns(now).toFixed(1).padStart(7)}`;
    if (b === undefined) console.log(line);
    else {
      const ratio = ns(now) / ns(before);
      console.log(`${line}  old ${ns(before).toFixed(1).padStart(7)}  new/old ${ratio.toFixed(2)}`);
    }
  }
  return 0;
}

if (import.meta.main) await runMain("bench", main);
