/**
 * `deno task maintenance --duration 2h [--within 7d] [--metric M] [--host H] [--data DIR]
 * [--json] [--balance]`: the quietest maintenance window by forecast load, honouring the config's
 * blackouts; `--balance` prints load-balancing advice across hosts instead.
 *
 * @module
 */
import { lakeSource } from "../analytics/mod.ts";
import { metricNameProblem } from "../lake/mod.ts";
import { balanceAdvice, findMaintenanceWindow } from "../workflows/mod.ts";
import { existingLake, parseFlags, parseSpan, runMain, UsageError } from "./_args.ts";
import { commandConfig, CONFIG_FLAG, CONFIG_HELP } from "./_config.ts";
import { openLakeWithSpool } from "./_lake_with_spool.ts";
import { checkSourceHosts } from "./_check_hosts.ts";

const USAGE =
  `Usage: deno task maintenance --duration 2h [--within 7d] [--metric M] [--host H] [--data DIR]
       deno task maintenance --balance [--within 3d] [--data DIR]

Proposes the maintenance window of that length with the lowest forecast load (mean of the upper
80 % band) in the next days, avoiding the blackouts in the config, with a confidence from how well
the seasonal profile predicted past weeks. With less than two weeks of history it uses an
hour-of-week median profile and says so; with less than a day it says "not enough data yet".
--balance: which hosts have headroom (forecast CPU and memory peaks) and where to move work,
across every host with samples (so --duration, --metric and --host do not go with it).

Options:
  --duration DUR    window length (required without --balance)
  --within DUR      look this far ahead (default 7d; 3d with --balance)
  --metric M        load metric: cpu_busy (default), memory_used_ratio or any lake metric
  --host H          host (default the one with the newest data)
  --data DIR        lake root (default data)
  --now ISO         pretend the time is this (replays, tests)
  --json            print JSON
  --balance         load-balancing advice across hosts
${CONFIG_HELP}
  -h, --help        show this help`;

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @param write Where output goes. Default stdout.
 * @returns Exit code 0 (also for "not enough data yet").
 * @throws {UsageError} On bad or missing flags (exit 2).
 */
export async function main(
  args: string[],
  write: (text: string) => void = (text) => console.log(text),
): Promise<number> {
  const { values } = parseFlags(args, {
    duration: { type: "string" },
    within: { type: "string" },
    metric: { type: "string" },
    host: { type: "string" },
    data: { type: "string" },
    now: { type: "string" },
    json: { type: "boolean" },
    balance: { type: "boolean" },
    ...CONFIG_FLAG,
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    write(USAGE);
    return 0;
  }
  if (values.balance) {
    // --balance compares every host with samples; a window's flags went unused without a word,
    // so `--balance --host web1` printed the same advice as if --host were not there
    for (const flag of ["host", "duration", "metric"] as const) {
      if (values[flag] !== undefined) {
        throw new UsageError(
          `--${flag} does not go with --balance, which compares every host with samples ` +
            `(drop --${flag}, or drop --balance to find a maintenance window)`,
        );
      }
    }
  }
  if (!values.balance && values.duration === undefined) {
    throw new UsageError("Missing --duration (e.g. --duration 2h), or pass --balance");
  }
  const durationMs = values.duration === undefined ? 0 : parseSpan(values.duration, "duration");
  const withinMs = parseSpan(values.within ?? (values.balance ? "3d" : "7d"), "within");
  if (!values.balance && durationMs > withinMs) {
    throw new UsageError(
      `Invalid --duration: ${values.duration} is longer than --within ${values.within ?? "7d"}`,
    );
  }
  const metric = values.metric;
  if (metric !== undefined && metricNameProblem(metric) !== undefined) {
    throw new UsageError(`Invalid --metric: ${metric} (use a metric name like cpu_busy)`);
  }
  let now = Date.now();
  if (values.now !== undefined) {
    now = Date.parse(values.now);
    if (!Number.isFinite(now)) {
      throw new UsageError(`Invalid --now: ${values.now} (use an ISO date)`);
    }
  }
  const config = await commandConfig(values.config);
  const root = existingLake(values.data ?? config.data ?? "data");
  const lake = await openLakeWithSpool(root);
  try {
    const source = lakeSource(lake);
    if (values.host !== undefined) {
      await checkSourceHosts(source, [values.host], { flag: "host", where: root });
    }
    if (values.balance) {
      const advice = await balanceAdvice(source, { now, withinMs });
      if (values.json) write(JSON.stringify(advice, null, 2));
      else {
        write(advice.message);
        for (const h of advice.hosts) {
          const p = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)} %`);
          write(
            `  ${h.host.padEnd(20)} cpu peak ${p(h.cpuPeak).padStart(5)}  memory peak ${
              p(h.memoryPeak).padStart(5)
            }  headroom ${p(h.headroom).padStart(5)}  (${h.method})`,
          );
        }
      }
      return 0;
    }
    const w = await findMaintenanceWindow(source, {
      durationMs,
      withinMs,
      now,
      ...(metric !== undefined && { metric }),
      ...(values.host !== undefined && { host: values.host }),
      ...(config.blackouts && { blackouts: config.blackouts }),
      ...(config.schedule?.timezone && { timezone: config.schedule.timezone }),
    });
    if (values.json) write(JSON.stringify(w, null, 2));
    else {
      write(w.message);
      if (w.status === "ok") {
        write(`  how: ${w.note}`);
        write(
          `  confidence: ${w.confidenceLabel}${
            w.confidence === null ? "" : ` (${w.confidence})`
          }, ${w.confidenceNote}`,
        );
        for (const a of w.alternatives) {
          write(`  also: ${a.start} → ${a.end} (≈ ${a.expectedLoad.toPrecision(3)})`);
        }
        if (w.blackouts.length) {
          write(
            `  avoided ${w.blackouts.length} blackout period${w.blackouts.length === 1 ? "" : "s"}`,
          );
        }
      }
    }
    return 0;
  } finally {
    lake.close();
  }
}

if (import.meta.main) runMain("maintenance", (args) => main(args));
