/**
 * `serve` as a real child process stopped with SIGTERM while it replays a large ingest spool at
 * its start: the replay stops at the signal (between segments and between the files of a flush),
 * serve exits saying how many samples stay spooled, and the next start writes them, none twice.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, serveChild, spawnServe, stopServe, untilLogged } from "../_serve_process.ts";
import { countSamples } from "../_count_samples.ts";
import { fillIngestSpool } from "../_ingest_spool_fill.ts";
import { listIngestSegments } from "../../lake/ingest_spool.ts";

const DAY = 86_400_000;
/** Yesterday 01:00 UTC: 500,000 samples a millisecond apart stay in one date. */
const FROM = (Math.floor(Date.now() / DAY) - 1) * DAY + 3_600_000;
const ROWS = 500_000;

Deno.test("SIGTERM during the ingest spool replay at start: serve stops the replay, says what stays spooled, and the next start writes it once", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-stop-replay-" });
  try {
    const segments = fillIngestSpool(data, ROWS, { from: FROM });
    const child = serveChild(["--data", data, "--no-collect"], { stderr: "piped" });
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
    assert.equal(await countSamples(data) + left, ROWS, log);
    assert.ok(listIngestSegments(data).length > 0);
    // the next start (no signal) replays the rest
    const again = await spawnServe(["--data", data, "--no-collect"], { stderr: "piped" });
    assert.equal((await stopServe(again.process)).code, 0, again.stderr.join(""));
    assert.equal(await countSamples(data), ROWS);
    assert.deepEqual(listIngestSegments(data), []);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
