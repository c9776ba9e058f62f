/**
 * `deno task serve [--host 127.0.0.1] [--port 8000] [--data DIR] [--no-collect]
 * [--token T | --insecure]`: the web app. By default it also runs the 1 Hz collector, as a child
 * process (`cli/collect.ts` with the collect task's V8 flags) so that nothing the server does can
 * delay a sample; either way it follows the collector's spool for the Live page, which moves
 * within a second. `--no-collect` serves a lake written by a separate `deno task collect`.
 * One serve per data directory, either way (`DATA/serve.lock`): a second one exits 1 naming the
 * first.
 *
 * Binding anything but loopback needs a token (`--token` or `PERFSCOPE_TOKEN`) that every
 * request must carry, or `--insecure`, which prints a warning.
 *
 * @module
 */
import {
  acquireCollectorLock,
  acquireServeLock,
  canonicalHost,
  CollectorBusyError,
  type IngestLimits,
  IngestReplayStopped,
  ingestSpoolDir,
  IngestWriter,
  type IngestWriterOptions,
  joinBuffered,
  LakeError,
  listIngestSegments,
  openLake,
  SpoolBuffer,
  spoolDir,
  tailSpool,
} from "../lake/mod.ts";
import { createApp, LiveHub, openSqlSandbox } from "../web/mod.ts";
import { AlertEngine, backtestRules, evaluationStep } from "../alerts/mod.ts";
import {
  type AlertLoop,
  observingSink,
  parseRuleInput,
  sandboxQuery,
  startAlertLoop,
} from "./_serve_alerts.ts";
import { alertsView, lakeBacktest, startNotifications } from "./_serve_notify.ts";
import { type IngestBatch, type Receivers, startReceivers } from "../receivers/mod.ts";
import { keepAppMetricsSaved, loadAppMetrics } from "./_app_metrics_file.ts";
import { dataFolder, errorLine, parseFlags, parseNumber, runMain, UsageError } from "./_args.ts";
import { type CollectSettings, superviseCollector } from "./_supervise_collector.ts";
import {
  checkSendersFree,
  makeIngestSenders,
  remoteWriteOptions,
  runIngestSenders,
} from "./_remote_write.ts";
import { outboxCapBytes } from "./_remote_write_entry.ts";
import { ingestSeriesLimit, reportIngestRefusals } from "./_ingest_series_limit.ts";
import { reloadNotice } from "./_reload_notice.ts";
import { withTestHooks } from "./_serve_test_hooks.ts";
import {
  armStopDeadline,
  drainServer,
  SAME_SIGNAL_MS,
  STOP_DEADLINE_MS,
  STOP_GRACE_MS,
} from "./_bounded_stop.ts";
import { scheduleCompaction } from "./_compact_schedule.ts";
import { startWorkflows } from "./_workflows_wiring.ts";
import { CONFIG_FLAG, configFlag } from "./_config.ts";
import { SOURCE_HELP, sourceFromFlag } from "./_source.ts";
import type { AnalysisSource } from "../web/mod.ts";
import {
  ConfigError,
  loadConfig,
  type LoadedConfig,
  type PerfscopeConfig,
  unreadableFile,
  watchConfig,
} from "../config/mod.ts";

/** In-process hooks for tests and embedding. */
export interface ServeHooks {
  /** Stops the server (as Ctrl-C does). */
  signal?: AbortSignal;
  /** Called with the URL once the server listens. */
  onListen?: (url: URL) => void;
  /** Receives the collector child's output lines and restart notices. Default: stderr. */
  onCollectorLog?: (line: string) => void;
  /** Called with the pid of each collector child started. */
  onCollectorSpawn?: (pid: number) => void;
  /** First wait before restarting a dead collector, ms. Default `1000`. */
  collectorRestartDelayMs?: number;
  /** Run compaction on its schedule. Default true. */
  compact?: boolean;
  /** Called with the alert engine once it is built (before the server listens). */
  onAlerts?: (engine: AlertEngine) => void;
  /** Longest time between rule evaluations when no sample comes, ms. Default 1000. */
  alertIntervalMs?: number;
  /** Time between two samples of the ingest refusals' rate, ms. Default 10 000. */
  ingestRefusalsIntervalMs?: number;
  /** Time requests in flight get once serve stops, before their lake queries are interrupted,
   * ms. Default 5000. */
  stopGraceMs?: number;
  /** Time after SIGINT/SIGTERM past which the process exits (code 1) whatever still runs, ms.
   * Default 15 000. */
  stopDeadlineMs?: number;
}

