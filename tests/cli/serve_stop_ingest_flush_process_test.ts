/**
 * `serve` as a real child process stopped with SIGTERM while its last ingest flush hangs: the
 * flush runs on the writer's flush thread, so the stop's deadline still fires (exit code 1)
 * with a line counting the samples left, the lake as the exit left it reads, and the next start
 * writes those samples from the ingest spool.
 *
 * The hang is real, not a hook: the flush thread's first file write of the process is the
 * plan's temporary file `spool_ingest/plan.json.<pid>-1.tmp` (`writeFileAtomic`'s naming), and
 * a FIFO made there blocks that `open` until a reader comes, which none does, as a file system
 * that stops answering (NFS, a dying disk) would.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnServe, stopServe } from "../_serve_process.ts";
import { postSamples } from "../_post_samples.ts";
import { countSamples } from "../_count_samples.ts";

/** Waits until the child has exited, failing (and killing it) after 60 s instead of hanging. */
async function exited(process: Deno.ChildProcess): Promise<Deno.CommandStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      process.status,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error("serve did not exit within 60 s")), 60_000);
      }),
    ]);
  } catch (error) {
    process.kill("SIGKILL");
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

Deno.test("SIGTERM while the ingest flush hangs: serve exits at the deadline naming the samples left, and the next start writes them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-stop-flush-" });
  try {
    const data = `${dir}/lake`;
    const config = `${dir}/perfscope.yaml`;
    // no timed flush before the stop: the stop's flush is the flush thread's first write
    await Deno.writeTextFile(config, "ingest:\n  flush_every: 1h\n");
    const args = ["--data", data, "--no-collect", "--config", config];
    const s = await spawnServe(args, { stderr: "piped" });
    const t0 = Date.now() - 60_000;
    const samples = Array.from({ length: 300 }, (_, i) => ({
      ts: t0 + i * 10,
      host: "flush-test",
      metric: "app_latency_ms",
      value: i,
    }));
    assert.equal(await postSamples(s.url, samples), 200);
    const fifo = `${data}/spool_ingest/plan.json.${s.process.pid}-1.tmp`;
    const made = await new Deno.Command("mkfifo", { args: [fifo] }).output();
    assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 1, log);
    assert.match(
      log,
      /still stopping 15 s after the signal \(waiting for the ingest flush; 300 ingested samples not in Parquet yet stay in \S+\/spool_ingest\/ and are written at the next start\): exiting now/,
    );
    // the lake the exit left reads, without the samples; the next start writes all of them
    // (the FIFO stays where it was: a temporary name of a dead process is nobody's to open)
    assert.equal(await countSamples(data), 0);
    const again = await spawnServe(args, { stderr: "piped" });
    const stopped = await stopServe(again.process);
    assert.equal(stopped.code, 0, again.stderr.join(""));
    assert.equal(await countSamples(data), 300);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
