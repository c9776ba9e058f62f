/**
 * Test helper: a real `serve` that asks for a token, on a temporary config and lake, for tests
 * that push to it over HTTP and then check what its lake stored.
 *
 * @module
 */
import { openLake } from "../lake/mod.ts";
import { startServe } from "./_serve.ts";

/** A sample as the lake gave it back. */
export interface StoredSample {
  metric: string;
  labels: string;
  value: number;
  /** Its time, ms. */
  ts: number;
}

/**
 * Writes `config` to a temporary `perfscope.yaml`, starts `serve` on it with `--token token`,
 * its collector off and its errors muted, runs `fn` against it, stops it and reads its lake back.
 *
 * @param config The text of `perfscope.yaml`.
 * @param token The bearer token serve asks for.
 * @param fn What to do while it runs, given its base URL (`http://127.0.0.1:PORT/`).
 * @returns Every stored sample, ordered by time, metric and labels.
 */
export async function serveWithToken(
  config: string,
  token: string,
  fn: (base: URL) => Promise<void>,
): Promise<StoredSample[]> {
  const root = await Deno.makeTempDir();
  try {
    const file = `${root}/perfscope.yaml`;
    await Deno.writeTextFile(file, config);
    const args = ["--no-collect", "--data", `${root}/data`, "--token", token, "--config", file];
    const served = await startServe(args, {}, { muteErrors: true });
    try {
      await fn(new URL(served.url.origin + "/"));
    } finally {
      served.stop();
      await served.done;
    }
    const lake = await openLake({ root: `${root}/data` });
    try {
      const rows = await lake.query(
        "SELECT metric, labels, value, epoch_ms(ts) AS ts FROM samples ORDER BY ts, metric, labels",
      );
      return rows.map((r) => ({
        metric: String(r.metric),
        labels: String(r.labels),
        value: Number(r.value),
        ts: Number(r.ts),
      }));
    } finally {
      lake.close();
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
}