/** Parsed `serve` flags. */
export interface ServeFlags {
  host: string;
  port: number;
  data: string;
  collect: boolean;
  token: string | undefined;
  insecure: boolean;
  /** The config file read, if any. */
  config: string | undefined;
  /** `--remote-write` URLs (besides the config's `remote_write:`). */
  remoteWrite: string[];
  /** `--external-label k=v` texts. */
  externalLabels: string[];
  /** `--source URL|NAME`: the analysis pages read this query API instead of the lake. */
  source: string | undefined;
}

const USAGE = "Usage: deno task serve [--host 127.0.0.1] [--port 8000] [--data DIR] " +
  "[--no-collect] [--token T | --insecure] [--config FILE] [--source URL|NAME]";

const HELP = `${USAGE}

Serves the web app (Live, Explore, Capacity, Alerts, Reports) and its HTTP API, and runs the
1 Hz collector as a child process (stopped with serve, restarted if it dies) unless
--no-collect is given. Only one serve may run on a data directory (DATA/serve.lock names it),
and only one collector may write it (DATA/collector.lock).

Options:
  --host ADDR      address to bind (default 127.0.0.1; any other needs --token or --insecure)
  --port N         port (default 8000; 0 picks a free one, printed in the URL)
  --data DIR       lake root (default data)
  --no-collect     don't collect: serve a lake written by a separate \`deno task collect\`
                   and follow its spool for the live view
  --token T        require this token on every request (also PERFSCOPE_TOKEN)
  --insecure       serve a non-loopback address without a token (prints a warning)
  --config FILE    settings file (default ./perfscope.yaml when present; flags win). Reloaded
                   on SIGHUP or when it changes (its stat is checked each second):
                   collect.* restarts the collector, the rest applies at the next start; an
                   invalid edit keeps the last good settings, an empty or missing file is taken
                   for one being rewritten (write {} for the defaults)
  --remote-write URL  the collector, and the application metrics serve accepts (ingest, OTLP,
                   StatsD, scrape, probes), also go to this Prometheus remote-write receiver
                   (repeatable; see remote_write: in the config for auth, TLS, labels)
  --external-label K=V  label added to every series sent (repeatable)
${SOURCE_HELP}
                   (the Capacity, Explore, Services pages, their APIs and "Generate now"
                   read it; collection and ingest still go into --data)
  -h, --help       show this help

On the scheduler (schedule.compact, default every hour on the hour; or every lake.compact_every
when only that is set) a separate compact process merges the partitions, builds the rollups and
deletes data past lake.retention (default 30d). The scheduler also runs schedule.train, .report
and .backtest and the workflows (dry run unless enabled); see GET /api/schedule.

Stopping (Ctrl-C/SIGTERM): new connections are refused at once; requests in flight get 5 s, then
their lake queries are interrupted; past 15 s serve exits 1 whatever still runs, a hung ingest
flush included (a second signal: at once). A stop during the replay of the ingest spool at start
ends the replay (the line says how many samples stay spooled). What was accepted stays in the
spools and is replayed at the next start.

Application metrics: OTLP/HTTP at POST /v1/metrics; the config's scrape (Prometheus/OpenMetrics
targets), statsd (UDP listener) and probes (HTTP/TCP checks) run alongside and restart when the
file changes (README "Application metrics").`;

