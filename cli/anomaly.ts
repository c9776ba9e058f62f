/**
 * `perfscope anomaly`: scores each point of a series (a CSV file or a lake series) with the
 * streaming anomaly detector and prints `timestamp,value,anomaly_score`.
 *
 * @module
 */

import { scoreSeries } from "../analytics/mod.ts";
import { parseFlags, runMain } from "./_args.ts";
import {
  readSeriesSource,
  seriesInputHelp,
  seriesInputOptions,
  seriesSource,
} from "./_series_input.ts";

const HELP = `Usage: perfscope anomaly (--input FILE.csv | --metric NAME) [options]

Scores every point with the streaming anomaly detector (each score uses only earlier points) and
prints CSV: timestamp (ISO 8601), value, anomaly_score in [0, 1], one row per input row in order.

${seriesInputHelp}

  -h, --help            show this help`;

function formatValue(v: number): string {
  return Number.isNaN(v) ? "" : String(v);
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @returns The exit code (0 on success).
 * @throws {UsageError} For a bad or missing flag or a named column that is absent (exit 2).
 * @throws {Error} If the input cannot be read or parsed, is not sorted by time, holds no
 * numeric value, or the lake has no such series (exit 1).
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    ...seriesInputOptions,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  // usage mistakes are UsageErrors (exit 2); unreadable or unusable data exits 1
  const series = await readSeriesSource(seriesSource(values));
  const scores = scoreSeries(series.ts, series.values);
  const lines = ["timestamp,value,anomaly_score"];
  for (let i = 0; i < scores.length; i++) {
    const ts = new Date(series.ts[i]!).toISOString();
    lines.push(`${ts},${formatValue(series.values[i]!)},${scores[i]!.toFixed(6)}`);
  }
  await Deno.stdout.write(new TextEncoder().encode(lines.join("\n") + "\n"));
  return 0;
}

if (import.meta.main) runMain("anomaly", main);
