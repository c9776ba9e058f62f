import assert from "node:assert/strict";
import type { Sample } from "../../collectors/mod.ts";
import {
  listSegments,
  openLake,
  type SampleSource,
  SpoolWriter,
  startCollection,
  tailSpool,
} from "../../lake/mod.ts";

const repo = new URL("../..", import.meta.url).pathname;

/** A sampler over a fixed list of values, one per snapshot (a fixed fixture, not a mock). */
function counting(host = "h"): SampleSource & { n: number } {
  const source = {
    n: 0,
    sample(): Sample[] {
      source.n++;
      return [
        { ts: Date.now(), host, metric: "processes_running", labels: {}, value: source.n },
        { ts: Date.now(), host, metric: "context_switches_per_second", labels: {}, value: NaN },
      ];
    },
  };
  return source;
}

Deno.test("startCollection() with the real sampler spools, flushes Parquet and hands snapshots to onSamples", async () => {
  const root = Deno.makeTempDirSync();
  const controller = new AbortController();
  const snapshots: Sample[][] = [];
  const collection = await startCollection({
    root,
    intervalMs: 100,
    flushEveryMs: 250,
    host: "loop",
    topN: 2,
    signal: controller.signal,
    onSamples: (s) => {
      snapshots.push(s);
      if (snapshots.length === 6) controller.abort();
    },
  });
  const summary = await collection.done;
  assert.equal(summary.snapshots, 6);
  assert.ok(summary.files >= 2);
  assert.deepEqual(listSegments(root), []);
  const lake = await openLake({ root });
  const [row] = await lake.query<{ n: number; hosts: number; instants: number }>(
    "SELECT count(*) AS n, count(DISTINCT host) AS hosts, count(DISTINCT ts) AS instants FROM samples",
  );
  const finite = snapshots.flat().filter((s) => Number.isFinite(s.value)).length;
  assert.deepEqual(row, { n: finite, hosts: 1, instants: 6 });
  assert.equal(summary.rows, finite);
  lake.close();
});

Deno.test("startCollection() replays a leftover spool before sampling and stop() flushes what is buffered", async () => {
  const root = Deno.makeTempDirSync();
  const old = new SpoolWriter(root, 1000);
  old.append([{ ts: Date.UTC(2024, 0, 1), host: "h", metric: "m", labels: "", value: 42 }]);
  old.close();
  const source = counting();
  const collection = await startCollection({ root, sampler: source, intervalMs: 50 });
  collection.flush();
  const summary = await collection.stop();
  assert.equal(await collection.stop(), summary);
  assert.equal(summary.replayed, 1);
  assert.equal(summary.rows, source.n);
  const lake = await openLake({ root });
  assert.deepEqual(await lake.query("SELECT count(*) AS n FROM samples"), [{ n: source.n + 1 }]);
  lake.close();
});

Deno.test("startCollection() reports a failing snapshot to onError and keeps going", async () => {
  const root = Deno.makeTempDirSync();
  const errors: unknown[] = [];
  let calls = 0;
  const sampler = {
    sample(): Sample[] {
      if (++calls === 1) throw new Error("Cannot read /proc/stat");
      return [{ ts: Date.now(), host: "h", metric: "m", labels: {}, value: calls }];
    },
  };
  const controller = new AbortController();
  const collection = await startCollection({
    root,
    sampler,
    intervalMs: 20,
    signal: controller.signal,
    onError: (e) => errors.push(e),
    onSamples: () => calls >= 3 && controller.abort(),
  });
  const summary = await collection.done;
  assert.equal(errors.length, 1);
  assert.equal(summary.snapshots, 2);
});

Deno.test("startCollection() rejects bad options and an unwritable root before sampling", async () => {
  await assert.rejects(() => startCollection({ root: "/proc/nope", sampler: counting() }), {
    name: "LakeError",
    message: /Cannot write lake: \/proc\/nope/,
  });
  await assert.rejects(
    () => startCollection({ root: "x", intervalMs: 0, sampler: counting() }),
    RangeError,
  );
  await assert.rejects(
    () => startCollection({ root: "x", flushEveryMs: -1, sampler: counting() }),
    RangeError,
  );
});

Deno.test("startCollection() with an aborted signal stops at once after one snapshot-free flush", async () => {
  const root = Deno.makeTempDirSync();
  const collection = await startCollection({
    root,
    sampler: counting(),
    signal: AbortSignal.abort(),
  });
  assert.deepEqual(await collection.done, { snapshots: 0, rows: 0, files: 0, replayed: 0 });
});

Deno.test("kill -9 of a real collector loses at most the snapshot in flight; the restart replays without duplicates", async () => {
  const root = Deno.makeTempDirSync();
  const args = [
    "run",
    "-A",
    "cli/collect.ts",
    "--data",
    root,
    "--interval",
    "1s",
    "--host",
    "killed",
    "--top",
    "2",
  ];
  const child = new Deno.Command(Deno.execPath(), {
    args,
    cwd: repo,
    stdout: "null",
    stderr: "null",
  }).spawn();
  // an independent reader follows the spool: whatever it saw was handed to the OS before the kill
  const controller = new AbortController();
  const seen = new Set<number>();
  const tail = tailSpool(root, (s) => {
    seen.add(s[0]!.ts);
    if (seen.size === 4) {
      child.kill("SIGKILL");
      controller.abort();
    }
  }, { signal: controller.signal, pollMs: 20, fromStart: true });
  await tail;
  const status = await child.status;
  assert.equal(status.signal, "SIGKILL");
  assert.equal(listSegments(root).length, 1);
  const restart = new Deno.Command(Deno.execPath(), {
    args: [...args, "--duration", "1s"],
    cwd: repo,
    stdout: "piped",
    stderr: "piped",
  });
  const out = await restart.output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  assert.match(new TextDecoder().decode(out.stdout), /replayed \d+ rows from the spool/);
  const lake = await openLake({ root });
  const instants = (await lake.query<{ ts: number }>("SELECT DISTINCT ts FROM samples ORDER BY ts"))
    .map((r) => r.ts);
  for (const ts of seen) assert.ok(instants.includes(ts), `snapshot at ${ts} lost`);
  const [dup] = await lake.query<{ n: number; d: number }>(
    "SELECT count(*) AS n, count(DISTINCT (ts, metric, labels)) AS d FROM samples",
  );
  assert.equal(dup!.n, dup!.d);
  lake.close();
});
