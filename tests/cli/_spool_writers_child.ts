/**
 * Test helper, a process of its own: the lake's writers racing a reader in another process. It
 * pushes rows to an ingest writer (flushed by its timer on the flush thread), spools rows as
 * the collector does (each segment written to Parquet, then deleted) and compacts, every few
 * milliseconds, until the file named by its second argument appears; then it flushes all and
 * prints the rows it wrote as `{"ingest": N, "collected": N}`.
 *
 * `deno run -A tests/cli/_spool_writers_child.ts ROOT STOP_FILE T0`
 *
 * @module
 */
import { compactLake, IngestWriter, replaySpool, SpoolWriter } from "../../lake/mod.ts";

const [root, stop, t0] = [Deno.args[0]!, Deno.args[1]!, Number(Deno.args[2])];
const ingest = new IngestWriter({
  root,
  sync: false,
  now: () => t0,
  flushEveryMs: 25,
  flushInWorker: true,
});
let pushed = 0, collected = 0, segment = t0 + 3_600_000, round = 0;
const stopped = () => {
  try {
    Deno.statSync(stop);
    return true;
  } catch {
    return false;
  }
};
while (!stopped()) {
  round++;
  // unique (ts, labels) per row, so a row counted twice shows as a duplicate
  const ts = Array.from({ length: 20 }, (_, i) => t0 + (pushed + i) * 10);
  ingest.writeBatch({
    ts,
    host: ts.map(() => "edge-1"),
    metric: ts.map(() => "pushed"),
    labels: ts.map(() => "k=v"),
    value: ts.map(() => 1),
  });
  pushed += ts.length;
  const spool = new SpoolWriter(root, ++segment);
  spool.append(Array.from({ length: 10 }, (_, i) => ({
    ts: t0 + (collected + i) * 10,
    host: "coll-1",
    metric: "collected",
    labels: "k=v",
    value: 1,
  })));
  collected += 10;
  spool.close();
  // the collector's flush: most rounds, so that some segments wait a round in the spool
  if (round % 3 !== 0) replaySpool(root);
  if (round % 10 === 0) await compactLake({ root, now: () => t0 + 60_000, warn() {} });
  await new Promise((r) => setTimeout(r, 5));
}
replaySpool(root);
ingest.close();
console.log(JSON.stringify({ ingest: pushed, collected }));
