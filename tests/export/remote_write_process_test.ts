import assert from "node:assert/strict";
import { main } from "../../cli/remote_write.ts";
import { decodeWriteRequest } from "../../export/mod.ts";
import { startCollection } from "../../lake/mod.ts";

Deno.test("remote-write without a receiver is a one-line UsageError", async () => {
  await assert.rejects(() => main(["--no-config", "--data", Deno.makeTempDirSync()]), {
    name: "UsageError",
    message: /Missing --remote-write/,
  });
});

Deno.test("deno task remote-write follows a collector's spool from another process' view and sends every snapshot once", async () => {
  const got: number[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    for (const s of decodeWriteRequest(new Uint8Array(await req.arrayBuffer()))) got.push(...s.ts);
    return new Response(null, { status: 204 });
  });
  const root = Deno.makeTempDirSync();
  const stop = new AbortController();
  // the sender starts first: it registers as a spool reader, so flushed segments wait for it
  const sending = main([
    "--no-config",
    "--data",
    root,
    "--remote-write",
    `http://127.0.0.1:${server.addr.port}/api/v1/write`,
  ], stop.signal);
  let ts = 0;
  const sampler = {
    sample: () => [{ ts: ts += 1000, host: "h", metric: "m", labels: {}, value: 1 }],
  };
  const collection = await startCollection({ root, sampler, intervalMs: 5, flushEveryMs: 40 });
  while (ts < 40_000) await new Promise((r) => setTimeout(r, 10));
  const summary = await collection.stop();
  stop.abort();
  assert.equal(await sending, 0);
  await server.shutdown();
  assert.deepEqual(got, Array.from({ length: summary.snapshots }, (_, i) => (i + 1) * 1000));
});
