/**
 * `serve` as a real child process killed with SIGKILL (no handler runs) in the middle of the
 * replay of an ingest spool of large requests (250,000 samples each, their hosts by turns, so a
 * flush writes several files), twice, at the first new Parquet file each time: the next start
 * neither loses nor writes twice a sample, counted in the lake through DuckDB.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, serveChild, spawnServe, stopServe } from "../_serve_process.ts";
import { fillIngestSpool } from "../_ingest_spool_fill.ts";
import { listIngestSegments } from "../../lake/ingest_spool.ts";
import { openLake } from "../../lake/mod.ts";

const DAY = 86_400_000;
/** Yesterday 01:00 UTC: the samples, a millisecond apart, stay in one date. */
const FROM = (Math.floor(Date.now() / DAY) - 1) * DAY + 3_600_000;
const REQUEST = 250_000;
const ROWS = 3 * REQUEST;

/** The Parquet files of the raw tree. */
function parquetFiles(root: string): Set<string> {
  const out = new Set<string>();
  const walk = (dir: string) => {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (e.isDirectory) walk(`${dir}/${e.name}`);
        else if (e.name.endsWith(".parquet")) out.add(`${dir}/${e.name}`);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
  };
  walk(`${root}/metrics`);
  return out;
}

Deno.test("kill -9 of serve in the middle of the replay of large ingest requests, twice: the next start writes every sample once", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-kill-replay-" });
  try {
    fillIngestSpool(data, ROWS, {
      from: FROM,
      segmentRows: REQUEST,
      recordRows: REQUEST,
      mixHosts: true,
    });
    for (let kill = 0; kill < 2; kill++) {
      const before = parquetFiles(data);
      const child = serveChild(["--data", data, "--no-collect"]);
      // at the first file this start writes: a flush of the replay under way
      let waited = 0;
      while (parquetFiles(data).size === before.size && waited++ < 6000) {
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill("SIGKILL");
      await exited(child);
      assert.ok(parquetFiles(data).size > before.size, `kill ${kill + 1}: no file written`);
      assert.ok(listIngestSegments(data).length > 0, `kill ${kill + 1}: the replay had ended`);
    }
    const again = await spawnServe(["--data", data, "--no-collect"], { stderr: "piped" });
    assert.equal((await stopServe(again.process)).code, 0, again.stderr.join(""));
    assert.deepEqual(listIngestSegments(data), []);
    const lake = await openLake({ root: data });
    try {
      const [row] = await lake.query<{ n: number; distinct: number }>(
        "SELECT count(*) AS n, count(DISTINCT (host, ts, metric, labels)) AS distinct " +
          "FROM samples WHERE metric = 'replay_test'",
      );
      assert.deepEqual({ n: Number(row!.n), distinct: Number(row!.distinct) }, {
        n: ROWS,
        distinct: ROWS,
      });
    } finally {
      await lake.close();
    }
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
