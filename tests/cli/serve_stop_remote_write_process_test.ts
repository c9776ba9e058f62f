/**
 * `serve` as a real child process stopped with SIGTERM while its remote write of application
 * metrics hangs (a receiver that takes the connection and never answers): the senders get their
 * flush time and are ended, serve exits cleanly before the deadline, the samples are in the lake,
 * and the next start sends them to a receiver that answers (what was not sent waits in the ingest
 * outbox).
 *
 * @module
 */
import assert from "node:assert/strict";
import net from "node:net";
import { decodeWriteRequest } from "../../export/mod.ts";
import { exited, spawnServe, stopServe } from "../_serve_process.ts";
import { postSamples } from "../_post_samples.ts";
import { openLake } from "../../lake/mod.ts";

/** Polls `check` every 50 ms, failing with `what` after 600 tries instead of hanging. */
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

/** The lake's samples of the pushed metric (the senders' own metrics are stored too). */
async function countPushed(root: string): Promise<number> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: bigint | number }>(
      "SELECT count(*) AS n FROM samples WHERE metric = 'app_latency_ms'",
    );
    return Number(row!.n);
  } finally {
    lake.close();
  }
}

function configFor(url: string): string {
  return `ingest:\n  flush_every: 1s\nremote_write:\n  - url: ${url}\n    interval: 1s\n    timeout: 1m\n`;
}

Deno.test("SIGTERM while a remote write hangs: serve exits cleanly before the deadline, and the next start sends the samples", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-stop-rw-" });
  // a receiver that takes connections and never answers
  const held: net.Socket[] = [];
  const silent = net.createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
  const silentPort = (silent.address() as net.AddressInfo).port;
  // and one that answers, for the next start
  const got = new Set<number>();
  const answering = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    for (const s of decodeWriteRequest(new Uint8Array(await req.arrayBuffer()))) {
      if (s.labels.some(([k, v]) => k === "__name__" && v === "app_latency_ms")) {
        for (const t of s.ts) got.add(t);
      }
    }
    return new Response(null, { status: 204 });
  });
  try {
    const data = `${dir}/lake`;
    const config = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(config, configFor(`http://127.0.0.1:${silentPort}/api/v1/write`));
    const args = ["--data", data, "--no-collect", "--config", config];
    const s = await spawnServe(args, { stderr: "piped" });
    const t0 = Date.now() - 60_000;
    const samples = Array.from({ length: 300 }, (_, i) => ({
      ts: t0 + i * 10,
      host: "rw-test",
      metric: "app_latency_ms",
      value: i,
    }));
    assert.equal(await postSamples(s.url, samples), 200);
    await until("the remote write to reach the silent receiver", () => held.length > 0);
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 0, log);
    assert.doesNotMatch(log, /still stopping/);
    assert.equal(await countPushed(data), 300);

    await Deno.writeTextFile(
      config,
      configFor(`http://127.0.0.1:${answering.addr.port}/api/v1/write`),
    );
    const again = await spawnServe(args, { stderr: "piped" });
    await until("the samples at the answering receiver", () => got.size >= 300);
    assert.equal((await stopServe(again.process)).code, 0, again.stderr.join(""));
    assert.deepEqual([...got].sort((a, b) => a - b), samples.map((x) => x.ts));
    assert.equal(await countPushed(data), 300);
  } finally {
    for (const socket of held) socket.destroy();
    await new Promise((resolve) => silent.close(resolve));
    await answering.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});
