/**
 * `perfscope usl`: fits Gunther's Universal Scalability Law to throughput against concurrency
 * read from CSV and prints σ, κ, λ, the peak and R² as JSON.
 *
 * @module
 */
import { csvParse } from "d3-dsv";
import { fitUsl } from "../analytics/mod.ts";
import { parseFlags, runMain, UsageError } from "./_args.ts";
import { readBounded } from "./_read_bounded.ts";

const HELP = `Usage: perfscope usl --input FILE.csv [options]

Fits X(N) = λN / (1 + σ(N−1) + κN(N−1)) by least squares and prints JSON:
  {"sigma","kappa","lambda","peak_concurrency","peak_throughput","r2","intervals","points"}
(intervals: 95 % ranges of σ, κ, λ from the fit's Jacobian; null with 3 points).

Options:
  --input FILE.csv             a CSV with a header row (required)
  --concurrency-column NAME    column of N (default: concurrency)
  --throughput-column NAME     column of X (default: throughput)
  -h, --help                   show this help
`;

const MAX_BYTES = 64 * 1024 * 1024;

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where the JSON goes (default: stdout).
 * @returns The exit code: 0 on success.
 * @throws {UsageError} For bad flags, a missing column or a non-numeric cell (exit 2).
 * @throws {Error} When the file cannot be read (exit 1).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => void Deno.stdout.writeSync(new TextEncoder().encode(t)),
): Promise<number> {
  const { values: v } = parseFlags(args, {
    input: { type: "string" },
    "concurrency-column": { type: "string" },
    "throughput-column": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    write(HELP);
    return 0;
  }
  if (!v.input) throw new UsageError("Missing --input: a CSV file with concurrency and throughput");
  const nCol = v["concurrency-column"] ?? "concurrency";
  const xCol = v["throughput-column"] ?? "throughput";
  const rows = csvParse(await readBounded(v.input, MAX_BYTES));
  for (const col of [nCol, xCol]) {
    if (!rows.columns.includes(col)) {
      throw new UsageError(
        `Missing column ${JSON.stringify(col)} in ${v.input} (columns: ${rows.columns.join(", ")})`,
      );
    }
  }
  const n: number[] = [], x: number[] = [];
  for (const [i, row] of rows.entries()) {
    const a = Number(row[nCol]), b = Number(row[xCol]);
    if (row[nCol]?.trim() === "" || !Number.isFinite(a) || !(a > 0)) {
      throw new UsageError(`Invalid ${nCol} on line ${i + 2}: ${JSON.stringify(row[nCol])}`);
    }
    if (row[xCol]?.trim() === "" || !Number.isFinite(b) || b < 0) {
      throw new UsageError(`Invalid ${xCol} on line ${i + 2}: ${JSON.stringify(row[xCol])}`);
    }
    n.push(a), x.push(b);
  }
  let fit;
  try {
    fit = fitUsl(n, x);
  } catch (error) {
    throw new UsageError((error as Error).message, { cause: error });
  }
  write(
    JSON.stringify({
      sigma: fit.sigma,
      kappa: fit.kappa,
      lambda: fit.lambda,
      peak_concurrency: finite(fit.peakConcurrency),
      peak_throughput: finite(fit.peakThroughput),
      r2: finite(fit.r2),
      intervals: fit.intervals,
      points: fit.points,
    }) + "\n",
  );
  return 0;
}

/** JSON has no Infinity: an unbounded peak (κ = 0) is written as null. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

if (import.meta.main) runMain("usl", main);
