/**
 * `perfscope usl`: fits Gunther's Universal Scalability Law to throughput against concurrency
 * read from CSV and prints σ, κ, λ, the peak and R² as JSON.
 *
 * @module
 */
import { fitUsl } from "../analytics/mod.ts";
import { csvRecords } from "../format/mod.ts";
import { parseFlags, parseNumber, runMain, UsageError } from "./_args.ts";
import { readBounded } from "./_read_bounded.ts";
import { MAX_INPUT_MB } from "./_series_input.ts";

const HELP = `Usage: deno task usl --input FILE.csv [options]

Fits X(N) = λN / (1 + σ(N−1) + κN(N−1)) by least squares and prints JSON:
  {"sigma","kappa","lambda","peak_concurrency","peak_throughput","r2","intervals","points"}
(intervals: 95 % ranges of σ, κ, λ from the fit's Jacobian; null with 3 points).

Options:
  --input FILE.csv             a CSV with a header row (required)
  --concurrency-column NAME    column of N (default: concurrency)
  --throughput-column NAME     column of X (default: throughput)
  --max-input-mb N             refuse a file larger than this (default: ${MAX_INPUT_MB}); lines
                               of at most 65536 characters
  -h, --help                   show this help
`;

/** Columns a "missing column" message names before it counts the rest. */
const LISTED_COLUMNS = 10;

/**
 * Runs the command.
 *
 * @param args Command-line arguments (without the command name).
 * @param write Where the JSON goes (default: stdout).
 * @returns The exit code: 0 on success.
 * @throws {UsageError} For bad flags or a missing column (exit 2).
 * @throws {Error} When the file cannot be read, a cell is not a number or the rows are too few
 * (exit 1).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => void Deno.stdout.writeSync(new TextEncoder().encode(t)),
): Promise<number> {
  const { values: v } = parseFlags(args, {
    input: { type: "string" },
    "concurrency-column": { type: "string" },
    "throughput-column": { type: "string" },
    "max-input-mb": { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (v.help) {
    write(HELP);
    return 0;
  }
  if (!v.input) throw new UsageError("Missing --input: a CSV file with concurrency and throughput");
  const nCol = v["concurrency-column"] ?? "concurrency";
  const xCol = v["throughput-column"] ?? "throughput";
  const mb = parseNumber(v["max-input-mb"] ?? String(MAX_INPUT_MB), "max-input-mb", {
    min: 1,
    max: 1024,
  });
  // the reader of forecast's CSV: lines bounded, blank lines skipped, each record's own line
  const { rows, lines } = csvRecords(await readBounded(v.input, Math.round(mb * 1024 * 1024)));
  const header = (rows[0] ?? []).map((h) => h.trim());
  const at = [nCol, xCol].map((col) => header.indexOf(col));
  for (const [k, col] of [nCol, xCol].entries()) {
    if (at[k]! < 0) {
      const more = header.length - LISTED_COLUMNS;
      const names = header.slice(0, LISTED_COLUMNS).join(", ") +
        (more > 0 ? `, … and ${more} more` : "");
      throw new UsageError(
        `Missing column ${JSON.stringify(col)} in ${v.input} (columns: ${names})`,
      );
    }
  }
  const n: number[] = [], x: number[] = [];
  for (let r = 1; r < rows.length; r++) {
    const cellN = rows[r]![at[0]!], cellX = rows[r]![at[1]!];
    const a = Number(cellN), b = Number(cellX);
    if (cellN === undefined || cellN.trim() === "" || !Number.isFinite(a) || !(a > 0)) {
      throw new Error(`Invalid ${nCol} on line ${lines[r]}: ${JSON.stringify(cellN ?? "")}`);
    }
    if (cellX === undefined || cellX.trim() === "" || !Number.isFinite(b) || b < 0) {
      throw new Error(`Invalid ${xCol} on line ${lines[r]}: ${JSON.stringify(cellX ?? "")}`);
    }
    n.push(a), x.push(b);
  }
  // a bad cell or too few rows is the data's fault, not the call's: exit 1, as forecast,
  // anomaly and capacity answer a bad CSV (usl said 2, a usage error)
  const fit = fitUsl(n, x);
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