/**
 * Tells whether an address is loopback-only.
 *
 * @param host Host name or IP address.
 * @returns True for `localhost`, `127.0.0.0/8` and `::1`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isLoopback } from "./serve.ts";
 * assert.equal(isLoopback("127.0.0.1"), true);
 * assert.equal(isLoopback("0.0.0.0"), false);
 * ```
 */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * Parses and checks the flags.
 *
 * @param args Command-line arguments.
 * @param env Environment lookup for `PERFSCOPE_TOKEN`.
 * @param config Settings from `perfscope.yaml` (`web.*`, `data`); flags win over them, the
 *   environment's token wins over the file's.
 * @returns The flags.
 * @throws {UsageError} On unknown flags, bad values, or a non-loopback address without a token
 * or `--insecure`.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseServeFlags } from "./serve.ts";
 * const flags = parseServeFlags(["--port", "9000", "--no-collect"], () => undefined);
 * assert.equal(flags.port, 9000);
 * assert.equal(flags.collect, false);
 * assert.throws(() => parseServeFlags(["--host", "0.0.0.0"], () => undefined), /needs a token/);
 * ```
 */
export function parseServeFlags(
  args: string[],
  env: (name: string) => string | undefined,
  config: PerfscopeConfig = {},
): ServeFlags {
  const { values } = parseFlags(args, {
    host: { type: "string" },
    port: { type: "string" },
    data: { type: "string" },
    "no-collect": { type: "boolean" },
    token: { type: "string" },
    insecure: { type: "boolean" },
    "remote-write": { type: "string", multiple: true },
    "external-label": { type: "string", multiple: true },
    source: { type: "string" },
    ...CONFIG_FLAG,
  });
  const web = config.web ?? {};
  const host = (values.host ?? web.host ?? "127.0.0.1").trim();
  if (host === "") throw new UsageError("Invalid --host: empty");
  const port = values.port === undefined
    ? web.port ?? 8000
    : parseNumber(values.port, "port", { min: 0, max: 65535, integer: true });
  const data = values.data ?? config.data ?? "data";
  if (data.trim() === "") throw new UsageError("Invalid --data: empty");
  dataFolder(data);
  const insecure = values.insecure ?? (values.token === undefined && (web.insecure ?? false));
  const token = values.token ?? env("PERFSCOPE_TOKEN") ?? (insecure ? undefined : web.token);
  if (token !== undefined && token.trim() === "") {
    throw new UsageError("Invalid --token: empty (PERFSCOPE_TOKEN may be set to an empty string)");
  }
  if (token !== undefined && insecure) {
    throw new UsageError("Invalid flags: --token and --insecure exclude each other");
  }
  if (!isLoopback(host) && token === undefined && !insecure) {
    throw new UsageError(
      `Binding ${host} needs a token: pass --token T (or set PERFSCOPE_TOKEN), ` +
        "or --insecure to serve without one",
    );
  }
  return {
    host,
    port,
    data,
    collect: values["no-collect"] ? false : web.collect ?? true,
    token,
    insecure,
    config: values.config,
    remoteWrite: values["remote-write"] ?? [],
    externalLabels: values["external-label"] ?? [],
    source: values.source,
  };
}

function urlOf(hostname: string, port: number, token: string | undefined): URL {
  const name = hostname.includes(":") ? `[${hostname}]` : hostname;
  const url = new URL(`http://${name}:${port}/`);
  if (token) url.searchParams.set("token", token);
  return url;
}

/**
 * Runs the web server until Ctrl-C (or `hooks.signal`).
 *
 * @param args Command-line arguments.
 * @param hooks Stop signal and listen callback (tests).
 * @returns Exit code 0 after a clean shutdown.
 * @throws {UsageError} On bad flags.
 * @throws {LakeError} If another serve runs on the data directory (`ServeBusyError`), or
 *   another process collects into it (without `--no-collect`).
 * @throws {Error} If the port is in use (the message suggests `--port 0`).
 */
export async function main(args: string[], hooks: ServeHooks = {}): Promise<number> {
  if (args.includes("--help") || args.includes("-h")) {
    console.log(HELP);
    return 0;
  }
  const configFile = configFlag(args);
  const loaded = await loadConfig(configFile);
  // a CA or token file that cannot be read stops the start at its key, as config check does
  const unreadable = loaded.path && await unreadableFile(loaded.config, loaded.path);
  if (unreadable) throw new ConfigError(unreadable);
  const flags = parseServeFlags(args, (name) => Deno.env.get(name), loaded.config);
  // a bad --source is a usage error before anything starts
  if (flags.source !== undefined) sourceFromFlag(flags.source, loaded.config);
  const root = flags.data;
  await Deno.mkdir(root, { recursive: true });
  // one serve per data directory, with or without its collector, before anything is written
  // there: a second one would overwrite the first's state files and share its ingest spool
  const serving = acquireServeLock(root);
  try {
    return await serveLocked(flags, loaded, hooks);
  } finally {
    serving.release();
  }
}

