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
  const values = parseFlags(args);
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
  help?: boolean;
  supervised?: boolean;
}

const valued = new Set(["interval", "data", "duration", "flush", "top", "host"]);

/** `--name value`, `--name=value`, `--help`/`-h` (no `node:util`: ~6 MB less RSS). */
function parseFlags(args: string[]): Flags {
  const flags: Flags = { interval: "1s", data: "data", flush: "60s", top: "5" };
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
    const eq = arg.indexOf("=");
    const name = arg.startsWith("--") ? arg.slice(2, eq < 0 ? undefined : eq) : "";
    if (!valued.has(name)) {
      throw new UsageError(
        arg.startsWith("-") ? `Unknown option: ${arg}` : `Unexpected argument: ${arg}`,
      );
    }
    const value = eq < 0 ? args[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new UsageError(`Option --${name} needs a value`);
    flags[name as Exclude<keyof Flags, "help" | "supervised">] = value;
  }
  return flags;
}

if (import.meta.main) runMain("collect", main);
