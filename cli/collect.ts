/**
 * `deno task collect`: sample this host into the lake until the duration ends or SIGINT/SIGTERM
 * (the buffered minute is flushed on exit). One collector per data directory: a second one exits
 * 1 naming the first (`DATA/collector.lock`).
 *
 * `serve` runs it as a child process with the undocumented `--supervised`: the lock then names
 * serve, and the collector also stops when its stdin closes, which happens when serve exits in
 * any way, `kill -9` included.
 *
 * @module
 */

import { startCollection } from "../lake/mod.ts";
import { parseDuration, parseNumber, runMain, UsageError } from "./_args.ts";

const usage = `Usage: deno task collect [options]

Samples this host into the Parquet lake until --duration ends or Ctrl-C / SIGTERM.

Options:
  --interval DUR   time between snapshots (default 1s)
  --data DIR       lake root (default data)
  --duration DUR   stop after this long (default: run until stopped)
  --flush DUR      time between Parquet flushes (default 60s)
  --top N          top processes by CPU and by memory (default 5)
  --host NAME      host name stored with the samples (default: this host's name)
  --config FILE    settings file (default ./perfscope.yaml when present; flags win)
  -h, --help       show this help

Only one collector may write a data directory: a second one exits 1 and names the first.`;

/**
 * Runs the collector in the foreground.
 *
 * @param args Command-line arguments.
 * @returns Exit code 0 after a clean stop.
 * @throws {UsageError} On bad flags.
 * @throws {LakeError} If the data directory cannot be written.
 */
export async function main(args: string[]): Promise<number> {
  const values = await withConfig(parseFlags(args));
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const intervalMs = parseDuration(values.interval, "interval");
  const flushEveryMs = parseDuration(values.flush, "flush");
  const durationMs = values.duration === undefined
    ? undefined
    : parseDuration(values.duration, "duration");
  const topN = parseNumber(values.top, "top", { min: 0, max: 100, integer: true });
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  let timer: ReturnType<typeof setTimeout> | undefined;
  for (const s of signals) Deno.addSignalListener(s, stop);
  if (values.supervised) stopOnStdinEnd(stop);
  try {
    const collection = await startCollection({
      root: values.data,
      intervalMs,
      flushEveryMs,
      topN,
      signal: controller.signal,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values.supervised ? { lock: { pid: Deno.ppid, command: "deno task serve" } } : {}),
    });
    console.error(
      `Collecting every ${values.interval} into ${values.data}` +
        (durationMs === undefined ? " until stopped (Ctrl-C)" : ` for ${values.duration}`),
    );
    if (durationMs !== undefined) timer = setTimeout(stop, durationMs);
    const summary = await collection.done;
    console.log(
      `Collected ${summary.snapshots} snapshots, wrote ${summary.rows} rows in ${summary.files} files` +
        (summary.replayed ? ` (replayed ${summary.replayed} rows from the spool)` : ""),
    );
    return 0;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}

/** Calls `stop` when stdin reaches its end: the parent holding the pipe's other end exited. */
function stopOnStdinEnd(stop: () => void): void {
  const buffer = new Uint8Array(64);
  const next = (): Promise<void> =>
    Deno.stdin.read(buffer).then((n) => n === null ? stop() : next(), stop);
  next();
}

interface Flags {
  interval: string;
  data: string;
  duration?: string;
  flush: string;
  top: string;
  host?: string;
  config?: string;
  help?: boolean;
  supervised?: boolean;
  noConfig?: boolean;
}

const valued = new Set(["interval", "data", "duration", "flush", "top", "host", "config"]);

/** The default of each flag the config file can set, for telling "given" from "defaulted". */
const DEFAULTS = { interval: "1s", data: "data", flush: "60s", top: "5" };

function ms(value: number): string {
  return value % 1000 === 0 ? `${value / 1000}s` : `${value}ms`;
}

/**
 * Fills the flags not given on the command line from the config file. The config module (and
 * with it the YAML parser and zod) is loaded only when there is a file to read, to keep the
 * collector's memory as it was for everyone who has none.
 */
async function withConfig(flags: Flags & { given: Set<string> }): Promise<Flags> {
  if (flags.noConfig || flags.help) return flags;
  let path = flags.config;
  if (path === undefined) {
    try {
      if (Deno.statSync("perfscope.yaml").isFile) path = "perfscope.yaml";
    } catch {
      return flags;
    }
  }
  const { loadConfig } = await import("../config/mod.ts");
  const { config } = await loadConfig(path);
  const c = config.collect ?? {};
  const take = (name: string, value: string | undefined) => {
    if (value !== undefined && !flags.given.has(name)) {
      (flags as unknown as Record<string, string>)[name] = value;
    }
  };
  take("data", config.data);
  take("interval", c.interval === undefined ? undefined : ms(c.interval));
  take("flush", c.flush === undefined ? undefined : ms(c.flush));
  take("top", c.top === undefined ? undefined : String(c.top));
  take("host", c.host);
  return flags;
}

/** `--name value`, `--name=value`, `--help`/`-h` (no `node:util`: ~6 MB less RSS). */
function parseFlags(args: string[]): Flags & { given: Set<string> } {
  const flags: Flags & { given: Set<string> } = { ...DEFAULTS, given: new Set() };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === "-h" || arg === "--help") {
      flags.help = true;
      continue;
    }
    if (arg === "--supervised") {
      flags.supervised = true;
      continue;
    }
    if (arg === "--no-config") {
      flags.noConfig = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : "";
    if (!valued.has(name)) {
      throw new UsageError(
        arg.startsWith("-") ? `Unknown option: ${arg}` : `Unexpected argument: ${arg}`,
      );
    }
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`Option --${name} needs a value`);
    flags[name as Exclude<keyof Flags, "help" | "supervised" | "noConfig">] = value;
    flags.given.add(name);
  }
  return flags;
}

if (import.meta.main) runMain("collect", main);
