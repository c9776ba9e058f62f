/**
 * `deno task report [--data DIR] [--since 14d] [--horizon 30d] [--hosts h1,h2] [--out PATH]
 * [--now ISO] [--title TEXT]`: writes one self-contained HTML capacity report (default
 * `DATA/reports/capacity-YYYY-MM-DD.html`; `--out -` writes it to stdout) and prints its path
 * and size. The report renders
 * the one capacity analysis (`analyzeCapacity`), with the same defaults as the Capacity page.
 *
 * @module
 */
import {
  existingLake,
  parseFlags,
  parseHosts,
  parseNumber,
  parseSpan,
  runMain,
  UsageError,
} from "./_args.ts";
import { dirname, join } from "node:path";
import {
  buildReport,
  createProgressBar,
  renderReport,
  writeReport,
  type WriteReportOptions,
} from "../reports/mod.ts";
import { SOURCE_HELP, sourceFromFlag } from "./_source.ts";
import { commandConfig } from "./_config.ts";
import { openLakeWithSpool } from "./_lake_with_spool.ts";
import { checkSourceHosts } from "./_check_hosts.ts";
import { openSqlSandbox, type SqlSandbox } from "../web/mod.ts";
import { loadAppMetrics } from "./_app_metrics_file.ts";

const usage =
  "Usage: deno task report [--data DIR | --source URL] [--since 14d] [--horizon 30d] [--hosts h1,h2] [--out PATH] [--now ISO] [--title TEXT] [--config FILE] [--dashboard NAME ...] [--charts N] [--bootstrap N]\n" +
  "  --out - writes the HTML to stdout; --now defaults to the newest sample in the lake; ETAs need 1 day of history and 1/4 of the horizon.\n" +
  SOURCE_HELP + "\n" +
  "  --charts N            chart the N most pressing resources, the rest in the table\n" +
  "                        (default: all from the lake, 20 from a --source)\n" +
  "  --bootstrap N         bootstrap rounds per ETA interval (default 200, at least 50: fewer\n" +
  "                        rounds are quicker and give a noisier interval)\n" +
  "  --config FILE         settings file (data:; sources: names for --source; services:, dashboards:)\n" +
  "  --dashboard NAME      export a dashboard of the config's dashboards: into the report (repeatable);\n" +
  "                        the config's services: name the services whose indicators and USL capacity the report shows.";

/**
 * Runs the command.
 *
 * @param args Command-line arguments.
 * @returns The exit code (0 on success).
 * @throws {UsageError} On a bad flag or value.
 */
