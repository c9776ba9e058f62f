/**
 * What reading the ingest buffer with the files costs a series read (`Lake.includeBuffered`):
 * the same `seriesMany` over a simulated lake (2 hosts × 3 days, one file an hour) through the
 * shared views, pinned to one listing with an empty buffer, and with 1,000 and 100,000 buffered
 * rows of the metric read, handed to DuckDB by tables a second connection fills
 * (`handover: "tables"`) or by table functions reading them from memory (`"scan"`). Rounds
 * alternate the forms; medians side by side.
 *
 * `deno run -A bench/buffered_read_bench.ts [--rounds 15]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { IngestWriter, openLake, simulateHost } from "../lake/mod.ts";

const { values: flags } = parseArgs({ options: { rounds: { type: "string", default: "15" } } });
const rounds = Number(flags.rounds);
const DAY = 86_400_000;
const start = Date.UTC(2024, 0, 1);
const end = start + 3 * DAY;
const root = await Deno.makeTempDir({ prefix: "perfscope-buffered-bench-" });
for (const host of ["sim-a", "sim-b"]) {
  simulateHost({ root, host, start, durationMs: 3 * DAY, stepMs: 10_000, cpus: 4 });
}
// one lake per way of handing buffered rows to DuckDB (`OpenLakeOptions.handover`)
const lakes = {
  tables: await openLake({ root, handover: "tables" }),
  scan: await openLake({ root, handover: "scan" }),
};
const writers: Record<string, IngestWriter> = {};
const forms = [
  "views",
  "pinned, empty",
  "1,000 rows, tables",
  "1,000 rows, scan",
  "100,000 rows, tables",
  "100,000 rows, scan",
] as const;
for (const [form, rows] of [["1,000 rows", 1_000], ["100,000 rows", 100_000]] as const) {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-buffered-bench-writer-" });
  const w = new IngestWriter({
    root: dir,
    sync: false,
    now: () => end,
    maxBufferedRows: 200_000,
    flushRows: 1_000_000,
    flushEveryMs: 3_600_000,
  });
  // one cpu_ratio series per host, a row every 10 ms up to the end of the lake's last hour
  for (let at = 0; at < rows; at += 10_000) {
    const n = Math.min(10_000, rows - at);
    const ts = Array.from({ length: n }, (_, i) => end - 1 - (at + i) * 10);
    w.writeBatch({
      ts,
      host: ts.map((_, i) => (i % 2 ? "sim-a" : "sim-b")),
      metric: ts.map(() => "cpu_ratio"),
      labels: ts.map(() => "cpu=total,mode=user"),
      value: ts.map((_, i) => (i % 100) / 100),
    });
  }
  writers[form] = w;
}
const read = (lake: typeof lakes.scan) =>
  lake.seriesMany({
    metric: "cpu_ratio",
    labelsLike: "cpu=total,%",
    from: end - 3_600_000,
    to: end,
  });
const times = new Map<string, number[]>(forms.map((f) => [f, []]));
const points = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const form of forms) {
    const lake = form.endsWith("tables") ? lakes.tables : lakes.scan;
    lake.includeBuffered(
      form === "views"
        ? undefined
        : form === "pinned, empty"
        ? emptySource()
        : writers[form.split(", ")[0]!],
    );
    const t0 = performance.now();
    const got = await read(lake);
    times.get(form)!.push(performance.now() - t0);
    points.set(form, got.series.reduce((n, s) => n + s.ts.length, 0));
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(times.get("views")!);
console.log(`seriesMany over the last hour, ${rounds} rounds (median ms, ratio to views, points)`);
for (const form of forms) {
  const m = median(times.get(form)!);
  console.log(
    `${form.padEnd(22)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}×  ${
      points.get(form)
    }`,
  );
}
for (const rows of ["1,000 rows", "100,000 rows"]) {
  const scan = median(times.get(`${rows}, scan`)!), tables = median(times.get(`${rows}, tables`)!);
  console.log(`${rows}: scan / tables ${(scan / tables).toFixed(2)}×`);
}
lakes.tables.close();
lakes.scan.close();
for (const w of Object.values(writers)) w.close();
await Deno.remove(root, { recursive: true });

function emptySource() {
  return {
    bufferedRows: () => ({
      ts: [],
      value: [],
      series: [],
      host: [],
      metric: [],
      labels: [],
      date: [],
    }),
    bufferedSeries: () => [],
    bufferedExtent: () => new Map(),
  };
}
