/**
 * Reloads a config file on SIGHUP or when the file changes, keeping the last good config when the
 * new text does not validate: a typo saved in an editor must not take a running server down.
 *
 * @module
 */
import { loadConfig } from "./load_config.ts";
import type { PerfscopeConfig } from "./schema.ts";

/** Options for {@linkcode watchConfig}. */
export interface WatchConfigOptions {
  /** Stops watching. */
  signal: AbortSignal;
  /** Called with each new valid config (not with the one already loaded). */
  onChange: (config: PerfscopeConfig) => void;
  /** Called when a reload fails; the previous config stays in force. */
  onError: (error: unknown) => void;
  /** Quiet time after the last file event before reading, in ms. Default 200. */
  debounceMs?: number;
  /** Reload on SIGHUP. Default true. */
  sighup?: boolean;
  /** Reload when the file changes. Default true. */
  watch?: boolean;
  /** Called once the signal handler and the file watch are in place. */
  onReady?: () => void;
  /** The config in force, which a reload is compared with. Default: the file as read when the
   * watch starts (pass the config the caller runs with, so an edit made between its start and
   * the watch's is not taken for the baseline). */
  current?: PerfscopeConfig;
}

/**
 * Watches one config file until the signal aborts. The folder is watched rather than the file,
 * because editors save by writing a new file and renaming it over the old one.
 *
 * @param path The config file (it must exist when the watch starts).
 * @param options Callbacks, stop signal and debounce.
 * @returns A promise that settles once watching has stopped.
 */
export async function watchConfig(path: string, options: WatchConfigOptions): Promise<void> {
  const { signal, onChange, onError } = options;
  const debounceMs = options.debounceMs ?? 200;
  const full = await Deno.realPath(path);
  const dir = full.slice(0, full.lastIndexOf("/")) || "/";
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = JSON.stringify(options.current ?? (await loadConfig(path)).config);

  async function reload() {
    try {
      const { config } = await loadConfig(path);
      const text = JSON.stringify(config);
      if (text === last) return;
      last = text;
      onChange(config);
    } catch (error) {
      onError(error);
    }
  }
  function soon() {
    clearTimeout(timer);
    timer = setTimeout(reload, debounceMs);
  }

  const sighup = options.sighup ?? true;
  // an edit made before the watch was in place is looked at once now
  if (options.current !== undefined) soon();
  if (sighup) Deno.addSignalListener("SIGHUP", soon);
  const watcher = options.watch ?? true ? Deno.watchFs(dir, { recursive: false }) : undefined;
  const stopped = Promise.withResolvers<void>();
  const close = () => {
    watcher?.close();
    stopped.resolve();
  };
  signal.addEventListener("abort", close, { once: true });
  try {
    if (signal.aborted) return;
    options.onReady?.();
    if (watcher) {
      for await (const event of watcher) {
        if (event.paths.includes(full)) soon();
      }
    } else await stopped.promise;
  } finally {
    clearTimeout(timer);
    signal.removeEventListener("abort", close);
    if (sighup) Deno.removeSignalListener("SIGHUP", soon);
  }
}
