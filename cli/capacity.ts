/**
 * `perfscope capacity`: when will a series reach a threshold? Reads a CSV file or a lake
 * series, fits the capacity model and prints JSON with the median ETA and its 80 % interval.
 *
 * @module
 */

import { capacityForecast } from "../analytics/capacity_forecast.ts";
import { parseDuration, parseFlags, parseNumber, runMain, UsageError } from "./_args.ts";
import {
  readSeriesSource,
  seriesInputHelp,
  seriesInputOptions,
  type SeriesSource,
  seriesSource,
} from "./_series_input.ts";

const HELP = `Usage: perfscope capacity --threshold X (--input FILE.csv | --metric NAME) [options]

Estimates when the series reaches X and prints JSON: eta, eta_low, eta_high (80 % interval,
ISO 8601 or null when not within the horizon), model, status, growth_per_day, current, headroom.

${seriesInputHelp}

Options:
  --threshold X         the limit, in the series' unit (required)
  --horizon D           how far ahead to look, e.g. 90d (default: 90d)
  --direction up|down   reach X from below (default) or from above (e.g. free bytes)
  -h, --help            show this help
`;

/** Options read from the command line. */
interface Flags {
  threshold: number;
  horizonMs: number;
  direction: "up" | "down";
  source: SeriesSource;
}

function readFlags(args: string[]): Flags | undefined {
  const parsed = parseFlags(args, {
    ...seriesInputOptions,
    threshold: { type: "string" },
    horizon: { type: "string" },
    direction: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  const v = parsed.values;
  if (v.help) return undefined;
  if (v.threshold === undefined) throw new UsageError("Missing --threshold: the limit to reach");
  const threshold = parseNumber(v.threshold, "threshold");
  const horizonMs = parseDuration(v.horizon ?? "90d", "horizon");
  const direction = v.direction ?? "up";
  if (direction !== "up" && direction !== "down") {
    throw new UsageError(`Invalid --direction: ${direction} (use up or down)`);
  }
  return { threshold, horizonMs, direction, source: seriesSource(v) };
}

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where the output goes (default: stdout).
 * @returns The exit code: 0 on success.
 * @throws {UsageError} For bad flags or columns (exit 2 under `runMain`).
 * @throws {Error} When the input cannot be read or holds no usable value (exit 1).
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
  const { ts, values, from } = await readSeriesSource(flags.source);
  if (!values.some(Number.isFinite)) throw new Error(`No numeric values in ${from}`);
  const f = capacityForecast(ts, values, {
    threshold: flags.threshold,
    horizonMs: flags.horizonMs,
    direction: flags.direction,
  });
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  const num = (x: number) => (Number.isFinite(x) ? x : null);
  const out = {
    source: from,
    status: f.status,
    model: f.model,
    eta: iso(f.eta),
    eta_low: iso(f.etaLow),
    eta_high: iso(f.etaHigh),
    eta_days: f.eta === null ? null : (f.eta - f.now) / 86_400_000,
    now: iso(f.now),
    threshold: f.threshold,
    current: num(f.current),
    headroom: num(f.headroom),
    growth_per_day: num(f.growthPerDay),
    residual_scale: num(f.residualScale),
    points: f.points,
    horizon_days: flags.horizonMs / 86_400_000,
  };
  write(JSON.stringify(out, null, 2) + "\n");
  return 0;
}

if (import.meta.main) runMain("capacity", main);
