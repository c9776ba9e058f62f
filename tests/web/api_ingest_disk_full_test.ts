/**
 * A full disk under the ingest spool, for real: the lake on a 4 MiB tmpfs (skipped where this
 * process may not mount one).
 *
 * @module
 */
import assert from "node:assert/strict";
import { listIngestSegments } from "../../lake/ingest_spool.ts";
import { decodeIngestSegment } from "../../lake/ingest_spool_format.ts";
import { jsonLines, T0, testApp } from "./_app.ts";

async function mountTmpfs(dir: string, size: string): Promise<boolean> {
  try {
    const { success } = await new Deno.Command("mount", {
      args: ["-t", "tmpfs", "-o", `size=${size}`, "tmpfs", dir],
      stdout: "null",
      stderr: "null",
    }).output();
    return success;
  } catch {
    return false;
  }
}

const dir = await Deno.makeTempDir({ prefix: "perfscope-full-" });
const mounted = await mountTmpfs(dir, "4m");
if (!mounted) {
  console.warn("skip: cannot mount a tmpfs here; ignoring the full-disk ingest test");
  await Deno.remove(dir);
}

Deno.test({
  name:
    "POST /api/ingest answers 507 with Retry-After when the disk under the spool is full, and the spool keeps only whole records",
  ignore: !mounted,
  async fn() {
    try {
      // space that is given back once the disk has been full, so the test can end with a flush
      Deno.writeFileSync(`${dir}/filler`, new Uint8Array(3_000_000));
      await using t = await testApp({
        root: dir,
        now: () => T0 + 60_000,
        ingest: { flushEveryMs: 3_600_000, flushRows: 10_000_000, maxBufferedRows: 10_000_000 },
      });
      let accepted = 0;
      let last: Response | undefined;
      for (let k = 0; k < 2_000; k++) {
        const rows = Array.from({ length: 500 }, (_, i) => ({
          ts: T0 + k * 500 + i,
          host: "edge-1",
          metric: "m",
          labels: { k: String(i) },
          value: Math.sqrt(k * 500 + i), // float64s: ~10 bytes a sample
        }));
        last = await t.app.request("/api/ingest", {
          method: "POST",
          headers: { "content-type": "application/x-ndjson" },
          body: jsonLines(rows),
        });
        if (last.status !== 200) break;
        accepted += (await last.json()).accepted;
      }
      assert.equal(last!.status, 507);
      assert.equal(last!.headers.get("Retry-After"), "30");
      assert.match(
        (await last!.json()).error,
        /^Insufficient storage: the disk holding the ingest spool is full/,
      );
      assert.ok(accepted > 0);
      assert.equal(t.ingest.buffered, accepted);
      // the failed append was cut off: the segment decodes whole, exactly the accepted samples
      const [seg] = listIngestSegments(dir);
      const { batches, undecoded } = decodeIngestSegment(Deno.readFileSync(seg!.path));
      assert.equal(undecoded, 0);
      assert.equal(batches.reduce((n, b) => n + b.ts.length, 0), accepted);
      // a flush on the full disk fails (its new spool segment first) and keeps every row buffered
      assert.throws(
        () => t.ingest.flush(),
        /Cannot write ingest spool: .*(No space left|os error 28)/,
      );
      assert.equal(t.ingest.buffered, accepted);
      // space again: the retried flush writes them all
      Deno.removeSync(`${dir}/filler`);
      assert.equal(t.ingest.flush(), accepted);
      const res = await t.app.request("/api/query", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ sql: "SELECT count(*) AS n FROM samples" }),
      });
      assert.equal(Number((await res.json()).rows[0][0]), accepted);
    } finally {
      await new Deno.Command("umount", { args: [dir] }).output();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
