/**
 * Test helper: `serve` started in this process on a lake folder (`../_serve.ts`) and a Chromium
 * to look at it (`../_browser.ts`), for the browser tests of the whole command.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- kept out of deno.json so serve and collect never fetch it
import type { Browser } from "npm:playwright-core@1.65.1";
import { launchChromium } from "../_browser.ts";
import { type Served, startServe } from "../_serve.ts";

/** A running `serve` and a browser; disposing closes the browser, stops serve, removes its lake. */
export interface ServeWithChromium extends AsyncDisposable {
  server: Served;
  browser: Browser;
}

/**
 * Starts `serve --data DATA --no-collect ...more` and then {@linkcode launchChromium}, for
 * `await using s = await serveWithChromiumIn(data)`. Disposal closes the browser, stops serve,
 * waits for its exit and removes `data`.
 *
 * @param data The test's lake folder, removed on disposal.
 * @param more More flags for serve, e.g. `["--config", file]`. Default none.
 * @returns The server and the browser.
 */
export async function serveWithChromiumIn(
  data: string,
  more: string[] = [],
): Promise<ServeWithChromium> {
  const server = await startServe(["--data", data, "--no-collect", ...more]);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    server.stop();
    await server.done;
    throw e;
  }
  return {
    server,
    browser,
    async [Symbol.asyncDispose]() {
      await browser.close();
      server.stop();
      await server.done;
      await Deno.remove(data, { recursive: true });
    },
  };
}
