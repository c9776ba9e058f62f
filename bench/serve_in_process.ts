/**
 * The `serve` of perfscope versions before issue 14: the web app and the 1 Hz collector in one
 * process (`startCollection` on serve's own thread). Kept only so the collector bench can show
 * what moving the collector to a child process costs. It serves on a free loopback port until
 * SIGTERM or the duration ends.
 *
 * Run: `deno run -A bench/serve_in_process.ts DATA_DIR SECONDS`.
 *
 * @module
 */

import { IngestWriter, openLake, startCollection } from "../lake/mod.ts";
import { createApp, LiveHub, openSqlSandbox } from "../web/mod.ts";

/**
 * Serves `root` with an in-process collector for `seconds`.
 *
 * @param root Lake root.
 * @param seconds How long to run.
 * @returns The number of snapshots taken.
 */
export async function serveInProcess(root: string, seconds: number): Promise<number> {
  await Deno.mkdir(root, { recursive: true });
  const stop = new AbortController();
  Deno.addSignalListener("SIGTERM", () => stop.abort());
  const timer = setTimeout(() => stop.abort(), seconds * 1000);
  const hub = new LiveHub();
  const lake = await openLake({ root });
  const sandbox = await openSqlSandbox({ root });
  const ingest = new IngestWriter({ root });
  const collection = await startCollection({
    root,
    intervalMs: 1000,
    signal: stop.signal,
    onSamples: (s) => hub.publish(s),
  });
  const app = createApp({ lake, hub, sandbox, ingest, root, allowedHosts: ["127.0.0.1"] });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const summary = await collection.done;
  clearTimeout(timer);
  hub.close();
  await server.shutdown();
  ingest.close();
  sandbox.close();
  lake.close();
  return summary.snapshots;
}

if (import.meta.main) {
  const snapshots = await serveInProcess(Deno.args[0]!, Number(Deno.args[1]));
  console.log(`Collected ${snapshots} snapshots in process`);
  Deno.exit(0);
}
