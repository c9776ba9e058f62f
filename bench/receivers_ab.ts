/**
 * The receivers' label cleaning of this checkout beside an older one's, in one run (as
 * `serve_scrape_ab.ts` does for serve's scrape CPU):
 * `StatsdAggregator.packet` lines/s (the receivers bench's 10-line packet with one tag a line,
 * lines with four tags whose names have `.` and `-`, lines with two tags that clean to one name)
 * and `convertOtlp` points/s (3 attributes a point). The two checkouts alternate round by round
 * (which goes first alternates too; median of 21 rounds), so the machine's load moves both alike;
 * each row prints both figures and after/before. Prints figures, never asserts.
 *
 * Run: `deno run -A bench/receivers_ab.ts --old DIR`, where DIR is an older checkout (e.g.
 * `git archive <commit> | tar -x -C DIR`, with `node_modules` linked).
 *
 * @module
 */
import { benchMain } from "./_flags.ts";
import { parseFlags, UsageError } from "../cli/_args.ts";
import * as after from "../receivers/mod.ts";

type Receivers = typeof after;

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
}

function packet(tags: (i: number) => string): string {
  const types = ["c", "g", "ms", "c", "s"];
  return Array.from({ length: 10 }, (_, i) => `bench.m${i % 5}:${i}|${types[i % 5]}|#${tags(i)}`)
    .join("\n");
}

const PACKETS: [string, string][] = [
  ["StatsD, receivers bench packet (1 tag a line)", packet((i) => `k:v${i % 3}`)],
  [
    "StatsD, 4 tags a line (names with . and -)",
    packet((i) => `service.name:api,route:/r${i % 3},http.method:GET,k8s-pod:p1`),
  ],
  ["StatsD, tags a.b and a_b (one name)", packet((i) => `a.b:v${i % 3},a_b:w`)],
];

function statsdLinesPerSecond(r: Receivers, text: string, n: number): number {
  let t = 0;
  const agg = new r.StatsdAggregator({ host: "h", now: () => t });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    agg.packet(text);
    if (i % 1000 === 999) {
      t += 1000;
      agg.flush();
    }
  }
  return (n * 10) / ((performance.now() - t0) / 1000);
}

function otlpPointsPerSecond(r: Receivers, rounds: number): number {
  const kv = (key: string, v: string) => ({ key, value: { stringValue: v } });
  const attrs = (
    i: number,
  ) => [kv("http.route", `/r${i}`), kv("http.method", "GET"), kv("status", "200")];
  const metrics = Array.from({ length: 20 }, (_, m) => ({
    name: `m.${m}`,
    gauge: {
      dataPoints: Array.from({ length: 100 }, (_, i) => ({ asDouble: i, attributes: attrs(i) })),
    },
  }));
  const req = {
    resourceMetrics: [{
      resource: { attributes: [kv("service.name", "api")] },
      scopeMetrics: [{ metrics }],
    }],
  };
  const state = new r.CumulativeState();
  const t0 = performance.now();
  let points = 0;
  for (let i = 0; i < rounds; i++) {
    const out = new r.BatchBuilder({ host: "h", ts: i, source: "otlp" });
    points += r.convertOtlp(req, state, out, { now: i }).points;
    out.batch();
  }
  return points / ((performance.now() - t0) / 1000);
}

/** Options of {@linkcode run}. */
export interface ReceiversAbOptions {
  /** An older checkout (its `receivers/mod.ts` is imported). */
  old: string;
}

/**
 * Runs the comparison and prints its table.
 *
 * @param options See {@linkcode ReceiversAbOptions}.
 * @returns Each row's name, before and after (per second).
 */
export async function run(options: ReceiversAbOptions): Promise<[string, number, number][]> {
  const url = new URL(`file://${Deno.realPathSync(options.old)}/receivers/mod.ts`);
  const before: Receivers = await import(url.href);
  const cases: [string, (r: Receivers) => number][] = [
    ...PACKETS.map(([name, text]): [string, (r: Receivers) => number] => [
      name,
      (r) => statsdLinesPerSecond(r, text, 10_000),
    ]),
    ["OTLP convertOtlp, 3 attributes a point", (r) => otlpPointsPerSecond(r, 10)],
  ];
  const out: [string, number, number][] = [];
  for (const [name, measure] of cases) {
    const b: number[] = [], a: number[] = [];
    for (let round = 0; round < 21; round++) {
      if (round % 2) {
        b.push(measure(before));
        a.push(measure(after));
      } else {
        a.push(measure(after));
        b.push(measure(before));
      }
    }
    out.push([name, median(b), median(a)]);
  }
  const w = Math.max(...out.map((r) => r[0].length));
  for (const [name, b, a] of out) {
    const unit = name.startsWith("OTLP") ? "points/s" : "lines/s";
    console.log(
      `${name.padEnd(w)}  before ${Math.round(b).toLocaleString("en")} ${unit}  after ${
        Math.round(a).toLocaleString("en")
      } ${unit}  after/before ${(a / b).toFixed(3)}`,
    );
  }
  return out;
}

const USAGE = `Usage: deno run -A bench/receivers_ab.ts --old DIR

StatsD aggregation and OTLP conversion (label cleaning) of this checkout beside an older one
(DIR), alternating round by round.

Options:
  --old DIR     the older checkout (required), e.g. git archive <commit> | tar -x -C DIR, with
                node_modules linked
  -h, --help    show this help`;

/** The flags: --old required. */
function flags(args: string[]): ReceiversAbOptions {
  const { values } = parseFlags(args, { old: { type: "string" } });
  if (!values.old) throw new UsageError("--old DIR is required (an older checkout)");
  return { old: values.old };
}

if (import.meta.main) await benchMain(USAGE, flags, run);
