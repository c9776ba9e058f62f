/**
 * `serve` as a real child process stopped with SIGTERM while its scheduled compaction runs: the
 * compact process gets SIGTERM too and is waited for, serve exits cleanly, no compaction is left
 * running after it, and the lake reads every sample once (compaction is safe to interrupt; the
 * kill points themselves are tested in `tests/lake/compact_test.ts`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { exited, spawnServe, stopServe } from "../_serve_process.ts";

const DAY = 86_400_000;
/** Yesterday noon (UTC): inside the default retention whatever the time of day. */
const T0 = (Math.floor(Date.now() / DAY) - 1) * DAY + 12 * 3_600_000;

/** Samples and distinct samples of the lake at `root`. */
async function census(root: string): Promise<{ n: number; distinct: number }> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: bigint | number; d: bigint | number }>(
      "SELECT count(*) AS n, count(DISTINCT (host, metric, labels, ts)) AS d FROM samples",
    );
    return { n: Number(row!.n), distinct: Number(row!.d) };
  } finally {
    lake.close();
  }
}

/** The pids of `cli/compact.ts` processes working on `root`, from /proc. */
function compactions(root: string): number[] {
  const out: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(e.name)) continue;
    let cmd: string;
    try {
      cmd = Deno.readTextFileSync(`/proc/${e.name}/cmdline`).split("\0").join(" ");
    } catch {
      continue; // ended meanwhile
    }
    if (cmd.includes("compact.ts") && cmd.includes(root)) out.push(Number(e.name));
  }
  return out;
}

Deno.test("SIGTERM while serve's scheduled compaction runs: the compaction is stopped and waited for, serve exits cleanly, the lake keeps every sample once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-stop-compact-" });
  try {
    const data = `${dir}/lake`;
    // 24 partitions of 6 part files each: work for the compaction
    for (let f = 0; f < 6; f++) {
      const rows = [];
      for (let h = 0; h < 24; h++) {
        for (let i = 0; i < 500; i++) {
          rows.push({
            ts: T0 + f * 600_000 + i * 1000,
            host: `h${h}`,
            metric: "m",
            labels: {},
            value: i,
          });
        }
      }
      writeSamples(rows, { root: data, id: T0 + f, sync: false });
    }
    const before = await census(data);
    const config = `${dir}/perfscope.yaml`;
    await Deno.writeTextFile(config, 'schedule:\n  compact: "* * * * *"\n'); // every minute
    // a run an hour ago: the scheduler catches up at start, so the compaction runs right away
    // (a cron has no seconds field, and a job that never ran waits for its next time)
    await Deno.mkdir(`${data}/schedule`, { recursive: true });
    await Deno.writeTextFile(
      `${data}/schedule/state.json`,
      JSON.stringify({ compact: { at: Date.now() - 3_600_000, outcome: "ok" } }),
    );
    const s = await spawnServe(["--data", data, "--no-collect", "--config", config], {
      stderr: "piped",
    });
    // the first time the scheduler says the compaction runs: the catch-up, or should that end
    // before the first poll, the next minute's run (bounded: 4000 polls, over 80 s)
    let running = false;
    for (let i = 0; i < 4000 && !running; i++) {
      const r = await fetch(new URL("/api/schedule", s.url));
      const { jobs } = await r.json() as { jobs: { name: string; running: boolean }[] };
      running = jobs.some((j) => j.name === "compact" && j.running);
      if (!running) await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(running, "the compaction never ran");
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    assert.equal(status.code, 0, s.stderr.join(""));
    assert.deepEqual(compactions(data), [], "a compaction outlived serve");
    assert.deepEqual(await census(data), before);
    // and the next start (its compaction included) still finds every sample once
    await Deno.writeTextFile(config, "");
    const again = await spawnServe(["--data", data, "--no-collect", "--config", config], {
      stderr: "piped",
    });
    assert.equal((await stopServe(again.process)).code, 0, again.stderr.join(""));
    assert.deepEqual(await census(data), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
