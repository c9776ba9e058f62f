/**
 * Scrape targets that misbehave get a bounded, clear failure (`up` 0 and one log line) while the
 * other targets keep being scraped: a target that hangs, one that sends 10 MB, one that sends
 * malformed text, one that answers 500, one that does not listen, plus a real node_exporter.
 */
import assert from "node:assert/strict";
import {
  CumulativeState,
  type IngestBatch,
  ScrapeManager,
  scrapeTarget,
} from "../../receivers/mod.ts";
import { missing } from "../_skip.ts";
import { freePort } from "../_ports.ts";

function serve(handler: (req: Request) => Response | Promise<Response>) {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handler);
  return { url: `http://127.0.0.1:${server.addr.port}/metrics`, close: () => server.shutdown() };
}

function upOf(batch: IngestBatch): number | undefined {
  const i = batch.metric.indexOf("up");
  return i < 0 ? undefined : batch.value[i];
}

Deno.test("A hanging target fails within its timeout with up 0", async () => {
  const never = Promise.withResolvers<void>();
  const app = serve(async () => {
    await never.promise;
    return new Response("x 1\n");
  });
  try {
    const r = await scrapeTarget(
      { url: app.url, name: "slow", timeoutMs: 300 },
      new CumulativeState(),
      { host: "h" },
    );
    assert.match(r.error!, /no complete answer within 300 ms/);
    assert.equal(upOf(r.batch), 0);
  } finally {
    never.resolve();
    await app.close();
  }
});

Deno.test("A target sending 10 MB is cut at the default 8 MiB body limit, with or without a Content-Length", async () => {
  const line = "filler_metric 1\n";
  const big = line.repeat(Math.ceil(10 * 1024 * 1024 / line.length));
  let chunked = false;
  const app = serve(() => {
    if (!chunked) return new Response(big);
    const bytes = new TextEncoder().encode(big);
    return new Response(
      new ReadableStream({
        start(c) {
          for (let i = 0; i < bytes.length; i += 65536) c.enqueue(bytes.subarray(i, i + 65536));
          c.close();
        },
      }),
    );
  });
  try {
    const opts = { host: "h" }; // the default limit, 8 MiB
    const r1 = await scrapeTarget({ url: app.url, name: "big" }, new CumulativeState(), opts);
    assert.match(r1.error!, /over the 8388608-byte limit/);
    assert.equal(upOf(r1.batch), 0);
    assert.deepEqual(r1.batch.metric, [
      "up",
      "scrape_duration_seconds",
      "scrape_samples_scraped",
      "scrape_samples_dropped",
      "scrape_samples_dropped",
    ], "only the target's health");
    assert.deepEqual(r1.batch.labels.slice(3), [
      "reason=series_limit,target=big",
      "reason=invalid,target=big",
    ]);
    assert.deepEqual(r1.batch.value.slice(2), [0, 0, 0], "nothing scraped, nothing dropped");
    chunked = true;
    const r2 = await scrapeTarget({ url: app.url, name: "big" }, new CumulativeState(), opts);
    assert.match(r2.error!, /over the 8388608-byte limit/);
  } finally {
    await app.close();
  }
});

Deno.test("Malformed exposition text, an HTTP error and a closed port each give up 0 and a log line", async () => {
  const bad = serve(() => new Response('ok 1\nbroken{a="1" 2\n'));
  const err = serve(() => new Response("boom", { status: 500 }));
  const good = serve(() => new Response("# TYPE g gauge\ng 5\n"));
  const batches: IngestBatch[] = [];
  const log: string[] = [];
  const manager = new ScrapeManager({
    targets: [
      { url: bad.url, name: "bad", intervalMs: 100_000 },
      { url: err.url, name: "err", intervalMs: 100_000 },
      { url: `http://127.0.0.1:${freePort()}/metrics`, name: "closed", intervalMs: 100_000 },
      { url: good.url, name: "good", intervalMs: 100_000 },
    ],
    host: "h",
    sink: (b) => void batches.push(b),
    log: (l) => void log.push(l),
  });
  try {
    for (let i = 0; i < 400 && manager.status().filter((s) => s.scrapes > 0).length < 4; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    await manager.stop();
    await Promise.all([bad.close(), err.close(), good.close()]);
  }
  const status = Object.fromEntries(manager.status().map((s) => [s.name, s]));
  assert.equal(status.good!.up, true);
  assert.equal(status.bad!.up, false);
  assert.match(status.bad!.lastError!, /Invalid exposition line 2: expected , or } after label a/);
  assert.match(status.err!.lastError!, /HTTP 500/);
  assert.equal(status.closed!.up, false);
  assert.equal(log.length, 3, log.join("\n"));
  assert.ok(log.some((l) => /^scrape bad \(http:.*\): down: Invalid exposition line 2/.test(l)));
  const good5 = batches.find((b) => b.metric.includes("g"));
  assert.equal(good5?.value[good5.metric.indexOf("g")], 5);
});

Deno.test({
  name: "Scraping a real node_exporter twice gives up 1, CPU rates and memory gauges",
  ignore: missing("prometheus-node-exporter", "the node_exporter scrape test"),
  async fn() {
    const port = freePort();
    const child = new Deno.Command("prometheus-node-exporter", {
      args: [`--web.listen-address=127.0.0.1:${port}`],
      stdout: "null",
      stderr: "null",
    }).spawn();
    try {
      const url = `http://127.0.0.1:${port}/metrics`;
      const state = new CumulativeState();
      let first;
      for (let i = 0; i < 100; i++) {
        first = await scrapeTarget({ url }, state, { host: "h" });
        if (!first.error) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      assert.equal(first?.error, undefined);
      await new Promise((r) => setTimeout(r, 1100));
      const r = await scrapeTarget({ url }, state, { host: "h" });
      assert.equal(r.error, undefined);
      assert.equal(upOf(r.batch), 1);
      const target = `target=127.0.0.1:${port}`;
      const cpu = r.batch.metric.flatMap((m, i) =>
        m === "node_cpu_seconds_per_second" && /mode=idle/.test(r.batch.labels[i]!)
          ? [r.batch.value[i]!]
          : []
      );
      assert.ok(cpu.length >= 1);
      for (const v of cpu) assert.ok(v >= 0 && v <= 1.5, `idle ratio ${v}`);
      const mem = r.batch.metric.indexOf("node_memory_memtotal_bytes");
      assert.ok(r.batch.value[mem]! > 0);
      assert.equal(r.batch.labels[mem], target);
      assert.equal(r.invalid, 0, r.problems.join("; "));
    } finally {
      child.kill();
      await child.status;
    }
  },
});
