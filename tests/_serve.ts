/**
 * Runs the `serve` command in this process on a free loopback port, for tests that talk to it
 * over HTTP or drive it with a browser.
 *
 * @module
 */
import { main, type ServeHooks } from "../cli/serve.ts";

/** A running `serve`. */
export interface Served {
  /** Its base URL, e.g. `http://127.0.0.1:41234/`. */
  url: URL;
  /** Asks it to shut down (see `done`). */
  stop(): void;
  /** Its exit code, once it has shut down. */
  done: Promise<number>;
  /** What its collector child printed so far (and restart notices), one entry a line. */
  collectorLog: string[];
}

/**
 * Starts `serve` with `args` after `--host 127.0.0.1 --port 0`, its console output muted (the
 * collector child's lines are kept in `collectorLog`).
 *
 * @param args More flags, e.g. `["--data", dir]`.
 * @param hooks More hooks (the stop signal and `onListen` are set here).
 * @param options `muteErrors`: also mute `console.error` until it has shut down, for tests
 * whose bad input serve logs. Default false.
 * @returns Once it listens: its URL, a stop function and its exit code.
 */
export async function startServe(
  args: string[],
  hooks: Omit<ServeHooks, "signal" | "onListen"> = {},
  options: { muteErrors?: boolean } = {},
): Promise<Served> {
  const controller = new AbortController();
  let resolveUrl!: (u: URL) => void;
  const listening = new Promise<URL>((r) => resolveUrl = r);
  const log = console.log, error = console.error;
  console.log = () => {};
  if (options.muteErrors) console.error = () => {};
  const collectorLog: string[] = [];
  const done = main(["--host", "127.0.0.1", "--port", "0", ...args], {
    onCollectorLog: (line) => collectorLog.push(line),
    ...hooks,
    signal: controller.signal,
    onListen: resolveUrl,
  }).finally(() => {
    console.log = log;
    if (options.muteErrors) console.error = error;
  });
  // A failure before listening (busy data dir) rejects here instead of waiting forever.
  const url = await Promise.race([
    listening,
    done.then(() => {
      throw new Error("serve exited before it listened");
    }),
  ]);
  return { url, stop: () => controller.abort(), done, collectorLog };
}

/**
 * Starts `serve` with `DIR/perfscope.yaml` as its config and `DIR/data` as its lake, its collector
 * off (`--no-collect`), as {@linkcode startServe} does.
 *
 * @param dir The directory holding the config (written by the caller).
 * @param hooks See {@linkcode startServe}.
 * @param options See {@linkcode startServe}.
 * @returns Once it listens: its URL, a stop function and its exit code.
 */
export function startServeIn(
  dir: string,
  hooks: Omit<ServeHooks, "signal" | "onListen"> = {},
  options: { muteErrors?: boolean } = {},
): Promise<Served> {
  const args = ["--no-collect", "--data", `${dir}/data`, "--config", `${dir}/perfscope.yaml`];
  return startServe(args, hooks, options);
}

/**
 * Starts `serve` as {@linkcode startServe} does, asks its `/healthz` once and stops it: for tests
 * of what it does at start-up (replay, quarantine) whose checks come after.
 *
 * @param args More flags, e.g. `["--data", dir, "--no-collect"]`.
 * @returns The `/healthz` status and serve's exit code.
 */
export async function startAndStopServe(args: string[]): Promise<{ health: number; code: number }> {
  const served = await startServe(args);
  let health: number;
  try {
    const response = await fetch(new URL("/healthz", served.url));
    await response.body?.cancel();
    health = response.status;
  } finally {
    served.stop();
  }
  return { health, code: await served.done };
}
