/**
 * One client of the ingest soak (`bench/ingest_soak.ts`), run in a Worker so its work does not
 * delay the main thread's `/healthz` probe: it pushes 5,000-line JSON bodies to `/api/ingest`
 * as fast as the server takes them, waits `Retry-After` on 503/507 and sends the same body
 * again, and on a lost connection (the server killed) retries the same body at the URL it is
 * given next. Every body holds new timestamps, so the stored samples can be counted distinct.
 *
 * Messages in: `{ start: { url, host, ts0, series } }`, `{ url }` (the server moved),
 * `{ stop: true }`. Out: `{ acked, refused, failed, sent }` every 250 ms and `{ done: true, … }`.
 *
 * @module
 */

interface Start {
  url: string;
  host: string;
  /** First timestamp (ms). */
  ts0: number;
  /** Series per body (5,000 / series timestamps per body). */
  series: number;
}

const LINES = 5_000;
const TS_DIGITS = 13;

/** A body template with the byte offset of every line's 13-digit `ts`. */
function template(
  host: string,
  series: number,
): { bytes: Uint8Array<ArrayBuffer>; at: Uint32Array } {
  const enc = new TextEncoder();
  const parts: string[] = [];
  const at = new Uint32Array(LINES);
  let size = 0;
  for (let j = 0; j < LINES; j++) {
    const s = j % series;
    const head = `{"ts":`;
    const line = `${head}${"0".repeat(TS_DIGITS)},"host":"${host}","metric":"soak_m${
      String(s % 50).padStart(2, "0")
    }","labels":{"core":"${Math.floor(s / 50)}"},"value":${(j * 7 % 1000) / 4}}\n`;
    at[j] = size + head.length;
    parts.push(line);
    size += line.length; // ASCII
  }
  return { bytes: enc.encode(parts.join("")), at };
}

/** This Worker's global scope (the file is type-checked with the window's types). */
const scope = self as unknown as {
  postMessage(message: unknown): void;
  onmessage: ((e: MessageEvent) => void) | null;
};

let url = "";
let stopping = false;
const counts = { acked: 0, refused: 0, failed: 0, sent: 0, lastRefusal: "" };

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function run(start: Start): Promise<void> {
  url = start.url;
  const { bytes, at } = template(start.host, start.series);
  const perBody = LINES / start.series;
  let ts = start.ts0;
  const report = setInterval(() => scope.postMessage({ ...counts }), 250);
  while (!stopping) {
    // new timestamps for every body: line j gets ts + floor(j / series)
    for (let j = 0; j < LINES; j++) {
      let v = ts + Math.floor(j / start.series);
      for (let d = TS_DIGITS - 1; d >= 0; d--) {
        bytes[at[j]! + d] = 48 + (v % 10);
        v = Math.floor(v / 10);
      }
    }
    ts += perBody;
    for (;;) {
      if (stopping) break;
      counts.sent++;
      let res: Response;
      try {
        res = await fetch(new URL("/api/ingest", url), {
          method: "POST",
          headers: { "Content-Type": "application/x-ndjson" },
          body: bytes,
        });
      } catch {
        counts.failed++; // connection refused or reset: the server is down, same body again
        await sleep(200);
        continue;
      }
      if (res.status === 200) {
        const { accepted } = await res.json() as { accepted: number };
        counts.acked += accepted;
        break;
      }
      const answer = await res.text();
      if (res.status === 503 || res.status === 507 || res.status === 429) {
        counts.refused++;
        counts.lastRefusal = answer.slice(0, 300);
        await sleep(Number(res.headers.get("Retry-After") ?? "1") * 1000);
        continue;
      }
      throw new Error(`Unexpected answer ${res.status} from /api/ingest: ${answer.slice(0, 300)}`);
    }
  }
  clearInterval(report);
  scope.postMessage({ done: true, ...counts });
}

scope.onmessage = (e: MessageEvent) => {
  const m = e.data as { start?: Start; url?: string; stop?: boolean };
  if (m.start) {
    run(m.start).catch((error) => {
      scope.postMessage({ done: true, error: String(error), ...counts });
    });
  }
  if (m.url) url = m.url;
  if (m.stop) stopping = true;
};
