/**
 * Reloads a config file on SIGHUP or when the file changes, keeping the last good config when the
 * new text does not validate: a typo saved in an editor must not take a running server down.
 *
 * Changes are found by polling the file's stat (inode, size, mtime, ctime) about once a second,
 * not with `Deno.watchFs`: a FIFO created in the watched folder made Deno's watcher stop
 * delivering events and never end, even after `close()`, so reloads stopped and a stopping server
 * waited forever. One `stat` a second costs nothing next to the 1 Hz collector, and it needs no
 * folder watch at all.
 *
 * A file is read only once its stat is the same at two polls in a row, so a slow writer (truncate,
 * then fill a while later) is read when it is done, not halfway. A file that is empty (zero bytes
 * or only whitespace) or missing is taken as "being rewritten": the config in force stays and
 * `onHold` is called once, rather than every default applying at once. An operator who wants
 * the defaults writes `{}` or a file of comments only.
 *
 * @module
 */
import { loadConfig, MAX_CONFIG_BYTES, parseConfig } from "./load_config.ts";
import type { PerfscopeConfig } from "./schema.ts";

/** Why a reload kept the config in force without reading a new one. */
export type ConfigHoldReason = "empty" | "missing";

/** Options for {@linkcode watchConfig}. */
export interface WatchConfigOptions {
  /** Stops watching. */
  signal: AbortSignal;
  /** Called with each new valid config (not with the one already loaded). */
  onChange: (config: PerfscopeConfig) => void;
  /** Called when a reload fails; the previous config stays in force. */
  onError: (error: unknown) => void;
  /** Called once each time the file is found empty or missing while a non-empty config is in
   * force; that config stays until the file has content again. Default: nothing. */
  onHold?: (reason: ConfigHoldReason) => void;
  /** Time between two looks at the file's stat, in ms; a change is read once the stat stayed
   * the same for one interval. Default 1000. */
  pollMs?: number;
  /** Reload on SIGHUP (at once, without waiting for the file to settle). Default true. */
  sighup?: boolean;
  /** Reload when the file changes. Default true. */
  watch?: boolean;
  /** Called once the signal handler and the polling are in place. */
  onReady?: () => void;
  /** The config in force, which a reload is compared with. Default: the file as read when the
   * watch starts (pass the config the caller runs with, so an edit made between its start and
   * the watch's is not taken for the baseline). */
  current?: PerfscopeConfig;
}

/** What identifies one version of the file: "missing", or inode, size and times. */
async function stamp(path: string): Promise<string> {
  try {
    const s = await Deno.stat(path);
    return `${s.ino}:${s.size}:${s.mtime?.getTime()}:${s.ctime?.getTime()}`;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    return `error:${(error as Error).message}`;
  }
}

/** Reads the file: a config, or why there is none to read yet. */
async function readConfig(path: string): Promise<PerfscopeConfig | ConfigHoldReason> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "missing";
    throw error;
  }
  // a FIFO, a folder or a huge file: loadConfig says what is wrong (and never opens a FIFO)
  if (!info.isFile || info.size > MAX_CONFIG_BYTES) return (await loadConfig(path)).config;
  const text = await Deno.readTextFile(path);
  return text.trim() === "" ? "empty" : parseConfig(text, path);
}

/**
 * Watches one config file until the signal aborts.
 *
 * @param path The config file (it must exist when the watch starts).
 * @param options Callbacks, stop signal and poll interval.
 * @returns A promise that settles once watching has stopped (within one read of the file).
 */
export async function watchConfig(path: string, options: WatchConfigOptions): Promise<void> {
  const { signal, onChange, onError } = options;
  const pollMs = options.pollMs ?? 1000;
  let last = JSON.stringify(options.current ?? (await loadConfig(path)).config);
  // the stat at the last poll, and the one last read (or found empty/missing)
  let seen = await stamp(path);
  let read = seen;
  let held = false;
  let chain = Promise.resolve();

  function reload(): Promise<void> {
    chain = chain.then(async () => {
      if (signal.aborted) return;
      read = await stamp(path);
      try {
        const next = await readConfig(path);
        if (typeof next === "string") {
          // an empty file read as {} would apply every default at once: wait for the content
          if (next === "empty" && last === "{}") return;
          if (!held) options.onHold?.(next);
          held = true;
          return;
        }
        held = false;
        const text = JSON.stringify(next);
        if (text === last) return;
        last = text;
        onChange(next);
      } catch (error) {
        held = false;
        onError(error);
      }
    });
    return chain;
  }
  const onSighup = () => void reload();

  let timer: ReturnType<typeof setTimeout> | undefined;
  async function poll() {
    const now = await stamp(path);
    // a stat that changed since the last poll may still be changing: look again next time
    if (now === seen && now !== read) await reload();
    seen = now;
    if (!signal.aborted) timer = setTimeout(poll, pollMs);
  }

  const sighup = options.sighup ?? true;
  const watch = options.watch ?? true;
  // an edit made before the watch was in place is looked at once now
  if (options.current !== undefined) void reload();
  if (sighup) Deno.addSignalListener("SIGHUP", onSighup);
  const stopped = Promise.withResolvers<void>();
  const close = () => stopped.resolve();
  signal.addEventListener("abort", close, { once: true });
  try {
    if (signal.aborted) return;
    if (watch) timer = setTimeout(poll, pollMs);
    options.onReady?.();
    await stopped.promise;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", close);
    if (sighup) Deno.removeSignalListener("SIGHUP", onSighup);
    await chain;
  }
}
