/**
 * `serve` as a real child process stopped with SIGTERM while its last ingest flush hangs: the
 * flush runs on the writer's flush thread, so the stop's deadline still fires (exit code 1)
 * with a line counting the samples left, the lake as the exit left it reads, and the next start
 * writes those samples from the ingest spool.
 *
 * The hang is real, not a hook: the flush thread's first file writes of the process are the
 * plan's temporary file `spool_ingest/plan.json.<pid>-1.tmp` (`writeFileAtomic`'s naming) and
 * then the partition's `part-<id>.parquet.<pid>-2.tmp`; a FIFO made at one of them blocks that
 * `open` until a reader comes, which none does, as a file system that stops answering (NFS, a
 * dying disk) would. Hanging at the file leaves a plan that names a file never written. A flush
 * that fails instead (a file where the partition's directory goes) is said with the same count,
 * and exits 1 without waiting for the deadline.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, spawnServe, stopServe } from "../_serve_process.ts";
import { postSamples } from "../_post_samples.ts";
import { countSamples } from "../_count_samples.ts";
import { openLake } from "../../lake/mod.ts";
import { readIngestPlan } from "../../lake/ingest_spool.ts";
import { dataFileName, maxDataFileId } from "../../lake/_paths.ts";

const DAY = 86_400_000;
/** Yesterday noon (UTC): one partition for both runs of a test, whatever the time of day. */
const T0 = (Math.floor(Date.now() / DAY) - 1) * DAY + 12 * 3_600_000;
const DATE = new Date(T0).toISOString().slice(0, 10);

/** `n` samples of one series from `from` ms past {@linkcode T0}. */
function samples(from: number, n: number) {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + from + i * 10,
    host: "flush-test",
    metric: "app_latency_ms",
    value: i,
  }));
}

/**
 * A new folder holding the lake (`lake/`) and a config with no timed ingest flush (`flush_every:
 * 1h`), so that the stop's flush is the flush thread's first work; removed on disposal.
 *
 * @returns The lake's path and serve's flags for the two.
 */
async function stopFlushDir(): Promise<{ data: string; args: string[] } & AsyncDisposable> {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-stop-flush-" });
  const data = `${dir}/lake`;
  const config = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(config, "ingest:\n  flush_every: 1h\n");
  return {
    data,
    args: ["--data", data, "--no-collect", "--config", config],
    [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }),
  };
}

/** Starts serve again on `args` and stops it: the start writes what the spool holds. */
async function restartAndStop(args: string[]): Promise<void> {
  const again = await spawnServe(args, { stderr: "piped" });
  assert.equal((await stopServe(again.process)).code, 0, again.stderr.join(""));
}

async function mkfifo(path: string): Promise<void> {
  const made = await new Deno.Command("mkfifo", { args: [path] }).output();
  assert.equal(made.code, 0, new TextDecoder().decode(made.stderr));
}

for (const hangAt of ["plan", "file"] as const) {
  Deno.test(`SIGTERM while the ingest flush hangs on its ${hangAt}: serve exits at the deadline naming the samples left, and the next start writes them`, async () => {
    await using dir = await stopFlushDir();
    const { data, args } = dir;
    let before = 0;
    if (hangAt === "file") {
      // a first run leaves a file in the partition, so the next one's id is known: its own + 1
      const first = await spawnServe(args, { stderr: "piped" });
      assert.equal(await postSamples(first.url, samples(100_000, 200)), 200);
      assert.equal((await stopServe(first.process)).code, 0, first.stderr.join(""));
      before = 200;
    }
    const s = await spawnServe(args, { stderr: "piped" });
    assert.equal(await postSamples(s.url, samples(0, 300)), 200);
    const pid = s.process.pid;
    if (hangAt === "plan") {
      // the thread's first write: the plan (writeFileAtomic's temporary name, counter 1)
      await mkfifo(`${data}/spool_ingest/plan.json.${pid}-1.tmp`);
    } else {
      // its second: the Parquet file, once the plan naming it is in place
      const part = `${data}/metrics/host=flush-test/date=${DATE}`;
      const id = maxDataFileId(part);
      assert.ok(id >= 0, "the first run wrote no file");
      await mkfifo(`${part}/${dataFileName("part", id + 1)}.${pid}-2.tmp`);
    }
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 1, log);
    assert.match(
      log,
      /still stopping 15 s after the signal \(waiting for the ingest flush; 300 ingested samples not in Parquet yet stay in \S+\/spool_ingest\/ and are written at the next start\): exiting now/,
    );
    if (hangAt === "file") {
      assert.equal(readIngestPlan(data).length, 1, "the plan naming the file is in place");
    }
    // the lake the exit left reads, without the samples; the next start writes all of them
    // once (the FIFO stays where it was: a temporary name of a dead process is nobody's)
    assert.equal(await countSamples(data), before);
    await restartAndStop(args);
    assert.equal(await countSamples(data), before + 300);
    assert.equal(await countDistinct(data), before + 300);
  });
}

/** Distinct samples (series and time) of the lake at `root`. */
async function countDistinct(root: string): Promise<number> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: bigint | number }>(
      "SELECT count(DISTINCT (host, metric, labels, ts)) AS n FROM samples",
    );
    return Number(row!.n);
  } finally {
    lake.close();
  }
}

Deno.test("SIGTERM when the ingest flush fails (its partition cannot be made): serve says so with the count, exits 1, and the next start writes the samples", async () => {
  await using dir = await stopFlushDir();
  const { data, args } = dir;
  const s = await spawnServe(args, { stderr: "piped" });
  assert.equal(await postSamples(s.url, samples(0, 300)), 200);
  // a file where the partition's directory goes
  const hostDir = `${data}/metrics/host=flush-test`;
  await Deno.mkdir(hostDir, { recursive: true });
  await Deno.writeTextFile(`${hostDir}/date=${DATE}`, "not a directory");
  s.process.kill("SIGTERM");
  const status = await exited(s.process);
  const log = s.stderr.join("");
  assert.equal(status.code, 1, log);
  assert.match(log, /perfscope serve: ingest flush failed: /);
  assert.match(
    log,
    /perfscope serve: 300 ingested samples not in Parquet yet stay in \S+\/spool_ingest\/ and are written at the next start/,
  );
  assert.doesNotMatch(log, /still stopping|serve: stopped/);
  assert.equal(await countSamples(data), 0);
  await Deno.remove(`${hostDir}/date=${DATE}`);
  await restartAndStop(args);
  assert.equal(await countDistinct(data), 300);
  assert.equal(await countSamples(data), 300);
});
