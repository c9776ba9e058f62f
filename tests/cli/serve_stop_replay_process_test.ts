/**
 * `serve` as a real child process stopped with SIGTERM while it replays a large ingest spool at
 * its start: the replay stops at the signal (between segments and between the files of a flush),
 * serve exits saying how many samples stay spooled (the collector, started after the replay, has
 * not touched its own spool), and the next start writes them, none twice.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, serveChild, spawnServe, stopServe, untilLogged } from "../_serve_process.ts";
import { fillIngestSpool } from "../_ingest_spool_fill.ts";
import { listIngestSegments } from "../../lake/ingest_spool.ts";
import { listSegments, openLake, SpoolWriter } from "../../lake/mod.ts";

const DAY = 86_400_000;
/** Yesterday 01:00 UTC: 500,000 samples a millisecond apart stay in one date. */
const FROM = (Math.floor(Date.now() / DAY) - 1) * DAY + 3_600_000;
const ROWS = 500_000;
/** Samples a killed collector left in its own spool. */
const COLLECTED = 600;

/** The lake's samples pushed (`replay_test`) and collected before (host `replay-collector`). */
async function counts(root: string): Promise<{ pushed: number; collected: number }> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ pushed: number; collected: number }>(
      "SELECT count(*) FILTER (WHERE metric = 'replay_test') AS pushed, " +
        "count(*) FILTER (WHERE host = 'replay-collector') AS collected FROM samples",
    );
    return { pushed: Number(row!.pushed), collected: Number(row!.collected) };
  } finally {
    await lake.close();
  }
}

Deno.test("SIGTERM during the ingest spool replay at start: serve stops the replay, says what stays spooled, and the next start writes it once", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-stop-replay-" });
  try {
    const segments = fillIngestSpool(data, ROWS, { from: FROM });
    // and a killed collector's spool segment, which serve's collector child replays at its start
    const spool = new SpoolWriter(data, FROM);
    spool.append(Array.from({ length: COLLECTED }, (_, i) => ({
      ts: FROM + i * 1000,
      host: "replay-collector",
      metric: "cpu_ratio",
      labels: "cpu=total",
      value: i / COLLECTED,
    })));
    spool.close();
    // with the collector: it starts after the replay, so a stop during it leaves its spool alone
    const child = serveChild(["--data", data], { stderr: "piped" });
    const stderr: string[] = [];
    const pumped = (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        stderr.push(chunk);
      }
    })();
    await untilLogged(stderr, new RegExp(`replaying the ingest spool: ${segments} segments`));
    child.kill("SIGTERM");
    const status = await exited(child);
    await pumped;
    const log = stderr.join("");
    assert.equal(status.code, 0, log);
    assert.doesNotMatch(log, /still stopping/); // it did not need the deadline
    const m = log.match(
      /perfscope serve: stopped during the ingest spool replay: (\d+) ingested samples not in Parquet yet stay in \S+\/spool_ingest\/ and are written at the next start/,
    );
    assert.ok(m, log);
    const left = Number(m[1]);
    assert.ok(left > 0 && left <= ROWS, log);
    // what the first start wrote plus what it says stays is everything, nothing twice
    const first = await counts(data);
    assert.equal(first.pushed + left, ROWS, log);
    assert.ok(listIngestSegments(data).length > 0);
    assert.equal(first.collected, 0);
    assert.deepEqual(listSegments(data).map((s) => s.id), [FROM]);
    // the next start (no signal) replays the rest, and its collector its own spool
    const again = await spawnServe(["--data", data], { stderr: "piped" });
    await untilLogged(again.stderr, /Collecting every/); // the child has replayed its spool
    assert.equal((await stopServe(again.process)).code, 0, again.stderr.join(""));
    assert.deepEqual(await counts(data), { pushed: ROWS, collected: COLLECTED });
    assert.deepEqual(listIngestSegments(data), []);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