/** {@linkcode main} once it holds the data directory's serve lock. */
async function serveLocked(
  flags: ServeFlags,
  loaded: LoadedConfig,
  hooks: ServeHooks,
): Promise<number> {
  const root = flags.data;
  if (flags.insecure && !isLoopback(flags.host)) {
    console.error(
      `WARNING: serving ${flags.host} without a token (--insecure): anyone who can reach this ` +
        "port can read every metric, run queries and push samples",
    );
  }
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  hooks.signal?.addEventListener("abort", onSignal, { once: true });
  if (hooks.signal?.aborted) stop.abort();
  // what the stop waits for, named if the deadline ends it
  const stage: StopStage = { now: "the server to start" };
  let disarm: (() => void) | undefined;
  let firstSignalAt = 0;
  // SIGINT/SIGTERM (not hooks.signal, whose process is not serve's): the stop is bounded, and a
  // second signal exits at once. A Ctrl-C on `deno task serve` comes twice within milliseconds
  // (from the terminal, and forwarded by deno task): a copy that close is the same stop, not a
  // second one (it exited 1 without the clean stop about every other time)
  const onOsSignal = () => {
    if (disarm !== undefined) {
      if (performance.now() - firstSignalAt < SAME_SIGNAL_MS) return;
      console.error("perfscope serve: second stop signal: exiting now");
      Deno.exit(1);
    }
    firstSignalAt = performance.now();
    disarm = armStopDeadline(hooks.stopDeadlineMs ?? STOP_DEADLINE_MS, {
      stage: () => typeof stage.now === "string" ? stage.now : stage.now(),
    });
    stop.abort();
  };
  const signals: Deno.Signal[] = ["SIGINT", "SIGTERM"];
  for (const s of signals) Deno.addSignalListener(s, onOsSignal);

  try {
    if (flags.collect) checkCollectorFree(root);
    const code = await serveUntilStopped(flags, loaded, stop.signal, hooks, stage);
    // a stop that left samples in the spool (a failed flush) said so, and exits 1
    if (disarm !== undefined && code === 0) console.error("perfscope serve: stopped");
    return code;
  } finally {
    for (const s of signals) Deno.removeSignalListener(s, onOsSignal);
    disarm?.();
  }
}

/** What the stop waits for now (a function for a line that changes while it waits). */
interface StopStage {
  now: string | (() => string);
}

/** Fails early, naming the holder, if another process collects into `root`. */
function checkCollectorFree(root: string): void {
  try {
    acquireCollectorLock(root, { command: "deno task serve" }).release();
  } catch (error) {
    if (!(error instanceof CollectorBusyError)) throw error;
    throw new LakeError(`${error.message}; pass --no-collect to serve it alongside`, {
      cause: error,
    });
  }
}

/** The request limits of `/api/ingest`: `ingest.*`, samples no older than the retention. */
function ingestLimits(config: PerfscopeConfig): IngestLimits {
  const i = config.ingest ?? {};
  const maxAgeMs = i.max_age ?? config.lake?.retention;
  return {
    ...(maxAgeMs === undefined ? {} : { maxAgeMs }),
    ...(i.max_ahead === undefined ? {} : { maxAheadMs: i.max_ahead }),
    ...(i.max_lines === undefined ? {} : { maxLines: i.max_lines }),
    ...(i.max_partitions === undefined ? {} : { maxPartitions: i.max_partitions }),
  };
}

function receiverSettings(config: PerfscopeConfig): unknown {
  const { scrape, statsd, probes, receivers_limits } = config;
  return { scrape, statsd, probes, receivers_limits };
}

/** The ingest writer's budgets and flush triggers: `ingest.*` (defaults in the writer). */
function ingestBudgets(config: PerfscopeConfig): Omit<IngestWriterOptions, "root"> {
  const i = config.ingest ?? {};
  return {
    ...(i.max_buffered_rows === undefined ? {} : { maxBufferedRows: i.max_buffered_rows }),
    ...(i.max_spool_bytes === undefined ? {} : { maxSpoolBytes: i.max_spool_bytes }),
    ...(i.flush_rows === undefined ? {} : { flushRows: i.flush_rows }),
    ...(i.flush_spool_bytes === undefined ? {} : { flushSpoolBytes: i.flush_spool_bytes }),
    ...(i.flush_every === undefined ? {} : { flushEveryMs: i.flush_every }),
    ...(i.max_flush_lag === undefined ? {} : { maxFlushLagMs: i.max_flush_lag }),
  };
}

/** `ingest.max_rss`: the resident memory past which ingest is refused (0: never). The default,
 * 232 MiB, is raised to what the process already holds plus 96 MiB when serve runs inside a larger
 * one (a test runner, an embedding), whose memory is not serve's. */
function ingestRss(config: PerfscopeConfig): number {
  return config.ingest?.max_rss ??
    Math.max(232 * 1024 * 1024, Deno.memoryUsage().rss + 96 * 1024 * 1024);
}

function collectSettings(
  config: PerfscopeConfig,
  extra: { remoteWrite: string[]; externalLabels: string[] } = {
    remoteWrite: [],
    externalLabels: [],
  },
): CollectSettings {
  const c = config.collect ?? {};
  const remoteWrite = [
    ...(config.remote_write ?? []),
    ...extra.remoteWrite.filter((u) => !config.remote_write?.some((e) => e.url === u)).map((
      url,
    ) => ({ url })),
  ];
  return {
    ...(remoteWrite.length > 0 && { remoteWrite, externalLabels: extra.externalLabels }),
    intervalMs: c.interval ?? 1000,
    ...(c.flush === undefined ? {} : { flushMs: c.flush }),
    ...(c.top === undefined ? {} : { topN: c.top }),
    ...(c.host === undefined ? {} : { host: c.host }),
    ...(c.procfs === undefined ? {} : { procfs: c.procfs }),
    ...(c.sysfs === undefined ? {} : { sysfs: c.sysfs }),
    ...(c.rootfs === undefined ? {} : { rootfs: c.rootfs }),
    ...(c.cgroups === undefined ? {} : { cgroups: c.cgroups }),
  };
}

