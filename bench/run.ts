/**
 * Runs every benchmark in one process, one after another, so their figures print side by side
 * in one run: `deno task bench [--quick] [--only NAME,...]`.
 *
 * Each bench file exports `run(options)` that prints an aligned table and returns its figures.
 *
 * @module
 */
import { parseFlags, runMain, UsageError } from "../cli/_args.ts";

/** Options every bench's `run()` accepts. */
export interface BenchOptions {
  /** Shorter runs (fewer seconds, fewer repetitions) for a quick look; default false. */
  quick?: boolean;
}

const benches = [
  "collector",
  "lake",
  "web",
  "forecast",
  "m4",
  "forecast_columns",
  "forecast_length",
  "forecast_window",
  "anomaly",
  "anomaly_robustness",
  "capacity",
  "report",
  "fleet_capacity",
  "notify",
  "receivers",
  "ingest_write",
  "alerts",
  "alerts_e2e",
  "ingest_soak",
  "remote_write",
  "fleet_ingest",
  "forecast_transform",
  "ratio_transform",
  "nonratio_transform",
  "m4_clip",
  "buffered_read",
  "spool_read",
  "query_buffered",
  "receivers_ab",
];

/** Benches that cannot run here on their own, with the one-line reason printed instead. */
const SKIPPED: Record<string, string> = {
  receivers_ab: "needs --old DIR, an older checkout: deno run -A bench/receivers_ab.ts --old DIR",
};

/** A bench's file: soaks and A/B comparisons are named for what they do, the others <name>_bench. */
function benchFile(name: string): string {
  return /_(soak|ab)$/.test(name) ? `${name}.ts` : `${name}_bench.ts`;
}

const USAGE = `Usage: deno task bench [--quick] [--only NAME,...]

Runs every benchmark one after another and prints their figures side by side; the figures also
go to bench/last_run.json (with --only, beside the other benches' figures from earlier runs).

Options:
  --quick          shorter runs (fewer seconds, fewer repetitions)
  --only NAMES     only these benches, comma-separated: ${benches.join(", ")}
  --out FILE       where the figures go (default bench/last_run.json)
  -h, --help       show this help`;

/**
 * Runs the benches the flags select.
 *
 * @param args Command-line arguments.
 * @returns The exit code.
 * @throws {UsageError} On an unknown flag or bench name (before anything runs or is written).
 */
async function main(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    quick: { type: "boolean", default: false },
    only: { type: "string" },
    out: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const only = values.only === undefined ? undefined : new Set(values.only.split(","));
  // an unknown name used to run nothing and overwrite last_run.json with an empty summary
  const unknown = [...only ?? []].filter((name) => !benches.includes(name));
  if (unknown.length > 0) {
    throw new UsageError(`Unknown bench: ${unknown.join(", ")} (known: ${benches.join(", ")})`);
  }
  const out = values.out ?? new URL("./last_run.json", import.meta.url);
  // --only used to replace the file with its own benches: the others' figures were lost
  const summary: Record<string, unknown> = only ? earlierFigures(out) : {};
  const ran: string[] = [];
  for (const name of benches) {
    if (only && !only.has(name)) continue;
    const file = new URL(`./${benchFile(name)}`, import.meta.url);
    try {
      Deno.statSync(file);
    } catch {
      continue;
    }
    console.log(`\n## ${name}\n`);
    if (name in SKIPPED) {
      console.log(`(${name}: skipped, ${SKIPPED[name]})`);
      continue;
    }
    const mod = await import(file.href) as { run?: (o: BenchOptions) => Promise<unknown> };
    if (typeof mod.run !== "function") {
      console.log(`(${benchFile(name)} has no run())`);
      continue;
    }
    const started = performance.now();
    ran.push(name);
    delete summary[name];
    try {
      summary[name] = await mod.run({ quick: values.quick });
    } catch (error) {
      console.log(`${name} bench failed: ${error instanceof Error ? error.message : error}`);
    }
    console.log(`(${name}: ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  }
  await Deno.writeTextFile(
    out,
    JSON.stringify({ at: new Date().toISOString(), ran, summary }, null, 2) + "\n",
  );
  return 0;
}

/** The figures of an earlier run's file; none when it is missing or not one. */
function earlierFigures(file: string | URL): Record<string, unknown> {
  try {
    const summary = JSON.parse(Deno.readTextFileSync(file))?.summary;
    return typeof summary === "object" && summary !== null && !Array.isArray(summary)
      ? summary
      : {};
  } catch {
    return {};
  }
}

if (import.meta.main) await runMain("bench", main);
