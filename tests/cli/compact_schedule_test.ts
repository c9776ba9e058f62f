import assert from "node:assert/strict";
import { scheduleCompaction } from "../../cli/_compact_schedule.ts";
import { openLake, simulateHost } from "../../lake/mod.ts";

Deno.test("scheduleCompaction() compacts the lake in a child process on its period and stops cleanly", async () => {
  const root = await Deno.makeTempDir();
  const now = Date.now();
  simulateHost({ root, start: now - 3 * 3_600_000, durationMs: 3 * 3_600_000, stepMs: 60_000 });
  const stop = new AbortController();
  const lines: string[] = [];
  const running = scheduleCompaction({
    root,
    everyMs: 50,
    retentionMs: 30 * 86_400_000,
    signal: stop.signal,
    firstDelayMs: 0,
    log: (line) => {
      lines.push(line);
      if (lines.length >= 2) stop.abort();
    },
  });
  await running;
  assert.equal(lines.length, 2, lines.join("\n"));
  assert.match(lines[0]!, /^compaction: Compacted \d+ partitions?/);
  const lake = await openLake({ root });
  const [row] = await lake.query("SELECT count(*) AS n FROM rollup_1h");
  assert.ok(Number(row!.n) > 0, "rollups were built");
  lake.close();
  await Deno.remove(root, { recursive: true });
});

Deno.test("scheduleCompaction() reports a failing run and keeps going", async () => {
  const root = await Deno.makeTempDir();
  const file = `${root}/not-a-dir`;
  await Deno.writeTextFile(file, "x");
  const stop = new AbortController();
  const lines: string[] = [];
  await scheduleCompaction({
    root: file,
    everyMs: 10,
    retentionMs: 86_400_000,
    signal: stop.signal,
    firstDelayMs: 0,
    log: (line) => {
      lines.push(line);
      if (lines.length >= 2) stop.abort();
    },
  });
  assert.equal(lines.length, 2);
  for (const line of lines) assert.match(line, /^compaction failed: /);
  await Deno.remove(root, { recursive: true });
});

Deno.test("scheduleCompaction() stopped before its first run starts no process", async () => {
  const stop = new AbortController();
  stop.abort();
  const lines: string[] = [];
  await scheduleCompaction({
    root: "nowhere",
    everyMs: 10,
    retentionMs: 1,
    signal: stop.signal,
    log: (l) => lines.push(l),
  });
  assert.deepEqual(lines, []);
});
