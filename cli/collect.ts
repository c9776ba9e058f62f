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

// Not through lake/mod.ts: that surface loads DuckDB's bindings and hyparquet (with Node's
// compatibility layer), ~10 MB of resident memory the collector never uses.
import { quietWait } from "../collectors/mod.ts";
import {
  type Collection,
  type CollectionOptions,
  ReplayStopped,
  startCollection,
} from "../lake/collect_loop.ts";
import {
  dataFolder,
  durationFlag,
  parseDuration,
  parseFlags,
  parseNumber,
  runMain,
  UsageError,
} from "./_args.ts";
import { outboxCapBytes, type RemoteWriteEntry } from "./_remote_write_entry.ts";
import { counted } from "./_counted.ts";
import { hostNameFault } from "../config/label_rules.ts";
import { escapeControls } from "../format/escape_controls.js";

// In a variable, so that the remote-write module stays out of collect's module graph: Deno
// loads every module the graph names, type imports and literal dynamic imports included (the
// sender's pulls in the export and lake surfaces and their npm packages), ~1.5 MB of resident
// memory a collector without a receiver does not need.
const REMOTE_WRITE: string = new URL("./_remote_write.ts", import.meta.url).href;

/** `_remote_write.ts`'s two functions that collect calls, as the module gives them. */
interface RemoteWriteModule {
  remoteWriteOptions(
    entries: readonly RemoteWriteEntry[],
    urls: readonly string[],
    labels?: readonly string[],
  ): unknown[];
  makeSenders(
    root: string,
    options: readonly unknown[],
    holder?: { pid?: number; command?: string },
  ): Promise<Sender[]>;
}

/** What collect does with a sender. */
interface Sender {
  metrics(): [string, Record<string, string>, "gauge" | "counter", number][];
  start(): void;
  stop(options: { flushMs: number }): Promise<unknown>;
  /** Until when it sleeps with nothing to do (see `RemoteWriteSender.idleUntil`). */
  readonly idleUntil: number;
}

