/**
 * Test helper: pushing samples to a running `serve` over `POST /api/ingest`, one JSON line
 * each.
 *
 * @module
 */

/** A sample as `/api/ingest` takes it. */
export interface PostedSample {
  /** Time in ms. Default: now. */
  ts?: number;
  host: string;
  metric: string;
  /** Default none. */
  labels?: Record<string, string>;
  value: number;
}

/**
 * Posts the samples in one body and reads the answer to its end.
 *
 * @param base The server's base URL, e.g. `http://127.0.0.1:41234/`.
 * @param samples The samples, one JSON line each.
 * @returns The answer's status (200 where all were accepted).
 */
export async function postSamples(base: URL | string, samples: PostedSample[]): Promise<number> {
  const now = Date.now();
  const lines = samples.map((s) =>
    JSON.stringify({
      ts: s.ts ?? now,
      host: s.host,
      metric: s.metric,
      labels: s.labels ?? {},
      value: s.value,
    })
  );
  const response = await fetch(new URL("/api/ingest", base), {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: lines.join("\n") + "\n",
  });
  await response.body?.cancel();
  return response.status;
}
