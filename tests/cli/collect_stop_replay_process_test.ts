/**
 * `collect` as a real child process stopped with SIGTERM while it replays a large spool left by a
 * killed collector: the replay stops at the signal (between its steps), collect exits 0 saying
 * how many samples stay spooled, and the next start writes them, none twice.
 *
 * @module
 */
import assert from "node:assert/strict";
import { listSegments, openLake } from "../../lake/mod.ts";
import { fillCollectorSpool } from "../_collect_spool_fill.ts";
import { exited, untilLogged } from "../_serve_process.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const DAY = 86_400_000;
/** Yesterday 01:00 UTC. */
const FROM = (Math.floor(Date.now() / DAY) - 1) * DAY + 3_600_000;
const SEGMENTS = 40;

/** Rows of the replayed host in the lake, and how many distinct (ts, metric, labels). */
async function counts(root: string): Promise<{ n: number; distinct: number }> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: number; distinct: number }>(
      "SELECT count(*) AS n, count(DISTINCT (ts, metric, labels)) AS distinct FROM samples " +
        "WHERE host = 'replay-collector'",
    );
    return { n: Number(row!.n), distinct: Number(row!.distinct) };
  } finally {
    await lake.close();
  }
}

function collect(data: string, more: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/collect.ts", "--no-config", "--data", data, ...more],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

function pump(stream: ReadableStream<Uint8Array<ArrayBuffer>>, into: string[]): Promise<void> {
  return (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) into.push(chunk);
  })();
}

Deno.test("SIGTERM during collect's spool replay at start: collect stops the replay, says what stays spooled, and the next start writes it once", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-collect-replay-" });
  try {
    const { rows } = fillCollectorSpool(data, { from: FROM, segments: SEGMENTS });
    const child = collect(data);
    const stderr: string[] = [], stdout: string[] = [];
    const pumped = [pump(child.stderr, stderr), pump(child.stdout, stdout)];
    await untilLogged(stderr, new RegExp(`replaying the spool left in .*: ${SEGMENTS} segments`));
    // once the replay is under way: a segment retired
    while (listSegments(data).length >= SEGMENTS) await new Promise((r) => setTimeout(r, 10));
    child.kill("SIGTERM");
    const status = await exited(child);
    await Promise.all(pumped);
    const log = stderr.join("");
    assert.equal(status.code, 0, log);
    const m = log.match(
      /collect: stopped during the spool replay: (\d+) segments \(\d+\.\d MiB\) not in Parquet yet stay in \S+\/spool\/ and are written at the next start/,
    );
    assert.ok(m, log);
    assert.doesNotMatch(log, /Collecting every/); // it stopped before sampling
    const left = listSegments(data).length;
    assert.ok(left > 0 && left < SEGMENTS, `${left} segments left`);
    assert.equal(Number(m[1]), left);
    const first = await counts(data);
    assert.ok(first.n > 0 && first.n < rows);
    // the next start replays the rest (and samples for a second)
    const again = collect(data, ["--duration", "1s"]);
    const out: string[] = [], err: string[] = [];
    const both = [pump(again.stdout, out), pump(again.stderr, err)];
    assert.equal((await exited(again)).code, 0, err.join(""));
    await Promise.all(both);
    assert.match(out.join(""), /replayed \d{1,3}(,\d{3})* rows from the spool/);
    assert.deepEqual(await counts(data), { n: rows, distinct: rows });
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("kill -9 of collect in the middle of its spool replay: the next start writes every sample once", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-collect-replay-" });
  try {
    // across midnight: one segment has rows of two dates (two files), a kill may fall between
    const from = FROM + 23 * 3_600_000 - SEGMENTS * 30_000 - 30_000;
    const { rows } = fillCollectorSpool(data, { from, segments: SEGMENTS });
    const child = collect(data);
    const stderr: string[] = [];
    const pumped = [pump(child.stderr, stderr), child.stdout.cancel()];
    await untilLogged(stderr, /replaying the spool left in/);
    while (listSegments(data).length >= SEGMENTS / 2) await new Promise((r) => setTimeout(r, 5));
    child.kill("SIGKILL");
    await exited(child);
    await Promise.all(pumped);
    assert.ok(listSegments(data).length > 0, "the replay had ended");
    const again = collect(data, ["--duration", "1s"]);
    const err: string[] = [];
    const both = [again.stdout.cancel(), pump(again.stderr, err)];
    assert.equal((await exited(again)).code, 0, err.join(""));
    await Promise.all(both);
    assert.deepEqual(listSegments(data), []);
    assert.deepEqual(await counts(data), { n: rows, distinct: rows });
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