const usage = `Usage: deno task collect [options]

Samples this host into the Parquet lake until --duration ends or Ctrl-C / SIGTERM.

Options:
  --interval DUR   time between snapshots (default 1s)
  --data DIR       lake root (default data)
  --duration DUR   stop after this long (default: run until stopped)
  --flush DUR      time between Parquet flushes (default 60s)
  --top N          top processes by CPU and by memory (default 5)
  --host NAME      host name stored with the samples (default: this host's name)
  --procfs DIR     the host's /proc (default /proc), e.g. /host/proc in a container
  --sysfs DIR      the host's /sys (default /sys): block devices and cgroups
  --rootfs DIR     the host's / (default /): file systems are stat'ed under it
  --cgroups N      cgroups reported, the busiest (default 20; 0: none)
  --config FILE    settings file (default ./perfscope.yaml when present; flags win)
  --remote-write URL  also send every snapshot to this Prometheus remote-write receiver,
                   e.g. http://127.0.0.1:8428/api/v1/write (repeatable; the spool is the
                   queue: outages and restarts lose nothing; remote_write: in the config
                   adds headers, auth, TLS)
  --external-label K=V  label added to every series sent (repeatable), e.g. env=prod
  --max-outbox-bytes N  cap on the spool kept for the receivers (default 1 GiB; at least
                   65536): past it the oldest is deleted, logged and counted as dropped
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
  const values = await readFlags(args);
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
  const cgroupTop = parseNumber(values.cgroups, "cgroups", { min: 0, max: 1000, integer: true });
  dataFolder(values.data);
  if (values.host !== undefined) hostFlag(values.host);
  const roots = {
    procRoot: directory(values.procfs, "procfs"),
    sysRoot: directory(values.sysfs, "sysfs"),
    rootfs: directory(values.rootfs, "rootfs"),
  };
  const controller = new AbortController();
  const stop = () => controller.abort();
  const wanted = values.remoteWrite.length + values.remoteWriteUrls.length +
    values.externalLabels.length;
  const rw = wanted > 0 ? await import(REMOTE_WRITE) as RemoteWriteModule : undefined;
  const senders = rw
    ? await rw.makeSenders(
      values.data,
      rw.remoteWriteOptions(values.remoteWrite, values.remoteWriteUrls, values.externalLabels),
      // named as the collector lock names this process
      values.supervised
        ? { pid: Deno.ppid, command: "deno task serve" }
        : { command: "deno task collect" },
    )
    : [];
  const signals: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  let timer: ReturnType<typeof setTimeout> | undefined;
  for (const s of signals) Deno.addSignalListener(s, stop);
  if (values.supervised) stopOnStdinEnd(stop);
  try {
    const collection = await collectAfterReplay(values.data, {
      root: values.data,
      intervalMs,
      flushEveryMs,
      topN,
      samplerOptions: { ...roots, cgroupTop },
      signal: controller.signal,
      ...(values.host === undefined ? {} : { host: values.host }),
      ...(values.supervised ? { lock: { pid: Deno.ppid, command: "deno task serve" } } : {}),
      ...(senders.length > 0 && { selfMetrics: () => senders.flatMap((s) => s.metrics()) }),
      ...(values.maxOutboxBytes !== undefined && { outboxMaxBytes: values.maxOutboxBytes }),
      // Between snapshots the process sleeps outside the event loop (a turn of it costs ~0.3 ms),
      // waking early for a signal, serve's stdin pipe, the end of --duration, or a sender's next
      // batch (a sender at work keeps the event loop turning: see idleUntil).
      ...quietWaitOption(values.supervised, durationMs, senders),
    });
    if (collection === undefined) return 0;
    for (const sender of senders) sender.start();
    console.error(
      // as read, not as typed: `--interval 5 --duration 1` said "every 5 … for 1"
      `Collecting every ${durationFlag(intervalMs)} into ${values.data}` +
        (durationMs === undefined ? " until stopped (Ctrl-C)" : ` for ${durationFlag(durationMs)}`),
    );
    if (durationMs !== undefined) timer = setTimeout(stop, durationMs);
    const summary = await collection.done.finally(() =>
      Promise.all(senders.map((s) => s.stop({ flushMs: 2000 })))
    );
    console.log(
      `Collected ${counted(summary.snapshots, "snapshot")}, wrote ${
        counted(summary.rows, "row")
      } in ${counted(summary.files, "file")}` +
        (summary.replayed ? ` (replayed ${counted(summary.replayed, "row")} from the spool)` : ""),
    );
    return 0;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    for (const s of signals) Deno.removeSignalListener(s, stop);
  }
}

/**
 * Starts the collection, saying so when it first replays a leftover spool; `undefined` when a
 * stop signal ended that replay (said on stderr: the rest stays spooled for the next start).
 */
async function collectAfterReplay(
  data: string,
  options: CollectionOptions,
): Promise<Collection | undefined> {
  try {
    return await startCollection({
      ...options,
      onReplay: ({ segments, bytes }) =>
        console.error(
          `collect: replaying the spool left in ${data}/spool/: ${segments} segments, ` +
            `${(bytes / (1024 * 1024)).toFixed(1)} MiB (a stop signal ends the replay; what it ` +
            "has not written stays spooled for the next start)",
        ),
    });
  } catch (error) {
    if (!(error instanceof ReplayStopped)) throw error;
    console.error(
      `collect: stopped during the spool replay: ${error.segments} segments ` +
        `(${(error.bytes / (1024 * 1024)).toFixed(1)} MiB) not in Parquet yet stay in ` +
        `${data}/spool/ and are written at the next start`,
    );
    return undefined;
  }
}

/** The collection's `wait` option (none where libc is not reachable by FFI). */
function quietWaitOption(
  supervised: boolean | undefined,
  durationMs: number | undefined,
  senders: readonly { readonly idleUntil: number }[],
): { wait?: (ms: number) => boolean } {
  const end = durationMs === undefined ? Infinity : Date.now() + durationMs;
  let until: number | (() => number) | undefined = durationMs === undefined ? undefined : end;
  if (senders.length > 0) {
    until = () => {
      let t = end;
      for (const s of senders) if (s.idleUntil < t) t = s.idleUntil;
      return t;
    };
  }
  const wait = quietWait({
    ...(supervised && { watch: [0] }), // stdin: serve's pipe (see stopOnStdinEnd)
    ...(until !== undefined && { until }),
  });
  return wait ? { wait } : {};
}

/**
 * Refuses a `--host` the lake would refuse, as a usage error (exit 2) before anything runs; the
 * config's `collect.host` is held to the same rule when the config loads.
 */
function hostFlag(host: string): void {
  const fault = hostNameFault(host);
  if (fault === undefined) return;
  // quoted and escaped: the line goes to a terminal; cut, as the lake cuts it
  const shown = escapeControls(JSON.stringify(host.length > 80 ? `${host.slice(0, 80)}…` : host));
  throw new UsageError(`Invalid --host: ${shown} is not a host name (${fault})`);
}

/** A root flag's directory, checked now: a typo must not collect an empty host silently. */
function directory(path: string, flag: string): string {
  let isDirectory = false;
  try {
    isDirectory = Deno.statSync(path).isDirectory;
  } catch {
    // reported below
  }
  if (!isDirectory) throw new UsageError(`Invalid --${flag}: ${path} is not a directory`);
  return path;
}

/** Calls `stop` when stdin reaches its end: the parent holding the pipe's other end exited. */
function stopOnStdinEnd(stop: () => void): void {
  const buffer = new Uint8Array(64);
  const next = (): Promise<void> =>
    Deno.stdin.read(buffer).then((n) => n === null ? stop() : next(), stop);
  next();
}

/** The flags: `--name value`, `--name=value`; `--supervised` and `--no-config` are for serve. */
const FLAGS = {
  interval: { type: "string" },
  data: { type: "string" },
  duration: { type: "string" },
  flush: { type: "string" },
  top: { type: "string" },
  host: { type: "string" },
  procfs: { type: "string" },
  sysfs: { type: "string" },
  rootfs: { type: "string" },
  cgroups: { type: "string" },
  config: { type: "string" },
  help: { type: "boolean", short: "h" },
  supervised: { type: "boolean" },
  "no-config": { type: "boolean" },
  "remote-write": { type: "string", multiple: true },
  "external-label": { type: "string", multiple: true },
  "max-outbox-bytes": { type: "string" },
} as const;

interface Flags {
  interval: string;
  data: string;
  duration?: string | undefined;
  flush: string;
  top: string;
  host?: string | undefined;
  procfs: string;
  sysfs: string;
  rootfs: string;
  cgroups: string;
  help?: boolean | undefined;
  supervised?: boolean | undefined;
  /** `--remote-write` URLs. */
  remoteWriteUrls: string[];
  /** `--external-label` texts. */
  externalLabels: string[];
  /** `remote_write:` of the config file. */
  remoteWrite: RemoteWriteEntry[];
  /** Cap on the outbox: `--max-outbox-bytes`, else the smallest `max_outbox_bytes`. */
  maxOutboxBytes?: number | undefined;
}

/** The default of each flag the config file can set: applied after it, so flags win over the
 * file and the file over these. */
const DEFAULTS = {
  interval: "1s",
  data: "data",
  flush: "60s",
  top: "5",
  procfs: "/proc",
  sysfs: "/sys",
  rootfs: "/",
  cgroups: "20",
};

/** Parses the flags and fills those not given from the config file, then the defaults. */
async function readFlags(args: string[]): Promise<Flags> {
  const { values } = parseFlags(args, FLAGS);
  const fromFile: FileFlags = values["no-config"] || values.help
    ? {}
    : await fileFlags(values.config);
  const { remoteWrite = [], ...fileValues } = fromFile;
  const given = {
    interval: values.interval,
    data: values.data,
    flush: values.flush,
    top: values.top,
    host: values.host,
    procfs: values.procfs,
    sysfs: values.sysfs,
    rootfs: values.rootfs,
    cgroups: values.cgroups,
  };
  return {
    ...DEFAULTS,
    ...defined(fileValues),
    ...defined(given),
    duration: values.duration,
    help: values.help,
    supervised: values.supervised,
    ...withOutboxCap(
      supervisedRemoteWrite(values.supervised, {
        remoteWriteUrls: values["remote-write"] ?? [],
        externalLabels: values["external-label"] ?? [],
        remoteWrite,
      }),
      values["max-outbox-bytes"],
    ),
  };
}

/** Adds the outbox cap: the flag's, else the smallest of the receivers' entries. */
function withOutboxCap<T extends Pick<Flags, "remoteWrite">>(
  rw: T,
  flag: string | undefined,
): T & Pick<Flags, "maxOutboxBytes"> {
  const given = flag === undefined
    ? undefined
    : parseNumber(flag, "max-outbox-bytes", { min: 65536, integer: true });
  return { ...rw, maxOutboxBytes: outboxCapBytes(rw.remoteWrite, given) };
}

/** Under serve (`--supervised`), the receivers serve hands over in `PERFSCOPE_REMOTE_WRITE`. */
function supervisedRemoteWrite(
  supervised: boolean | undefined,
  own: Pick<Flags, "remoteWriteUrls" | "externalLabels" | "remoteWrite">,
): Pick<Flags, "remoteWriteUrls" | "externalLabels" | "remoteWrite"> {
  const text = supervised ? Deno.env.get("PERFSCOPE_REMOTE_WRITE") : undefined;
  if (!text) return own;
  const { entries, labels } = JSON.parse(text) as { entries: RemoteWriteEntry[]; labels: string[] };
  return { remoteWriteUrls: own.remoteWriteUrls, externalLabels: labels, remoteWrite: entries };
}

/** What the config file sets: flag texts, and the `remote_write:` list. */
interface FileFlags {
  data?: string | undefined;
  interval?: string | undefined;
  flush?: string | undefined;
  top?: string | undefined;
  host?: string | undefined;
  procfs?: string | undefined;
  sysfs?: string | undefined;
  rootfs?: string | undefined;
  cgroups?: string | undefined;
  remoteWrite?: RemoteWriteEntry[];
}

/**
 * The flags the config file sets: `path`, else `./perfscope.yaml` when it exists. The config
 * module (and with it the YAML parser and zod) is loaded only when there is a file to read, to
 * keep the collector's memory as it was for everyone who has none.
 */
async function fileFlags(path: string | undefined): Promise<FileFlags> {
  if (path === undefined) {
    try {
      Deno.statSync("perfscope.yaml");
    } catch {
      return {};
    }
  }
  const { loadConfig } = await import("../config/mod.ts");
  const { config } = await loadConfig(path);
  const c = config.collect ?? {};
  return {
    data: config.data,
    interval: c.interval === undefined ? undefined : durationFlag(c.interval),
    flush: c.flush === undefined ? undefined : durationFlag(c.flush),
    top: c.top === undefined ? undefined : String(c.top),
    host: c.host,
    procfs: c.procfs,
    sysfs: c.sysfs,
    rootfs: c.rootfs,
    cgroups: c.cgroups === undefined ? undefined : String(c.cgroups),
    ...(config.remote_write && { remoteWrite: config.remote_write }),
  };
}

/** The entries whose value is not `undefined`, so that spreading them does not erase. */
function defined<T extends Record<string, string | undefined>>(
  o: T,
): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

if (import.meta.main) runMain("collect", main);
