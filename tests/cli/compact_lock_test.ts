/**
 * The compaction lock with real processes: a second `compact` while one runs does nothing (exit
 * 75 by hand, a logged skip on serve's schedule), and a compaction killed with SIGKILL mid-run
 * leaves no lock behind. Each test checks that the lake then reads every sample exactly once.
 * No timing is asserted; the waits have generous bounds only so a broken lock fails, not hangs.
 *
 * @module
 */
import assert from "node:assert/strict";
import { BUSY_EXIT_CODE } from "../../cli/compact.ts";
import { scheduleCompaction } from "../../cli/_compact_schedule.ts";
import { openLake, readCompactionLock, simulateHost } from "../../lake/mod.ts";

const HERE = new URL(".", import.meta.url).pathname;
const HOUR = 3_600_000;
/** Three days ago (UTC midnight): three past date partitions inside the default retention. */
const START = (Math.floor(Date.now() / 86_400_000) - 3) * 86_400_000;

/** Removes a test's lake and the marker files beside it. */
function cleanup(root: string): void {
  Deno.removeSync(root, { recursive: true });
  for (const marker of [`${root}.paused`, `${root}.go`]) {
    try {
      Deno.removeSync(marker);
    } catch {
      // this test made no such marker
    }
  }
}

/** A lake of three date partitions, 24 files each; returns its census. */
async function makeLake(): Promise<{ root: string; n: number }> {
  const root = Deno.makeTempDirSync();
  simulateHost({ root, start: START, durationMs: 72 * HOUR, stepMs: 600_000, chunkMs: HOUR });
  const c = await census(root);
  assert.equal(c.n, c.distinct);
  return { root, n: c.n };
}

/** Samples and distinct (ts, host, metric, labels) of the lake, and the 1-hour rollup's count. */
async function census(root: string): Promise<{ n: number; distinct: number; rollup: number }> {
  const lake = await openLake({ root });
  try {
    const [row] = await lake.query<{ n: bigint; d: bigint }>(
      "SELECT count(*) AS n, count(DISTINCT (host, metric, labels, ts)) AS d FROM samples",
    );
    const [r] = await lake.query<{ n: bigint | null }>("SELECT sum(count) AS n FROM rollup_1h");
    return { n: Number(row!.n), distinct: Number(row!.d), rollup: Number(r!.n ?? 0) };
  } finally {
    lake.close();
  }
}

/** Starts the compaction of `_paused_compact.ts` and waits until it has paused mid-run. */
async function pausedCompaction(root: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${HERE}_paused_compact.ts`, root],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const bound = Date.now() + 120_000; // fail, not hang, if it never pauses
  for (;;) {
    try {
      Deno.statSync(`${root}.paused`);
      return child;
    } catch {
      if (Date.now() > bound) {
        child.kill("SIGKILL");
        await child.output();
        throw new Error("the paused compaction never paused");
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** Runs `deno task compact` (cli/compact.ts) on `root` to its end. */
async function compact(root: string, ...flags: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${HERE}../../cli/compact.ts`, "--data", root, ...flags],
    stdin: "null",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b).trim();
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

Deno.test("a manual compact while another compaction runs does nothing and exits 75 with one line naming it; --skip-if-busy exits 0", async () => {
  const { root, n } = await makeLake();
  const holder = await pausedCompaction(root);
  try {
    assert.equal(readCompactionLock(root)?.pid, holder.pid);
    const second = await compact(root);
    assert.equal(second.code, BUSY_EXIT_CODE);
    assert.equal(second.stdout, "");
    assert.match(
      second.stderr,
      new RegExp(
        `^perfscope compact: Lake ${root}/ is already being compacted by pid ${holder.pid} ` +
          `\\(a paused test compaction, started [\\d:-\\s]+\\); nothing done$`,
      ),
    );
    const skipped = await compact(root, "--skip-if-busy");
    assert.equal(skipped.code, 0);
    assert.match(skipped.stdout, /^Skipped: Lake .* is already being compacted by pid \d+/);
  } finally {
    Deno.writeTextFileSync(`${root}.go`, "");
  }
  const first = await holder.output();
  assert.equal(first.code, 0);
  assert.equal(new TextDecoder().decode(first.stdout).trim(), "done");
  assert.equal(readCompactionLock(root), undefined, "released at the end");
  assert.deepEqual(await census(root), { n, distinct: n, rollup: n });
  const again = await compact(root);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /^Compacted /);
  assert.deepEqual(await census(root), { n, distinct: n, rollup: n });
  cleanup(root);
});

Deno.test("two compactions started together: each runs or refuses, at least one runs, and every sample is there once", async () => {
  const { root, n } = await makeLake();
  const [a, b] = await Promise.all([compact(root), compact(root)]);
  for (const r of [a, b]) {
    if (r.code === BUSY_EXIT_CODE) assert.match(r.stderr, /already being compacted by pid/);
    else assert.equal(r.code, 0, r.stderr);
  }
  assert.ok(a.code === 0 || b.code === 0);
  assert.deepEqual(await census(root), { n, distinct: n, rollup: n });
  cleanup(root);
});

Deno.test("a compaction killed with SIGKILL mid-run leaves no lock: the next one runs and the lake reads every sample once", async () => {
  const { root, n } = await makeLake();
  const holder = await pausedCompaction(root);
  holder.kill("SIGKILL");
  const killed = await holder.output();
  assert.equal(killed.signal, "SIGKILL");
  // what the dead holder left: its name in the lock file, a temporary merged file
  assert.equal(readCompactionLock(root)?.pid, holder.pid);
  const meanwhile = await census(root);
  assert.deepEqual([meanwhile.n, meanwhile.distinct], [n, n]);
  const next = await compact(root);
  assert.equal(next.code, 0, next.stderr);
  assert.match(next.stdout, /^Compacted 3 partitions: 72 files into 3/);
  assert.equal(readCompactionLock(root), undefined);
  assert.deepEqual(await census(root), { n, distinct: n, rollup: n });
  cleanup(root);
});

Deno.test("serve's scheduled compaction skips its round with a log line while another compaction runs", async () => {
  const { root, n } = await makeLake();
  const holder = await pausedCompaction(root);
  const stop = new AbortController();
  const lines: string[] = [];
  try {
    await scheduleCompaction({
      root,
      everyMs: 3_600_000,
      retentionMs: 30 * 86_400_000,
      signal: stop.signal,
      firstDelayMs: 0,
      log(line) {
        lines.push(line);
        stop.abort();
      },
    });
  } finally {
    Deno.writeTextFileSync(`${root}.go`, "");
  }
  assert.equal((await holder.output()).code, 0);
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    new RegExp(
      `^compaction: Skipped: Lake ${root}/ is already being compacted by pid ${holder.pid} `,
    ),
  );
  assert.deepEqual(await census(root), { n, distinct: n, rollup: n });
  cleanup(root);
});
