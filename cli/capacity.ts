/**
 * `perfscope capacity`: when will a series reach a threshold? Reads a CSV file or a lake
 * series, fits the capacity model and prints JSON with the median ETA and its 80 % interval.
 *
 * @module
 */

import { parseArgs } from "node:util";
import { readCsvSeries } from "../analytics/csv_series.ts";
import { capacityForecast } from "../analytics/capacity_forecast.ts";
import { formatLabels } from "../collectors/sample.ts";
import { openLake } from "../lake/mod.ts";
import { parseDuration, parseNumber, runMain, UsageError } from "./_args.ts";

const HELP = `Usage: perfscope capacity --threshold X (--input FILE.csv | --metric NAME) [options]

Estimates when the series reaches X and prints JSON: eta, eta_low, eta_high (80 % interval,
ISO 8601 or null when not within the horizon), model, status, growth_per_day, current, headroom.

Input (one of):
  --input FILE          CSV with a header row
  --metric NAME         a lake series, e.g. filesystem_used_bytes

Options:
  --threshold X         the limit, in the series' unit (required)
  --time-column C       CSV time column (default: timestamp, else the first column)
  --value-column V      CSV value column (default: value, else the last numeric column)
  --labels k=v[,k=v]    lake series labels (default: none)
  --host H              lake host (default: all hosts averaged)
  --data DIR            lake root (default: data)
  --since D             lake history to read, e.g. 14d (default: 14d)
  --horizon D           how far ahead to look, e.g. 90d (default: 90d)
  --direction up|down   reach X from below (default) or from above (e.g. free bytes)
  -h, --help            show this help
`;

/** Options read from the command line. */
interface Flags {
  threshold: number;
  horizonMs: number;
  direction: "up" | "down";
  source:
    | { kind: "csv"; input: string; timeColumn?: string; valueColumn?: string }
    | {
      kind: "lake";
      metric: string;
      labels: string;
      host?: string;
      data: string;
      sinceMs: number;
    };
}

function parseFlags(args: string[]): Flags | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: {
        input: { type: "string" },
        threshold: { type: "string" },
        "time-column": { type: "string" },
        "value-column": { type: "string" },
        metric: { type: "string" },
        labels: { type: "string" },
        host: { type: "string" },
        data: { type: "string" },
        since: { type: "string" },
        horizon: { type: "string" },
        direction: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(`Invalid arguments: ${(error as Error).message.split("\n")[0]}`);
  }
  const v = parsed.values;
  if (v.help) return undefined;
  if (v.threshold === undefined) throw new UsageError("Missing --threshold: the limit to reach");
  const threshold = parseNumber(v.threshold, "threshold");
  const horizonMs = parseDuration(v.horizon ?? "90d", "horizon");
  const direction = v.direction ?? "up";
  if (direction !== "up" && direction !== "down") {
    throw new UsageError(`Invalid --direction: ${direction} (use up or down)`);
  }
  if ((v.input === undefined) === (v.metric === undefined)) {
    throw new UsageError("Missing input: give either --input FILE.csv or --metric NAME");
  }
  if (v.input !== undefined) {
    return {
      threshold,
      horizonMs,
      direction,
      source: {
        kind: "csv",
        input: v.input,
        ...(v["time-column"] !== undefined && { timeColumn: v["time-column"] }),
        ...(v["value-column"] !== undefined && { valueColumn: v["value-column"] }),
      },
    };
  }
  return {
    threshold,
    horizonMs,
    direction,
    source: {
      kind: "lake",
      metric: v.metric!,
      labels: canonicalLabels(v.labels ?? ""),
      ...(v.host !== undefined && { host: v.host }),
      data: v.data ?? "data",
      sinceMs: parseDuration(v.since ?? "14d", "since"),
    },
  };
}

/** `k=v,k=v` → the canonical label string (keys sorted, escaped); throws on a malformed pair. */
function canonicalLabels(text: string): string {
  if (text.trim() === "") return "";
  const labels: Record<string, string> = {};
  for (const pair of text.split(",")) {
    const i = pair.indexOf("=");
    if (i <= 0) throw new UsageError(`Invalid --labels: ${text} (use k=v[,k=v])`);
    labels[pair.slice(0, i).trim()] = pair.slice(i + 1).trim();
  }
  return formatLabels(labels);
}

async function readSeries(
  source: Flags["source"],
): Promise<{ ts: Float64Array; values: Float64Array; from: string }> {
  if (source.kind === "csv") {
    let text: string;
    try {
      text = await Deno.readTextFile(source.input);
    } catch (error) {
      throw new Error(`Cannot read --input ${source.input}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    try {
      const s = readCsvSeries(text, {
        ...(source.timeColumn !== undefined && { timeColumn: source.timeColumn }),
        ...(source.valueColumn !== undefined && { valueColumn: source.valueColumn }),
      });
      return { ts: s.ts, values: s.values, from: `${source.input}:${s.valueColumn}` };
    } catch (error) {
      const message = (error as Error).message;
      if (/--(time|value)-column/.test(message)) throw new UsageError(message, { cause: error });
      throw error;
    }
  }
  const lake = await openLake({ root: source.data });
  try {
    const to = Date.now() + 1;
    const s = await lake.series({
      metric: source.metric,
      labels: source.labels,
      ...(source.host !== undefined && { host: source.host }),
      from: to - source.sinceMs,
      to,
    });
    if (s.ts.length === 0) {
      throw new Error(
        `No data for ${source.metric}{${source.labels}} in ${source.data} over the last ${
          source.sinceMs / 86_400_000
        } days`,
      );
    }
    return { ts: s.ts, values: s.values, from: `${source.metric}{${source.labels}} (${s.tier})` };
  } finally {
    lake.close();
  }
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
  const flags = parseFlags(args);
  if (!flags) {
    write(HELP);
    return 0;
  }
  const { ts, values, from } = await readSeries(flags.source);
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
