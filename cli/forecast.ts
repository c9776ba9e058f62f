/**
 * `perfscope forecast`: forecasts the next H points of a series read from CSV and prints them
 * as CSV with 80 % and 95 % prediction intervals.
 *
 * @module
 */

import { forecast } from "../analytics/mod.ts";
import { parseFlags, parseNumber, runMain, UsageError } from "./_args.ts";
import {
  readSeriesSource,
  seriesInputHelp,
  seriesInputOptions,
  type SeriesSource,
  seriesSource,
} from "./_series_input.ts";

const HELP = `Usage: perfscope forecast (--input FILE.csv | --metric NAME) --horizon H [options]

Forecasts the H steps after the last row and prints CSV:
  timestamp,mean,lo80,hi80,lo95,hi95

${seriesInputHelp}

Options:
  --horizon H           steps to forecast, integer ≥ 1 (required)
  --season auto|N       seasonal period in rows, 0 for none (default: auto)
  -h, --help            show this help
`;

/** Options read from the command line. */
interface Flags {
  source: SeriesSource;
  horizon: number;
  season: "auto" | number;
}

function readFlags(args: string[]): Flags | undefined {
  const parsed = parseFlags(args, {
    ...seriesInputOptions,
    horizon: { type: "string" },
    season: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.values;
  if (v.help) return undefined;
  const source = seriesSource(v);
  if (v.horizon === undefined) throw new UsageError("Missing --horizon: the number of steps");
  const horizon = parseNumber(v.horizon, "horizon", { min: 1, max: 1_000_000, integer: true });
  const s = v.season ?? "auto";
  const season = s === "auto" ? "auto" : parseNumber(s, "season", { min: 0, integer: true });
  if (season === 1) throw new UsageError("Invalid --season: 1 (use 0 for none or a period ≥ 2)");
  return { source, horizon, season };
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where output lines go (default: stdout).
 * @returns The exit code: 0 on success.
 * @throws {UsageError} For bad flags or columns (exit 2 under `runMain`).
 * @throws {Error} When the file cannot be read or holds no usable value, or the forecast is
 * not finite (values near the float limit, ±1e308) (exit 1).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => void Deno.stdout.writeSync(new TextEncoder().encode(t)),
): Promise<number> {
  const flags = readFlags(args);
  if (!flags) {
    write(HELP);
    return 0;
  }
  const series = await readSeriesSource(flags.source);
  if (!series.values.some(Number.isFinite)) {
    throw new Error(`No numeric values in ${series.from}`);
  }
  const stepMs = Number.isFinite(series.stepMs) && series.stepMs > 0 ? series.stepMs : NaN;
  if (Number.isNaN(stepMs)) {
    throw new Error(
      `Cannot infer the time step of ${series.from}: needs two rows with increasing times`,
    );
  }
  // Squares of values past ~1e154 overflow inside the models: fit on scaled values instead
  let scale = 0;
  for (const v of series.values) if (Math.abs(v) > scale) scale = Math.abs(v);
  scale = scale > 1e150 ? scale : 1;
  const values = scale === 1 ? series.values : series.values.map((v) => v / scale);
  const f = forecast(values, { horizon: flags.horizon, season: flags.season, stepMs });
  const last = series.ts[series.ts.length - 1]!;
  const lines = ["timestamp,mean,lo80,hi80,lo95,hi95"];
  for (let h = 0; h < flags.horizon; h++) {
    const ts = new Date(last + (h + 1) * stepMs).toISOString();
    const row = [f.mean[h]!, f.lo80[h]!, f.hi80[h]!, f.lo95[h]!, f.hi95[h]!].map((x) => x * scale);
    if (!row.every(Number.isFinite)) {
      throw new Error(
        `Cannot forecast ${series.from}: the forecast is not finite at step ${h + 1}` +
          (scale === 1
            ? ""
            : ` (the values reach ±${scale}); rescale the input, e.g. to other units`),
      );
    }
    lines.push([ts, ...row].join(","));
  }
  write(lines.join("\n") + "\n");
  return 0;
}

if (import.meta.main) runMain("forecast", main);
