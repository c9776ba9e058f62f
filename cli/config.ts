/**
 * `deno task config check [--config F]`: read and validate `perfscope.yaml` and say what it sets,
 * or print the first problem as `file:line:column: key: what is wrong` and exit 1.
 *
 * @module
 */
import { Cron } from "croner";
import { ConfigError, loadConfig, type PerfscopeConfig, unreadableFile } from "../config/mod.ts";
import { parseFlags, runMain, UsageError } from "./_args.ts";
import { withDurationText } from "./_config_durations.ts";

/** A schedule whose next time is further away than this is named with it (a month). */
const RARE_MS = 31 * 86_400_000;

const USAGE = `Usage: deno task config check [--config FILE]

Reads the config file (FILE, else ./perfscope.yaml when present), validates every key and prints
the settings it holds as JSON (durations as the file takes them: "1m", "1h30m"), then each cron
schedule that fires less than once a month with its next time. Exits 1 on the first problem, naming its file, line
and column (a cron with a seconds field, or one that never fires, is a problem).

Options:
  --config FILE   the file to check (default ./perfscope.yaml)
  -h, --help      show this help`;

/**
 * Runs `config check`.
 *
 * @param args Command-line arguments.
 * @param write Where output goes. Default: stdout.
 * @param now The clock, for the next time of rare schedules. Default `Date.now`.
 * @returns 0 when the file is valid (or absent and not asked for).
 * @throws {UsageError} On bad flags or an unknown subcommand.
 * @throws {ConfigError} When the file is missing (if named) or invalid.
 */
export async function main(
  args: string[],
  write: (text: string) => void = (t) => console.log(t),
  now: () => number = Date.now,
): Promise<number> {
  const { values, positionals } = parseFlags(args, {
    config: { type: "string" },
    help: { type: "boolean", short: "h" },
  }, true);
  if (values.help) {
    write(USAGE);
    return 0;
  }
  if (positionals[0] !== "check") {
    throw new UsageError(`Expected the subcommand "check", got ${positionals[0] ?? "none"}`);
  }
  if (positionals.length > 1) {
    // `config check FILE` read as "got check FILE", as if "check" itself were wrong
    throw new UsageError(
      `Unexpected argument ${JSON.stringify(positionals[1])}: the file is given with --config FILE`,
    );
  }
  const { config, path } = await loadConfig(values.config);
  if (path === undefined) {
    write("No perfscope.yaml here: every setting takes its default (see examples/perfscope.yaml)");
    return 0;
  }
  const missing = await unreadableFile(config, path);
  if (missing) throw new ConfigError(missing);
  const shown = withDurationText(await Deno.readTextFile(path), config);
  write(`${path}: valid\n${JSON.stringify(shown, null, 2)}`);
  for (const line of rareSchedules(config, now())) write(line);
  return 0;
}

/** The cron expressions of a config, each with the key it sits under. */
function crons(config: PerfscopeConfig): [string, string][] {
  const out: [string, string][] = [];
  for (const key of ["compact", "train", "report", "backtest"] as const) {
    const cron = config.schedule?.[key];
    if (cron) out.push([`schedule.${key}`, cron]);
  }
  config.workflows?.forEach((w, i) => {
    if ("schedule" in w.trigger) out.push([`workflows[${i}].trigger.schedule`, w.trigger.schedule]);
  });
  config.blackouts?.forEach((b, i) => {
    if ("cron" in b) out.push([`blackouts[${i}].cron`, b.cron]);
  });
  return out;
}

/** One line per schedule that fires less than once a month: a 29 February is rare, not wrong. */
function rareSchedules(config: PerfscopeConfig, at: number): string[] {
  const timezone = config.schedule?.timezone ?? "UTC";
  const lines: string[] = [];
  for (const [key, cron] of crons(config)) {
    const next = new Cron(cron, { paused: true, timezone }).nextRun(new Date(at))?.getTime();
    if (next !== undefined && next - at > RARE_MS) {
      const local = timezone === "UTC" ? "" : ` (${localTime(next, timezone)} ${timezone})`;
      lines.push(
        `${key}: ${JSON.stringify(cron)} fires rarely: next ${
          new Date(next).toISOString()
        }${local}`,
      );
    }
  }
  return lines;
}

/** `2028-02-29 03:00`: the wall-clock time in a zone, as the expression reads it. */
function localTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(ms);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

if (import.meta.main) runMain("config", main);
