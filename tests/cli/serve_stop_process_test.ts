/**
 * `serve` as a real child process stopped with SIGTERM while a request hangs: a lake query is
 * interrupted after the grace and serve exits cleanly; a request that nothing can end meets the
 * hard deadline (exit code 1). Either way the samples accepted before are in the lake after a
 * restart. The hanging requests come from the routes `PERFSCOPE_TEST_HOOKS=1` adds.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, spawnServe, stopServe, untilLogged } from "../_serve_process.ts";
import { postSamples } from "../_post_samples.ts";
import { countSamples } from "../_count_samples.ts";

const ENV = { PERFSCOPE_TEST_HOOKS: "1" };

/** Pushes `n` samples of one series and checks they were accepted. */
async function push(base: string, n: number): Promise<void> {
  const t0 = Date.now() - 60_000;
  const samples = Array.from({ length: n }, (_, i) => ({
    ts: t0 + i * 10,
    host: "stop-test",
    metric: "app_latency_ms",
    value: i,
  }));
  assert.equal(await postSamples(base, samples), 200);
}

/** Starts a request to `path` that is left running; its end (or failure) is returned. */
function hold(base: string, path: string): Promise<number> {
  return fetch(new URL(path, base)).then(async (r) => {
    await r.body?.cancel();
    return r.status;
  }, () => 0);
}

/** Restarts serve on `data`, stops it cleanly, and counts the lake's samples. */
async function countAfterRestart(data: string): Promise<number> {
  const again = await spawnServe(["--data", data, "--no-collect"], { env: ENV });
  assert.equal((await stopServe(again.process)).code, 0);
  return await countSamples(data);
}

Deno.test("SIGTERM during a long lake query: the query is interrupted and serve exits cleanly", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-stop-" });
  try {
    const s = await spawnServe(["--data", data, "--no-collect"], { env: ENV, stderr: "piped" });
    await push(s.url, 500);
    const request = hold(s.url, "/__test/slow-lake-query");
    await untilLogged(s.stderr, /slow lake query running/); // the request has reached serve
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 0, log);
    assert.match(log, /interrupting their queries/);
    assert.match(log, /perfscope serve: stopped/);
    assert.equal(await request, 500); // the interrupted query's answer
    assert.equal(await countAfterRestart(data), 500);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("SIGTERM during a long read over the buffered rows: it is answered (500) and serve exits cleanly", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-stop-" });
  try {
    const data = `${dir}/lake`, config = `${dir}/perfscope.yaml`;
    // the pushed samples stay buffered (no timed flush): the read scans them from memory
    await Deno.writeTextFile(config, "ingest:\n  flush_every: 1h\n");
    const args = ["--data", data, "--no-collect", "--config", config];
    const s = await spawnServe(args, { env: ENV, stderr: "piped" });
    await push(s.url, 500);
    const request = hold(s.url, "/__test/slow-buffered-read");
    await untilLogged(s.stderr, /slow buffered read running/);
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 0, log);
    assert.match(log, /interrupting their queries/);
    assert.equal(await request, 500); // answered, not a socket left hanging
    assert.equal(await countAfterRestart(data), 500);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SIGTERM while a request hangs for good: serve exits at the hard deadline, keeping what it accepted", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-stop-" });
  try {
    const s = await spawnServe(["--data", data, "--no-collect"], { env: ENV, stderr: "piped" });
    await push(s.url, 300);
    const request = hold(s.url, "/__test/hang");
    await new Promise((r) => setTimeout(r, 500));
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 1, log);
    assert.match(log, /still stopping 15 s after the signal \(waiting for .+\): exiting now/);
    await request;
    // the stop never reached the ingest flush: the samples come back from the ingest spool
    assert.equal(await countAfterRestart(data), 300);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
