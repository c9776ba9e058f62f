/**
 * Opens a report file in real headless Chromium (see `../_browser.ts`) and records console
 * errors, page errors and every network request, for the report tests and the screenshot.
 *
 * @module
 */
// deno-lint-ignore no-import-prefix -- kept out of deno.json so serve and collect never fetch it
import type { Browser } from "npm:playwright-core@1.65.1";
import { launchChromium, type OpenedPage, openPage } from "../_browser.ts";

/** An open report page and what it did while loading. */
export interface OpenedReport extends OpenedPage {
  browser: Browser;
}

/**
 * Loads `path` through a file:// URL and waits until the client script marks the page ready.
 *
 * @param path Absolute path of the HTML file.
 * @param viewport Page size; default 1200 × 900.
 * @returns The browser, page, requests and errors; close `browser` when done.
 */
export async function openReport(
  path: string,
  viewport = { width: 1200, height: 900 },
): Promise<OpenedReport> {
  const browser = await launchChromium();
  const opened = await openPage(browser, { viewport });
  await opened.page.goto(new URL(`file://${path}`).href, { waitUntil: "load" });
  await opened.page.waitForSelector("html[data-ready]", { timeout: 30_000 });
  return { browser, ...opened };
}
