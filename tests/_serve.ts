/**
 * Runs the `serve` command in this process on a free loopback port, for tests that talk to it
 * over HTTP or drive it with a browser.
 *
 * @module
 */
import { main } from "../cli/serve.ts";

/** A running `serve`. */
export interface Served {
  /** Its base URL, e.g. `http://127.0.0.1:41234/`. */
  url: URL;
  /** Asks it to shut down (see `done`). */
  stop(): void;
  /** Its exit code, once it has shut down. */
  done: Promise<number>;
}

/**
 * Starts `serve` with `args` after `--host 127.0.0.1 --port 0`, its console output muted.
 *
 * @param args More flags, e.g. `["--data", dir]`.
 * @returns Once it listens: its URL, a stop function and its exit code.
 */
export async function startServe(args: string[]): Promise<Served> {
  const controller = new AbortController();
  let resolveUrl!: (u: URL) => void;
  const listening = new Promise<URL>((r) => resolveUrl = r);
  const log = console.log;
  console.log = () => {};
  const done = main(["--host", "127.0.0.1", "--port", "0", ...args], {
    signal: controller.signal,
    onListen: resolveUrl,
  }).finally(() => console.log = log);
  return { url: await listening, stop: () => controller.abort(), done };
}
