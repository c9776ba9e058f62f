/**
 * `perfscope anomaly`: scores each point of a series (a CSV file or a lake series) with the
 * streaming anomaly detector and prints `timestamp,value,anomaly_score`.
 *
 * @module
 */

import { scoreSeries } from "../analytics/mod.ts";
import { csvLine } from "../format/mod.ts";
import { parseFlags, parseNumber, runMain } from "./_args.ts";
import {
  readSeriesSource,
  seriesInputHelp,
  seriesInputOptions,
  seriesSource,
} from "./_series_input.ts";

/**
 * Default cut-off: the score the Capacity page and the report mark anomalies at (a value about
 * 16 % of its history's range beyond it; 0.5 is merely the edge of the range).
 */
const CUTOFF = 0.9;
/** How many of the strongest anomalies the summary names. */
const TOP = 5;
/** Said when the series is shorter than the detector's learning (its defaults). */
const LEARNING_NOTE =
  "the series is shorter than the detector's learning (100 values and an hour): every score is 0";

/** Whether the series ends within the default learning: < 100 values or < 1 hour of them. */
function stillLearning(ts: Float64Array, values: Float64Array): boolean {
  const seen = [...values.keys()].filter((i) => Number.isFinite(values[i]!));
  if (seen.length <= 100) return true;
  return ts[seen.at(-1)!]! - ts[seen[0]!]! < 3_600_000;
}

const HELP = `Usage: deno task anomaly (--input FILE.csv | --metric NAME) [options]

Scores every point with the streaming anomaly detector (each score uses only earlier points) and
prints CSV: timestamp (ISO 8601), value, anomaly_score in [0, 1], one row per input row in order.
A summary goes to stderr: the cut-off, how many points score at or above it, and the top ones.

${seriesInputHelp}

Options:
  --cutoff X            score at or above which a point counts as an anomaly (default:
                        ${CUTOFF}, as on the Capacity page and in the report: a value about 16 %
                        of its history's range beyond that range; 0.5 is the range's edge)
  -h, --help            show this help`;

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @param write Where the CSV goes (default: stdout).
 * @param warn Where the summary goes (default: stderr).
 * @returns The exit code (0 on success).
 * @throws {UsageError} For a bad or missing flag or a named column that is absent (exit 2).
 * @throws {Error} If the input cannot be read or parsed, is not sorted by time, holds no
 * numeric value, or the lake has no such series (exit 1).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => void Deno.stdout.writeSync(new TextEncoder().encode(t)),
  warn: (text: string) => void = (t) => void Deno.stderr.writeSync(new TextEncoder().encode(t)),
): Promise<number> {
  const { values } = parseFlags(args, {
    ...seriesInputOptions,
    cutoff: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    write(HELP + "\n");
    return 0;
  }
  // usage mistakes are UsageErrors (exit 2); unreadable or unusable data exits 1
  const cutoff = parseNumber(values.cutoff ?? String(CUTOFF), "cutoff", { min: 0, max: 1 });
  const series = await readSeriesSource(seriesSource(values));
  const scores = scoreSeries(series.ts, series.values);
  let out = csvLine(["timestamp", "value", "anomaly_score"]);
  const hits: number[] = [];
  for (let i = 0; i < scores.length; i++) {
    const ts = new Date(series.ts[i]!).toISOString();
    const score = scores[i]!.toFixed(6);
    const value = series.values[i]!;
    out += csvLine([ts, Number.isNaN(value) ? null : value, score]);
    // compared as printed, so the count agrees with the CSV
    if (Number(score) >= cutoff) hits.push(i);
  }
  write(out);
  hits.sort((a, b) => scores[b]! - scores[a]! || a - b);
  const top = hits.slice(0, TOP).map((i) =>
    `${new Date(series.ts[i]!).toISOString()} (${scores[i]!.toFixed(3)})`
  );
  warn(
    `anomaly: ${series.from}: ${scores.length} points, cut-off ${cutoff}: ` +
      `${hits.length} at or above` + (top.length ? `; strongest: ${top.join(", ")}` : "") +
      (stillLearning(series.ts, series.values) ? `; ${LEARNING_NOTE}` : "") + "\n",
  );
  return 0;
}

if (import.meta.main) runMain("anomaly", main);
