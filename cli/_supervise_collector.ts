/**
 * `serve`'s collector as a child process: `cli/collect.ts --supervised` with the collect task's
 * V8 flags, so nothing the web server does on its own thread (a long query, a big response) can
 * delay a sample. serve follows the child's spool for the live view, exactly as `--no-collect`
 * follows a separate collector.
 *
 * @module
 */

import { fileURLToPath } from "node:url";
import { durationFlag, errorLine } from "./_args.ts";
import type { RemoteWriteEntry } from "./_remote_write_entry.ts";
import { sleep } from "./_sleep.ts";

/** The V8 flags of `deno task collect` (see bench/collector_bench.ts for what they save). */
export const COLLECT_V8_FLAGS = "--lite-mode,--single-threaded";

/** Options for {@linkcode superviseCollector}. */
export interface SuperviseCollectorOptions {
  /** Lake root, passed as `--data`. */
  root: string;
  /** Stops the child: SIGTERM (it flushes and exits), SIGKILL after `killAfterMs`. */
  signal: AbortSignal;
  /** Time between snapshots in ms. Default `1000`. */
  intervalMs?: number;
  /** The collector's settings, read again at every start of a child (so a reloaded config
   * applies to the next child); they win over `intervalMs`. Default: `intervalMs` only. */
  settings?: () => CollectSettings;
  /** A `"restart"` event on it stops the running child (SIGTERM, it flushes) and starts a new
   * one at once, with the settings of that moment. */
  restartOn?: EventTarget;
  /** Receives one line per line the child prints, prefixed `[collect] `, and one line per
   * restart. Default: stderr. */
  log?: (line: string) => void;
  /** First wait before a restart, doubled after each quick death up to `maxRestartDelayMs`.
   * Default `1000`. */
  restartDelayMs?: number;
  /** Longest wait before a restart. Default `30000`. */
  maxRestartDelayMs?: number;
  /** Grace time between SIGTERM and SIGKILL on stop. Default `10000`. */
  killAfterMs?: number;
  /** Called with the pid of each child started. */
  onSpawn?: (pid: number) => void;
}

/** What `collect` is started with. */
export interface CollectSettings {
  /** Time between snapshots in ms. */
  intervalMs: number;
  /** Time between Parquet flushes in ms. Default: collect's own (60 s). */
  flushMs?: number;
  /** Processes in each top-process ranking. Default: collect's own (5). */
  topN?: number;
  /** Host name written into the lake. Default: this machine's. */
  host?: string;
  /** The host's /proc, /sys and / (`--procfs`, `--sysfs`, `--rootfs`). Default: collect's. */
  procfs?: string;
  sysfs?: string;
  rootfs?: string;
  /** cgroups reported (`--cgroups`). Default: collect's own (20). */
  cgroups?: number;
  /** Remote-write receivers (`remote_write:` entries and `--remote-write` URLs), handed to the
   * child in the environment (`PERFSCOPE_REMOTE_WRITE`), not on its command line where any
   * user could read their credentials. */
  remoteWrite?: RemoteWriteEntry[];
  /** `--external-label k=v` texts for every receiver. */
  externalLabels?: string[];
}

/** A child that ran at least this long was healthy: the next restart waits the first delay. */
const HEALTHY_MS = 60_000;

/**
 * Runs the collector as a child process until `signal` aborts, restarting it with backoff when
 * it dies. The child runs in its own process group (Ctrl-C in a terminal reaches serve, which
 * passes it on as SIGTERM) and reads its stdin from a pipe that only this process holds: if this
 * process dies, even by `kill -9`, the child sees the end of stdin and stops.
 *
 * @param options See {@linkcode SuperviseCollectorOptions}.
 * @returns Resolves after the last child exited.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { superviseCollector } from "./_supervise_collector.ts";
 * const root = Deno.makeTempDirSync();
 * const pids: number[] = [];
 * const stop = new AbortController();
 * const done = superviseCollector({
 *   root,
 *   signal: stop.signal,
 *   log: () => {},
 *   onSpawn: (pid) => {
 *     pids.push(pid);
 *     stop.abort(); // SIGTERM: the child stops and flushes
 *   },
 * });
 * await done;
 * assert.equal(pids.length, 1);
 * ```
 */
