/**
 * StatsD series the lake would refuse (a tag value over 1,024 bytes, a name over 200 bytes, a
 * value that is infinite) are dropped alone, as before, but now counted and said in serve's log
 * (at most once a minute), as scrape (`scrape_samples_dropped{reason="invalid"}`), OTLP (the
 * partial success) and `/api/ingest` (its 400) say theirs: they used to vanish without a word.
 */
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { capturingServer, flushAfter } from "./_statsd.ts";

Deno.test({
  name: "StatsD samples the lake would refuse are counted and logged, the others stored",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const { server, batches, log, clock } = await capturingServer();
    const raw = dgram.createSocket("udp4");
    const lines = [
      "good:1|g",
      `tagged:1|c|#k:${"v".repeat(2000)}`,
      `n${"x".repeat(300)}:1|g`,
      "huge:1e308|c|@0.000001",
    ];
    let invalid: number;
    try {
      await new Promise<void>((r) =>
        raw.send(new TextEncoder().encode(lines.join("\n")), server.port, "127.0.0.1", () => r())
      );
      await flushAfter(server, 1, clock, 1000);
      // read before close, whose last flush sends the counter's 0 and the gauge again
      invalid = server.status().invalid;
    } finally {
      raw.close();
      await server.close();
    }
    assert.deepEqual(batches[0]!.metric, ["good"]);
    assert.equal(invalid, 3);
    const line = log.find((l) => l.startsWith("statsd: 3 samples dropped"));
    assert.ok(line, log.join("\n"));
    assert.match(line, /label value longer than 1024 bytes/);
  },
});
