/**
 * `serve` as a real child process, killed with SIGKILL while two clients push to
 * `/api/ingest`: after a restart on the same data and a clean stop, every acknowledged sample
 * is in the lake (each exactly once among the distinct samples), and the clients, resending
 * what was not acknowledged after `Retry-After` or a lost connection, lose nothing.
 *
 * @module
 */
import assert from "node:assert/strict";
import { openLake } from "../../lake/mod.ts";
import { listIngestSegments } from "../../lake/ingest_spool.ts";
import { INGEST_SPOOL_MAGIC } from "../../lake/ingest_spool_format.ts";
import { type ServeProcess, spawnServe, stopServe } from "../_serve_process.ts";

/** Starts `serve` as a child process on a free loopback port and waits for its URL. */
function serveOn(data: string, config: string): Promise<ServeProcess> {
  return spawnServe(["--data", data, "--no-collect", "--config", config]);
}

/** A client: bodies of `lines` samples with timestamps no other body has, resent until taken. */
async function pushUntil(
  host: string,
  url: () => string,
  stop: () => boolean,
  acked: { n: number; refused: number },
): Promise<void> {
  const t0 = Date.now() - 120_000;
  for (let b = 0; !stop(); b++) {
    const lines: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      lines.push(JSON.stringify({
        ts: t0 + b * 20 + Math.floor(i / 100),
        host,
        metric: `m${i % 10}`,
        // a value of 60 "é": its series' UTF-8 is longer than the spool's prefix for its units
        labels: { k: String(Math.floor(i / 10) % 10), name: "é".repeat(60) },
        value: i / 4,
      }));
    }
    const body = lines.join("\n");
    for (;;) {
      let res: Response;
      try {
        res = await fetch(new URL("/api/ingest", url()), {
          method: "POST",
          headers: { "content-type": "application/x-ndjson" },
          body,
        });
      } catch {
        await new Promise((r) => setTimeout(r, 100)); // the server is down: same body again
        continue;
      }
      if (res.status === 200) {
        acked.n += (await res.json()).accepted;
        break;
      }
      const text = await res.text();
      assert.ok(res.status === 503, `${res.status}: ${text}`);
      acked.refused++;
      await new Promise((r) => setTimeout(r, Number(res.headers.get("Retry-After")) * 1000));
    }
  }
}

Deno.test("Every sample POST /api/ingest acknowledged is in the lake after serve is killed with SIGKILL in the middle of a push", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-kill-" });
  const config = `${data}.yaml`;
  // small budgets, so the push meets the backpressure too; a long flush interval, so the kill
  // finds samples only in the spool
  await Deno.writeTextFile(
    config,
    "ingest:\n  max_buffered_rows: 40000\n  flush_rows: 30000\n  flush_every: 1h\n",
  );
  let server = await serveOn(data, config);
  let stopping = false;
  const counts = [{ n: 0, refused: 0 }, { n: 0, refused: 0 }];
  const clients = ["kill-a", "kill-b"].map((host, k) =>
    pushUntil(host, () => server.url, () => stopping, counts[k]!)
  );
  const acked = () => counts[0]!.n + counts[1]!.n;
  while (acked() < 60_000) await new Promise((r) => setTimeout(r, 20));
  // the spool holds acknowledged samples not yet in Parquet when the kill comes
  const spooled = listIngestSegments(data).reduce((n, s) => n + s.bytes, 0);
  server.process.kill("SIGKILL");
  const status = await server.process.status;
  assert.equal(status.signal, "SIGKILL");
  assert.ok(spooled > INGEST_SPOOL_MAGIC.length * 2, `spool held ${spooled} bytes at the kill`);
  const atKill = acked();
  server = await serveOn(data, config);
  while (acked() < atKill + 20_000) await new Promise((r) => setTimeout(r, 20));
  stopping = true;
  await Promise.all(clients);
  await stopServe(server.process);

  const lake = await openLake({ root: data });
  try {
    const [row] = await lake.query<{ n: bigint; d: bigint }>(
      "SELECT count(*) AS n, count(DISTINCT (host, metric, labels, ts)) AS d FROM samples",
    );
    // every acknowledged sample once; a body in flight at the kill may be there twice (spooled,
    // then resent because its answer never came)
    assert.equal(Number(row!.d), acked());
    assert.ok(Number(row!.n) - Number(row!.d) <= 2 * 2_000, `${row!.n} rows, ${row!.d} distinct`);
  } finally {
    lake.close();
  }
  assert.deepEqual(listIngestSegments(data), []);
  await Deno.remove(data, { recursive: true });
  await Deno.remove(config);
});
