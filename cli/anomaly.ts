/**
 * `perfscope anomaly`: scores each row of a CSV time series with the streaming anomaly
 * detector and prints `timestamp,value,anomaly_score`.
 *
 * @module
 */

import { readCsvSeries } from "../analytics/csv_series.ts";
import { scoreSeries } from "../analytics/anomaly.ts";
import { runMain, UsageError } from "./_args.ts";

const HELP = `Usage: perfscope anomaly --input FILE.csv [--time-column C] [--value-column V]

Scores every row with the streaming anomaly detector (each score uses only earlier rows) and
prints CSV: timestamp (ISO 8601), value, anomaly_score in [0, 1].

Options:
  --input FILE          CSV with a header row (required)
  --time-column C       time column (default: timestamp, else the first column)
  --value-column V      value column (default: value, else the last numeric column)
  -h, --help            show this help`;

const FLAGS = new Set(["--input", "--time-column", "--value-column"]);

function parseArgs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(name)) throw new UsageError(`Unknown argument: ${arg} (see --help)`);
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined || value === "") throw new UsageError(`Missing value for ${name}`);
    out[name.slice(2)] = value;
  }
  return out;
}

function formatValue(v: number): string {
  return Number.isNaN(v) ? "" : String(v);
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @returns The exit code (0 on success).
 * @throws {UsageError} For a bad or missing flag or an unreadable CSV layout.
 * @throws {Deno.errors.NotFound} If the input file does not exist.
 */
export async function main(args: string[]): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const flags = parseArgs(args);
  if (flags.input === undefined) throw new UsageError("Missing --input (see --help)");
  const text = await Deno.readTextFile(flags.input);
  let series;
  try {
    series = readCsvSeries(text, {
      ...(flags["time-column"] === undefined ? {} : { timeColumn: flags["time-column"] }),
      ...(flags["value-column"] === undefined ? {} : { valueColumn: flags["value-column"] }),
    });
  } catch (error) {
    if (error instanceof RangeError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
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