/** Follows the config file: collect.* restarts the collector, other changes wait for a restart. */
function followConfig(
  loaded: LoadedConfig,
  signal: AbortSignal,
  apply: (config: PerfscopeConfig) => void,
): Promise<void> {
  if (loaded.path === undefined) return Promise.resolve();
  let current = loaded.config;
  return watchConfig(loaded.path, {
    signal,
    current: loaded.config,
    onChange(next) {
      const notice = reloadNotice(loaded.path!, current, next);
      current = next;
      apply(next);
      console.error(notice);
    },
    onError(error) {
      console.error(`perfscope serve: ${errorLine(error)}; keeping the last good settings`);
    },
    onHold(reason) {
      console.error(
        `perfscope serve: ${loaded.path} is ${reason}, taken for a file being rewritten; ` +
          "keeping the last good settings until it has content (write {} for the defaults)",
      );
    },
  }).catch((error) => {
    console.error(`perfscope serve: not following ${loaded.path}: ${errorLine(error)}`);
  });
}

/**
 * Opens the ingest writer, replaying what an earlier run left in the ingest spool; a stop signal
 * ends the replay (it may take seconds: a full 500,000-row buffer, more with a raised
 * `ingest.max_buffered_rows`), leaving what it has not written in the spool for the next start.
 *
 * @returns The writer, or `undefined` when the signal stopped the replay (said on stderr).
 */
async function openIngest(
  root: string,
  signal: AbortSignal,
  stage: StopStage,
  options: Omit<IngestWriterOptions, "root">,
): Promise<IngestWriter | undefined> {
  const leftover = listIngestSegments(root);
  if (leftover.length > 0) {
    const mib = leftover.reduce((n, s) => n + s.bytes, 0) / (1024 * 1024);
    console.error(
      `perfscope serve: replaying the ingest spool: ${leftover.length} segments, ` +
        `${mib.toFixed(1)} MiB (a stop signal ends the replay; what it has not written stays ` +
        "spooled for the next start)",
    );
  }
  stage.now = "the ingest spool replay";
  try {
    return await IngestWriter.open({ root, ...options, signal });
  } catch (error) {
    if (!(error instanceof IngestReplayStopped)) throw error;
    console.error(
      `perfscope serve: stopped during the ingest spool replay: ${error.rows} ingested samples ` +
        `not in Parquet yet stay in ${ingestSpoolDir(root)}/ and are written at the next start`,
    );
    return undefined;
  } finally {
    stage.now = "the server to start";
  }
}

