/**
 * Test helper: samples pushed to a running serve's `/api/ingest` now and every second after, as
 * a live app would, so pages that wait for fresh data (pending alerts, service windows) see it.
 *
 * @module
 */
import assert from "node:assert/strict";

/** One sample as pushed, without its time and host (stamped at each push). */
export interface PushedRow {
  metric: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * Pushes `rows` (stamped with the time and `host`) three times at once, then every second until
 * disposed: `using pushing = await pushEverySecond(server.url, rows)`. The first three must be
 * accepted (200); a later push that fails is left to the next.
 *
 * @param base The serve's URL.
 * @param rows The samples of each push.
 * @param host Their host. Default `web-1`.
 * @returns A disposable that stops the pushes.
 */
export async function pushEverySecond(
  base: string | URL,
  rows: PushedRow[],
  host = "web-1",
): Promise<Disposable> {
  const push = async () => {
    const now = Date.now();
    const res = await fetch(new URL("/api/ingest", base), {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: rows.map((r) => JSON.stringify({ ts: now, host, ...r })).join("\n"),
    });
    assert.equal(res.status, 200, await res.text());
  };
  const timer = setInterval(() => push().catch(() => {}), 1000);
  try {
    for (let i = 0; i < 3; i++) await push();
  } catch (e) {
    clearInterval(timer);
    throw e;
  }
  return { [Symbol.dispose]: () => clearInterval(timer) };
}
