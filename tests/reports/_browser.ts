/**
 * Opens a report file in real headless Chromium (playwright-core) and records console errors,
 * page errors and every network request, for the report tests and the screenshot.
 *
 * @module
 */
import { type Browser, chromium, type Page } from "playwright-core";

/** An open report page and what it did while loading. */
export interface OpenedReport {
  browser: Browser;
  page: Page;
  /** URLs of every request the page made, the document included. */
  requests: string[];
  /** Console errors and uncaught page errors. */
  errors: string[];
}

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
  const browser = await chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: CHROMIUM_ARGS,
  });
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(new URL(`file://${path}`).href, { waitUntil: "load" });
  await page.waitForSelector("html[data-ready]", { timeout: 30_000 });
  return { browser, page, requests, errors };
}
