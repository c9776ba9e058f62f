/**
 * One `serve` per data directory, as real processes: a second serve on a directory that a live
 * one holds (`DATA/serve.lock`) exits 1 with one line naming the holder, whether either of them
 * collects or not, and changes nothing the first one wrote; once the holder is killed with
 * `kill -9`, a new serve starts on the directory at once (the OS dropped the lock) and replays
 * what the dead one had accepted.
 *
 * @module
 */
import assert from "node:assert/strict";
import { readCollectorLock, readServeLock } from "../../lake/mod.ts";
import { fileHashes } from "../_file_hashes.ts";
import { postSamples } from "../_post_samples.ts";
import { countSamples } from "../_count_samples.ts";
import { exited, serveChild, spawnServe, stopServe } from "../_serve_process.ts";

/** Ports of this file's servers (its helper's range). */
const PORT = 18100;

/** Runs a serve that is expected to refuse, and returns its exit code and its stderr. */
async function refused(args: string[], port: number): Promise<{ code: number; stderr: string }> {
  const child = serveChild(args, { port, stderr: "piped" });
  const stderr = new Response(child.stderr).text();
  const { code } = await exited(child); // one that runs is killed (and the test fails) there
  return { code, stderr: await stderr };
}

/** The line a refused serve prints, for the holder `pid` on `data`. */
function busyLine(data: string, pid: number): RegExp {
  return new RegExp(
    `^perfscope serve: Data dir ${data}/ is already served by pid ${pid} \\(deno task serve, ` +
      "started \\d\\d:\\d\\d:\\d\\d\\)\\n$",
  );
}

/** Whether `base` answers /healthz with 200. */
async function healthy(base: string): Promise<boolean> {
  const res = await fetch(new URL("/healthz", base));
  await res.body?.cancel();
  return res.ok;
}

Deno.test("a second serve on a served data dir exits 1 naming the first; after kill -9 of the first, serve starts at once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-serve-lock-" });
  const data = `${dir}/data`, config = `${dir}/perfscope.yaml`;
  try {
    // pushed samples stay in the first serve's ingest spool (no timed flush while it runs)
    await Deno.writeTextFile(config, "ingest:\n  flush_every: 1h\n");
    const args = ["--data", data, "--no-collect", "--config", config];
    const first = await spawnServe(args, { port: PORT });
    const pid = first.process.pid;
    let killed = false;
    try {
      const samples = [1, 2, 3].map((value) => ({ host: "lock-test", metric: "m", value }));
      assert.equal(await postSamples(first.url, samples), 200);
      const before = await fileHashes(data);
      assert.ok([...before.keys()].some((f) => f.includes("/spool_ingest/")), "spooled");
      // refused with and without a collector of its own
      for (const [i, extra] of [[], ["--no-collect"]].entries()) {
        const second = await refused(["--data", data, "--config", config, ...extra], PORT + 1 + i);
        assert.equal(second.code, 1, second.stderr);
        assert.match(second.stderr, busyLine(data, pid));
      }
      assert.deepEqual(await fileHashes(data), before, "the refused serves changed no file");
      assert.equal(readServeLock(data)?.pid, pid);
      assert.ok(await healthy(first.url), "the first serve still serves");
      first.process.kill("SIGKILL");
      killed = true;
      assert.equal((await exited(first.process)).signal, "SIGKILL");
    } finally {
      if (!killed) await stopServe(first.process);
    }
    // the lock file still names the dead serve; the OS lock went with it
    assert.equal(readServeLock(data)?.pid, pid);
    const again = await spawnServe(args, { port: PORT + 3 });
    try {
      assert.ok(await healthy(again.url));
      assert.equal(readServeLock(data)?.pid, again.process.pid);
    } finally {
      assert.equal((await stopServe(again.process)).code, 0);
    }
    assert.equal(await countSamples(data), 3, "the dead serve's spooled samples were replayed");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a serve that collects holds the data dir too: a --no-collect serve beside it exits 1 naming it", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-serve-lock-" });
  try {
    const first = await spawnServe(["--data", data], { port: PORT + 10 });
    try {
      // its collector child holds collector.lock in serve's name
      let owner = readCollectorLock(data);
      for (let i = 0; i < 600 && owner?.collectorPid === undefined; i++) {
        await new Promise((r) => setTimeout(r, 100));
        owner = readCollectorLock(data);
      }
      assert.equal(owner?.pid, first.process.pid);
      const second = await refused(["--data", data, "--no-collect"], PORT + 11);
      assert.equal(second.code, 1, second.stderr);
      assert.match(second.stderr, busyLine(data, first.process.pid));
      // a second serve that would collect is refused by the serve lock, not the collector's
      const third = await refused(["--data", data], PORT + 12);
      assert.equal(third.code, 1, third.stderr);
      assert.match(third.stderr, busyLine(data, first.process.pid));
      assert.deepEqual(readCollectorLock(data), owner, "the collector child keeps its lock");
      assert.ok(await healthy(first.url));
    } finally {
      assert.equal((await stopServe(first.process)).code, 0);
    }
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