async function serveUntilStopped(
  flags: ServeFlags,
  loaded: LoadedConfig,
  signal: AbortSignal,
  hooks: ServeHooks,
  stage: StopStage,
): Promise<number> {
  const root = flags.data;
  // Application metrics go to the collector's remote-write receivers too: senders of the ingest
  // spool, registered before the writer opens so that its replay keeps leftover segments for
  // them (first: a bad option stops serve before anything is open).
  const rwOptions = remoteWriteOptions(
    loaded.config.remote_write ?? [],
    flags.remoteWrite,
    flags.externalLabels,
  );
  // the collector child sends the collector's spool: refused now, not at each of its restarts,
  // if a `deno task remote-write` already sends it to one of these receivers
  if (flags.collect) await checkSendersFree(root, rwOptions);
  const appSenders = await makeIngestSenders(root, rwOptions);
  const hub = new LiveHub();
  const tiers = loaded.config.lake?.tiers;
  const lake = await openLake({
    root,
    ...(tiers && {
      tiers: {
        ...(tiers.raw === undefined ? {} : { rawMaxMs: tiers.raw }),
        ...(tiers.minute === undefined ? {} : { minuteMaxMs: tiers.minute }),
      },
    }),
  });
  const maxRss = ingestRss(loaded.config);
  const outboxCap = outboxCapBytes(loaded.config.remote_write ?? []);
  let opened: IngestWriter | undefined;
  try {
    opened = await openIngest(root, signal, stage, {
      ...(outboxCap !== undefined && { outboxMaxBytes: outboxCap }),
      limits: ingestLimits(loaded.config),
      ...ingestBudgets(loaded.config),
      flushInWorker: loaded.config.ingest?.flush_thread ?? true,
      parseInWorker: loaded.config.ingest?.parse_thread ?? true,
      ...(maxRss > 0 && { maxRssBytes: maxRss }),
      // V8's collector when the serve task exposes it (--expose-gc): see collectGarbage
      ...(typeof (globalThis as { gc?: unknown }).gc === "function" && {
        collectGarbage: (globalThis as unknown as { gc: () => void }).gc,
      }),
    });
  } catch (error) {
    await lake.close();
    throw error;
  }
  if (opened === undefined) {
    await lake.close();
    return 0;
  }
  const ingest = opened;
  // series reads, listings and raw SQL include the rows still waiting for Parquet: a collected
  // or pushed sample shows at once, not after the next flush (the spool first: see joinBuffered)
  const buffered = joinBuffered([new SpoolBuffer(root), ingest]);
  lake.includeBuffered(buffered);
  const sandbox = await openSqlSandbox({ root, buffered });
  // new series per pushed host and in all, per hour (receivers_limits)
  const ingestLimit = ingestSeriesLimit(loaded.config);
  // Alert rules run on the live stream: built even without rules: (a reload may add some),
  // costing one map lookup per sample until then.
  const alerts = new AlertEngine(loaded.config.rules ?? [], {
    root,
    query: sandboxQuery(sandbox),
  });
  let rules = loaded.config.rules ?? [];
  // ingested samples are evaluated shortly after they arrive once the loop runs (below)
  let alertLoop: AlertLoop | undefined;
  const observeIngested = (batch: IngestBatch) =>
    alertLoop ? alertLoop.ingest(batch) : alerts.observe(batch);
  // receivers, route and silences hear every transition (restored firing alerts are not news)
  const notifications = await startNotifications(alerts, loaded.config, {
    root,
    externalURL: urlOf(flags.host, flags.port, undefined).href.replace(/\/$/, ""),
    // a rule's own receiver:, read from the current rules so a reload takes effect
    ruleReceiver: (name) => rules.find((r) => r.alert === name)?.receiver,
  });
  // application metrics (scrape, OTLP, StatsD, probes) go through the same writer as /api/ingest
  // in lower case, as the lake stores host names (a Mac's hostname is often Johns-MacBook.local)
  const receiverHost = canonicalHost(loaded.config.collect?.host ?? Deno.hostname());
  function receiverSink(batch: IngestBatch): void {
    const accepted = ingest.writeBatch(batch, { now: Date.now() });
    // the samples as stored (a target's `host: Web1` is web1 there), as /api/ingest publishes
    hub.publishBatch(accepted);
    observeIngested(accepted);
  }
  const stopAppSenders = runIngestSenders(appSenders, { host: receiverHost, write: receiverSink });
  // units, kinds and help the receivers learned before this start (DATA/receivers/), kept
  // saved while serve runs so a restart and `deno task report` know them too
  loadAppMetrics(root);
  const appMetricsSaver = keepAppMetricsSaved(root);
  let receivers: Receivers;
  try {
    receivers = await startReceivers(loaded.config, { host: receiverHost, sink: receiverSink });
  } catch (error) {
    appMetricsSaver.stop();
    await stopAppSenders();
    await notifications.notifier.close();
    ingest.close();
    await sandbox.close();
    lake.close();
    hub.close();
    throw new Error(`Cannot start the receivers: ${errorLine(error)}`, { cause: error });
  }
  // compaction runs on the scheduler (schedule.compact, default hourly) unless only the older
  // lake.compact_every is set, which keeps its interval loop below
  const cronCompaction = hooks.compact !== false &&
    (loaded.config.schedule?.compact !== undefined ||
      loaded.config.lake?.compact_every === undefined);
  const runtime = startWorkflows({
    root,
    config: loaded.config,
    ...(loaded.path !== undefined && { configPath: loaded.path }),
    lake,
    compact: cronCompaction,
  });
  // the workflows act on the engine's transitions
  alerts.onTransition((t) => runtime.workflows?.onAlerts(t));
  hooks.onAlerts?.(alerts);
  const spec = flags.source;
  const source: AnalysisSource | undefined = spec === undefined ? undefined : {
    name: sourceFromFlag(spec, loaded.config).name,
    open: () => sourceFromFlag(spec, loaded.config),
  };
  const app = createApp({
    ...(source && { source }),
    workflows: runtime.deps,
    lake,
    hub,
    sandbox,
    // observed at once (even before the timer starts): an accepted sample is never missed
    ingest: observingSink(ingest, observeIngested),
    ingestLimit,
    alerts: alertsView(alerts, (o) => alerts.history(o), () => rules),
    notifier: notifications.notifier,
    silences: notifications.silences,
    backtest: lakeBacktest(lake, {
      parseRule: parseRuleInput,
      // a page's request: at most 200 000 evaluations, whatever the range
      replay: (r, series, o) =>
        backtestRules(r, series, { ...o, stepMs: evaluationStep(o.until - o.from, 200_000) }),
    }),
    root,
    ...(flags.token ? { token: flags.token } : {}),
    insecure: flags.insecure,
    allowedHosts: [flags.host],
    ...(receivers.otlp && { otlp: receivers.otlp }),
    ...(loaded.config.otlp?.max_bytes !== undefined && {
      maxOtlpBytes: loaded.config.otlp.max_bytes,
    }),
    ...(loaded.config.ingest?.max_body_bytes_in_flight !== undefined && {
      maxBodyBytesInFlight: loaded.config.ingest.max_body_bytes_in_flight,
    }),
    services: loaded.config.services ?? [],
    dashboards: loaded.config.dashboards ?? [],
  });
  let server: Deno.HttpServer<Deno.NetAddr>;
  try {
    // Bound before the collector starts: a busy port stops serve without a collector to undo.
    server = Deno.serve({
      hostname: flags.host,
      port: flags.port,
      onListen(addr) {
        const url = urlOf(flags.host, addr.port, flags.token);
        console.log(`perfscope serve: open ${url.href}`);
        // the collector says when it collects, as each child starts (after replaying its spool,
        // with the interval of that moment): `[collect] Collecting every 1s into …`; a line here
        // too said it twice, before it was true, and went stale when a reload changed the interval
        if (!flags.collect) {
          console.log(`Serving ${root}/ and following its spool (run deno task collect alongside)`);
        }
        if (source) console.log(`Analysis pages read ${source.name} (--source)`);
        hooks.onListen?.(url);
      },
    }, withTestHooks(app.fetch, lake));
  } catch (error) {
    await runtime.stop();
    await receivers.stop();
    appMetricsSaver.stop();
    await notifications.notifier.close();
    hub.close();
    ingest.close();
    await stopAppSenders();
    sandbox.close();
    lake.close();
    if (error instanceof Deno.errors.AddrInUse) {
      throw new Error(
        `Port ${flags.port} on ${flags.host} is already in use: stop what listens there, ` +
          "or pass --port 0 to pick a free port",
        { cause: error },
      );
    }
    throw error;
  }
  // The live view always follows the spool, whoever writes it: the child below, or a
  // separate collector with --no-collect. Made here so the tail finds it from the start
  // (polling a missing directory costs two exceptions a poll).
  await Deno.mkdir(spoolDir(root), { recursive: true }).catch(() => {});
  // the evaluation timer starts once the server listens (a busy port leaves no timer behind)
  const loop = alertLoop = startAlertLoop(alerts, {
    signal,
    ...(hooks.alertIntervalMs !== undefined && { intervalMs: hooks.alertIntervalMs }),
  });
  const tail = tailSpool(root, (batch) => {
    hub.publish(batch);
    loop.snapshot(batch);
  }, {
    signal,
    pollMs: 250,
    fromStart: true,
  }).catch((error) => {
    console.error(`perfscope serve: live view stopped: ${errorLine(error)}`);
  });
  const stopRefusals = reportIngestRefusals(ingestLimit, {
    host: receiverHost,
    write: receiverSink,
    ...(hooks.ingestRefusalsIntervalMs !== undefined && {
      intervalMs: hooks.ingestRefusalsIntervalMs,
    }),
  });
  let config = loaded.config;
  let reloading = Promise.resolve();
  const restart = new EventTarget();
  const following = followConfig(loaded, signal, (next) => {
    const before = JSON.stringify(collectSettings(config));
    const receiversBefore = JSON.stringify(receiverSettings(config));
    const previous = config;
    config = next;
    try {
      alerts.setRules(next.rules ?? []);
      rules = next.rules ?? [];
    } catch (error) {
      console.error(`perfscope serve: alert rules not reloaded: ${errorLine(error)}`);
    }
    if (JSON.stringify(collectSettings(next)) !== before) {
      restart.dispatchEvent(new Event("restart"));
    }
    if (JSON.stringify(receiverSettings(next)) !== receiversBefore) {
      // scrape targets, StatsD and probes restart with the new settings, taking over what the
      // stopped ones knew (series limits, counter values, gauges); the OTLP receiver and the
      // /api/ingest limit keep running with the new limits
      const l = next.receivers_limits ?? {};
      receivers.otlp?.resize(l.max_series_per_source ?? 10_000);
      ingestLimit.resize({
        ...(l.max_series_per_source !== undefined && { maxPerHost: l.max_series_per_source }),
        ...(l.max_ingest_series !== undefined && { maxTotal: l.max_ingest_series }),
      });
      reloading = reloading.then(async () => {
        await receivers.stop();
        try {
          const fresh = await startReceivers({ ...next, otlp: { enabled: false } }, {
            host: receiverHost,
            sink: receiverSink,
            previous: receivers,
          });
          const otlp = receivers.otlp;
          receivers = { ...fresh, otlp, stop: fresh.stop };
          console.error("perfscope serve: receivers restarted with the new settings");
        } catch (error) {
          // the old ones are stopped already: start them again, or nothing would listen
          const kept = await startReceivers({ ...previous, otlp: { enabled: false } }, {
            host: receiverHost,
            sink: receiverSink,
            previous: receivers,
          }).then((old) => {
            receivers = { ...old, otlp: receivers.otlp, stop: old.stop };
            return "; the previous settings keep running";
          }, (again) => `; the previous settings did not start again either: ${errorLine(again)}`);
          console.error(`perfscope serve: receivers not restarted: ${errorLine(error)}${kept}`);
        }
      });
    }
  });
  const compaction = hooks.compact === false || cronCompaction
    ? Promise.resolve()
    : scheduleCompaction({
      root,
      everyMs: config.lake?.compact_every ?? 3_600_000,
      retentionMs: config.lake?.retention ?? 30 * 86_400_000,
      signal,
    });
  const collector = flags.collect
    ? superviseCollector({
      root,
      signal,
      settings: () => collectSettings(config, flags),
      restartOn: restart,
      ...(hooks.onCollectorLog ? { log: hooks.onCollectorLog } : {}),
      ...(hooks.onCollectorSpawn ? { onSpawn: hooks.onCollectorSpawn } : {}),
      ...(hooks.collectorRestartDelayMs === undefined
        ? {}
        : { restartDelayMs: hooks.collectorRestartDelayMs }),
    }).catch((error) => {
      console.error(`perfscope serve: collector stopped: ${errorLine(error)}`);
    })
    : Promise.resolve();
  let code = 0;
  try {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    stopRefusals();
    // the scheduler starts no job from now on; a job that runs gets SIGTERM (compaction is safe
    // to cut), rather than after the collector's flush
    const scheduled = runtime.stop();
    scheduled.catch(() => {}); // awaited (and thrown) below, after the collector
    // the live streams end, so that the requests in flight can
    hub.close();
    // no new connection from now on; the requests in flight get the grace, then their lake
    // queries are interrupted (and the SQL sandbox's processes killed)
    const drained = drainServer(server, {
      graceMs: hooks.stopGraceMs ?? STOP_GRACE_MS,
      interrupt() {
        lake.interrupt();
        sandbox.close().catch(() => {});
      },
      log: (line) => console.error(`perfscope serve: ${line}`),
    });
    stage.now = "the collector to flush and exit";
    await collector; // the child flushes its buffered minute on SIGTERM before it exits
    stage.now = "compaction and the scheduled jobs";
    await compaction;
    await scheduled;
    await following;
    stage.now = "the HTTP requests in flight";
    await drained;
    stage.now = "the receivers and notifications";
    await tail;
    alerts.close();
    await notifications.notifier.close();
    await reloading;
    await receivers.stop();
    appMetricsSaver.stop(); // after the last StatsD flush, which may name new metrics
    // off the event loop (the flush thread), so that the deadline can still end a flush that
    // hangs; what it leaves is in the ingest spool, written at the next start
    stage.now = () =>
      `the ingest flush; ${ingest.buffered} ingested samples not in Parquet yet stay in ` +
      `${ingestSpoolDir(root)}/ and are written at the next start`;
    try {
      await ingest.closeAsync();
    } catch (error) {
      code = 1;
      console.error(`perfscope serve: ingest flush failed: ${errorLine(error)}`);
    }
    if (ingest.buffered > 0) {
      console.error(
        `perfscope serve: ${ingest.buffered} ingested samples not in Parquet yet stay in ` +
          `${ingestSpoolDir(root)}/ and are written at the next start`,
      );
    }
    stage.now = "the remote-write senders";
    // what is still unsent stays in the ingest outbox for the next start
    await stopAppSenders(2000);
    stage.now = "the lake to close";
    await sandbox.close();
    await lake.close();
  }
  return code;
}

if (import.meta.main) runMain("serve", main);