export async function superviseCollector(options: SuperviseCollectorOptions): Promise<void> {
  const { signal, intervalMs = 1000, restartDelayMs = 1000 } = options;
  const { maxRestartDelayMs = 30_000, killAfterMs = 10_000 } = options;
  const log = options.log ?? ((line: string) => console.error(line));
  let delay = restartDelayMs;
  while (!signal.aborted) {
    const started = Date.now();
    const settings = options.settings?.() ?? { intervalMs };
    const child = new Deno.Command(Deno.execPath(), {
      args: collectArgs(options.root, settings),
      env: { ...collectorEnv(), ...remoteWriteEnv(settings) },
      clearEnv: true,
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      detached: true,
    }).spawn();
    const forwarding = Promise.all([forward(child.stdout, log), forward(child.stderr, log)]);
    let killer: ReturnType<typeof setTimeout> | undefined;
    let restarting = false;
    const onAbort = () => {
      send(child, "SIGTERM");
      killer = setTimeout(() => send(child, "SIGKILL"), killAfterMs);
    };
    const onRestart = () => {
      restarting = true;
      onAbort();
    };
    signal.addEventListener("abort", onAbort, { once: true });
    options.restartOn?.addEventListener("restart", onRestart);
    try {
      options.onSpawn?.(child.pid);
    } catch (error) {
      log(`perfscope serve: onSpawn failed: ${errorLine(error)}`);
    }
    if (signal.aborted) onAbort(); // aborted since the loop test (e.g. by onSpawn)
    const status = await child.status;
    signal.removeEventListener("abort", onAbort);
    options.restartOn?.removeEventListener("restart", onRestart);
    if (killer !== undefined) clearTimeout(killer);
    await forwarding;
    await child.stdin.close().catch(() => {});
    if (signal.aborted) break;
    if (restarting) {
      log(`perfscope serve: the collector (pid ${child.pid}) restarts with new settings`);
      continue;
    }
    if (Date.now() - started >= HEALTHY_MS) delay = restartDelayMs;
    const how = status.signal
      ? `was killed by ${status.signal}`
      : `exited with code ${status.code}`;
    log(
      `perfscope serve: the collector (pid ${child.pid}) ${how}; restarting in ${seconds(delay)} s`,
    );
    await sleep(delay, signal);
    delay = Math.min(delay * 2, maxRestartDelayMs);
  }
}

function collectArgs(root: string, settings: CollectSettings): string[] {
  const collect = new URL("./collect.ts", import.meta.url);
  const config = new URL("../deno.json", import.meta.url);
  let configArgs: string[] = [];
  try {
    // The child may start from any directory: point it at the project's import map.
    if (config.protocol === "file:" && Deno.statSync(config).isFile) {
      configArgs = ["--config", fileURLToPath(config)];
    }
  } catch {
    // no deno.json beside the sources: run without one
  }
  return [
    "run",
    `--v8-flags=${COLLECT_V8_FLAGS}`,
    ...configArgs,
    "-A",
    collect.protocol === "file:" ? fileURLToPath(collect) : collect.href,
    "--data",
    root,
    "--interval",
    durationFlag(settings.intervalMs),
    ...(settings.flushMs === undefined ? [] : ["--flush", durationFlag(settings.flushMs)]),
    ...(settings.topN === undefined ? [] : ["--top", String(settings.topN)]),
    ...(settings.host === undefined ? [] : ["--host", settings.host]),
    ...(settings.procfs === undefined ? [] : ["--procfs", settings.procfs]),
    ...(settings.sysfs === undefined ? [] : ["--sysfs", settings.sysfs]),
    ...(settings.rootfs === undefined ? [] : ["--rootfs", settings.rootfs]),
    ...(settings.cgroups === undefined ? [] : ["--cgroups", String(settings.cgroups)]),
    // the settings above come from serve, whose config wins: the child reads no config file
    "--no-config",
    "--supervised",
  ];
}

/** serve's environment without its access token: the collector serves nothing. */
/** The child's `PERFSCOPE_REMOTE_WRITE` (JSON), when there are receivers. */
function remoteWriteEnv(settings: CollectSettings): Record<string, string> {
  const entries = settings.remoteWrite ?? [];
  if (entries.length === 0) return {};
  return {
    PERFSCOPE_REMOTE_WRITE: JSON.stringify({ entries, labels: settings.externalLabels ?? [] }),
  };
}

function collectorEnv(): Record<string, string> {
  const env = Deno.env.toObject();
  delete env.PERFSCOPE_TOKEN;
  return env;
}

function send(child: Deno.ChildProcess, sig: Deno.Signal): void {
  try {
    child.kill(sig);
  } catch {
    // it has exited already
  }
}

async function forward(
  stream: ReadableStream<Uint8Array<ArrayBuffer>>,
  log: (line: string) => void,
): Promise<void> {
  let rest = "";
  try {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      const lines = (rest + text).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) if (line.trim() !== "") log(`[collect] ${line}`);
    }
  } catch (error) {
    log(`[collect] (output lost: ${errorLine(error)})`);
  }
  if (rest.trim() !== "") log(`[collect] ${rest}`);
}

function seconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(1);
}
