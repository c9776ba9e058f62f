/**
 * Headless Chromium for the browser tests (playwright-core driving Debian's `chromium`): one
 * launch and a page that records console errors, page errors and every request. Tests that use
 * it skip where Chromium is absent: `ignore: missing("chromium", …)` from `_skip.ts`.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- kept out of deno.json so serve and collect never fetch it
import { type Browser, chromium, type Page } from "npm:playwright-core@1.65.1";
import { missing } from "./_skip.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM_PATH = "/usr/bin/chromium";

/** Chromium flags for a quiet, sandbox-free headless run that calls no Google service. */
export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Starts headless Chromium with {@linkcode CHROMIUM_ARGS}.
 *
 * @returns The browser; close it when done.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/** Options for {@linkcode openPage}. */
export interface OpenPageOptions {
  /** Page size. Default 1200 × 900. */
  viewport?: { width: number; height: number };
  /** Which failed requests count as errors (`request failed: <url>`). Default: none. */
  failedRequest?: (url: string) => boolean;
}

/** A page and what it did so far. */
export interface OpenedPage {
  page: Page;
  /** URLs of every request the page made, documents included. */
  requests: string[];
  /** Console errors, uncaught page errors and the failed requests that count. */
  errors: string[];
}

/**
 * Opens a blank page that records requests and errors from then on.
 *
 * @param browser From {@linkcode launchChromium}.
 * @param options See {@linkcode OpenPageOptions}.
 * @returns The page and the live lists of requests and errors.
 */
export async function openPage(
  browser: Browser,
  options: OpenPageOptions = {},
): Promise<OpenedPage> {
  const page = await browser.newPage({
    viewport: options.viewport ?? { width: 1200, height: 900 },
  });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  const failed = options.failedRequest;
  if (failed) {
    page.on("requestfailed", (r) => failed(r.url()) && errors.push(`request failed: ${r.url()}`));
  }
  return { page, requests, errors };
}

/** An app served on loopback and a Chromium to look at it; disposing closes both. */
export interface ServedApp extends AsyncDisposable {
  browser: Browser;
  /** Where the app answers, e.g. `http://127.0.0.1:41234`. */
  origin: string;
}

/**
 * Serves `fetch` on a free loopback port and starts {@linkcode launchChromium}, for
 * `await using served = await serveWithChromium(t.app.fetch)`. Disposal closes the browser,
 * then shuts the server down.
 *
 * @param fetch The app's handler (a Hono app's `fetch`).
 * @returns The browser and the app's origin.
 */
export async function serveWithChromium(
  fetch: (request: Request) => Response | Promise<Response>,
): Promise<ServedApp> {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, fetch);
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await server.shutdown();
    throw e;
  }
  return {
    browser,
    origin: `http://127.0.0.1:${server.addr.port}`,
    async [Symbol.asyncDispose]() {
      await browser.close();
      await server.shutdown();
    },
  };
}

/**
 * Registers a test that drives Chromium: skipped where Chromium is absent, and with Deno's op and
 * resource sanitizers off, since the browser's pipes and timers outlive any one test.
 *
 * @param name The test's name.
 * @param what What is skipped, for the skip message (e.g. `the Alerts page browser test`).
 * @param fn The test.
 */
export function browserTest(name: string, what: string, fn: () => Promise<void>): void {
  Deno.test({
    name,
    ignore: missing("chromium", what),
    sanitizeOps: false,
    sanitizeResources: false,
    fn,
  });
}