export async function main(args: string[]): Promise<number> {
  const { values } = parseFlags(args, {
    data: { type: "string" },
    since: { type: "string" },
    horizon: { type: "string" },
    hosts: { type: "string" },
    out: { type: "string" },
    now: { type: "string" },
    title: { type: "string" },
    source: { type: "string" },
    charts: { type: "string" },
    bootstrap: { type: "string" },
    config: { type: "string" },
    dashboard: { type: "string", multiple: true },
    help: { type: "boolean", short: "h", default: false },
  });
  if (values.help) {
    console.log(usage);
    return 0;
  }
  // an empty --out (an unset shell variable) failed only after the whole analysis, on the rename
  // to '' with the OS's words
  if (values.out === "") {
    throw new UsageError("Invalid --out: empty (give the file to write, e.g. capacity.html)");
  }
  const toStdout = values.out === "-";
  // a folder was found out only after the whole analysis, by the final rename
  if (
    values.out !== undefined && !toStdout && (values.out.endsWith("/") || isDirectory(values.out))
  ) {
    throw new UsageError(
      `Invalid --out: ${values.out} is a folder (give the file to write, e.g. ${
        join(values.out, "capacity.html")
      })`,
    );
  }
  // the report is renamed over --out: over a device node (as root, /dev/full) or a link
  // (/dev/stdout) that would replace the node or the link itself, not write into it
  const kind = values.out === undefined || toStdout ? undefined : notRegular(values.out);
  if (kind !== undefined) {
    throw new UsageError(
      `Invalid --out: ${values.out} is ${kind}, not a regular file (the report is written ` +
        "beside it and renamed over it; give a file's own path)",
    );
  }
  const now = values.now === undefined ? undefined : Date.parse(values.now);
  if (now !== undefined && !Number.isFinite(now)) {
    throw new UsageError(`Invalid --now: ${values.now} (use an ISO date)`);
  }
  const hosts = values.hosts === undefined ? undefined : parseHosts(values.hosts);
  const sinceMs = values.since === undefined ? undefined : parseSpan(values.since, "since");
  const horizonMs = values.horizon === undefined ? undefined : parseSpan(values.horizon, "horizon");
  const config = await commandConfig(values.config);
  const data = values.data ?? config.data ?? "data";
  const dashboards = (values.dashboard ?? []).map((name) => {
    const d = config.dashboards?.find((x) => x.name === name);
    if (!d) {
      const known = config.dashboards?.map((x) => x.name).join(", ") || "none configured";
      throw new UsageError(`Unknown --dashboard: ${name} (dashboards: ${known})`);
    }
    return d;
  });
  const charts = values.charts === undefined
    ? (values.source === undefined ? undefined : 20)
    : parseNumber(values.charts, "charts", { min: 0, integer: true });
  // Below 50 rounds the 10th and 90th percentiles rest on a handful of rounds each.
  const bootstrap = values.bootstrap === undefined
    ? undefined
    : parseNumber(values.bootstrap, "bootstrap", { min: 50, integer: true });
  const source = values.source === undefined
    ? undefined
    : sourceFromFlag(values.source, config, now === undefined ? undefined : () => now);
  // units of application metrics, as the receivers of serve saved them (dashboard panels)
  if (source === undefined) existingLake(data);
  loadAppMetrics(data);
  const bar = createProgressBar();
  const started = performance.now();
  const lake = source ?? await openLakeWithSpool(data);
  // SQL panels run in the same read-only sandbox as on the web (views only, time and memory caps)
  const sandbox: SqlSandbox | undefined = dashboards.some((d) => d.panels.some((p) => p.sql))
    ? await openSqlSandbox({ root: data })
    : undefined;
  const options: WriteReportOptions = {
    ...(charts === undefined ? {} : { charts }),
    ...(bootstrap === undefined ? {} : { bootstrap }),
    root: data,
    ...(values.out === undefined || toStdout ? {} : { out: values.out }),
    ...(now === undefined ? {} : { now }),
    ...(sinceMs === undefined ? {} : { sinceMs }),
    ...(horizonMs === undefined ? {} : { horizonMs }),
    ...(hosts === undefined ? {} : { hosts }),
    ...(values.title === undefined ? {} : { title: values.title }),
    ...(config.services && { services: config.services }),
    ...(dashboards.length > 0 && { dashboards }),
    ...(sandbox && { runSql: (sql: string) => sandbox.query(sql) }),
    onProgress: (done, total, label) => bar.update(done, total, label),
  };
  // where the file goes, named in a failure to write it
  const target = values.out ?? `${join(data, "reports")}/`;
  let written: { path: string; bytes: number };
  try {
    await checkSourceHosts(lake, hosts, {
      flag: "hosts",
      where: source ? source.where ?? source.name : data,
    });
    if (toStdout) {
      const html = new TextEncoder().encode(await renderReport(await buildReport(lake, options)));
      // written in full: a pipe takes a large write in pieces
      for (let at = 0; at < html.length;) at += await Deno.stdout.write(html.subarray(at));
      written = { path: "stdout", bytes: html.length };
    } else {
      // an unwritable place (a read-only lake, --out /proc/x.html) is found before the analysis,
      // not by the OS's words about a temporary file after it
      const folder = values.out === undefined ? join(data, "reports") : dirname(values.out);
      await probeFolder(folder, target);
      try {
        written = await writeReport(lake, options);
      } catch (error) {
        throw writeFailure(error, folder, target);
      }
    }
  } finally {
    await sandbox?.close();
    if ("close" in lake) await lake.close();
  }
  bar.done(
    `wrote ${written.path} (${(written.bytes / 1024).toFixed(0)} KiB) in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  if (!toStdout) console.log(written.path);
  return 0;
}

/**
 * Makes the folder (as the write would) and creates and removes a file in it.
 *
 * @throws {Error} `Cannot write TARGET: the OS's reason`.
 */
async function probeFolder(folder: string, target: string): Promise<void> {
  try {
    await Deno.mkdir(folder, { recursive: true });
  } catch (error) {
    // "File exists (os error 17): mkdir" for a file where a folder goes
    if (error instanceof Deno.errors.AlreadyExists) {
      throw new Error(`Cannot write ${target}: ${folder} is not a folder`, { cause: error });
    }
    throw new Error(`Cannot write ${target}: ${osReason(error)}`, { cause: error });
  }
  const probe = join(folder, `.perfscope-report-${Deno.pid}.tmp`);
  try {
    (await Deno.open(probe, { write: true, create: true, truncate: true })).close();
  } catch (error) {
    throw new Error(`Cannot write ${target}: ${osReason(error)}`, { cause: error });
  }
  await Deno.remove(probe);
}

/** A failure of the write itself (the disk filled during the analysis) as one line naming the
 * report's place; other failures as they are. */
function writeFailure(error: unknown, folder: string, target: string): unknown {
  const message = error instanceof Error ? error.message : "";
  if (!/\(os error \d+\)/.test(message) || !message.includes(folder)) return error;
  return new Error(`Cannot write ${target}: ${osReason(error)}`, { cause: error });
}

/** The OS's reason without Deno's operation and path: `Permission denied (os error 13)`. */
function osReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^.*?\(os error \d+\)/.exec(message)?.[0] ?? message.split("\n")[0]!;
}

/** Whether the path is an existing folder (false when it does not exist). */
function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/** What an existing path is when it is not a regular file (links not followed), else
 * `undefined` (a regular file, or nothing yet). */
function notRegular(path: string): string | undefined {
  let info: Deno.FileInfo;
  try {
    info = Deno.lstatSync(path);
  } catch {
    return undefined;
  }
  if (info.isFile) return undefined;
  if (info.isSymlink) return "a symbolic link";
  if (info.isFifo) return "a FIFO";
  if (info.isCharDevice || info.isBlockDevice) return "a device";
  if (info.isSocket) return "a socket";
  return "not a regular file";
}

if (import.meta.main) await runMain("report", main);
