import assert from "node:assert/strict";
import {
  compactLake,
  type CompactStep,
  openLake,
  simulateHost,
  visibleFiles,
  writeSamples,
} from "../../lake/mod.ts";

const day = Date.UTC(2024, 6, 1);
const H = 3_600_000;
const repo = new URL("../..", import.meta.url).pathname;

/** A two-partition lake (two dates) written as many small files, like a collector's. */
function smallLake(hosts = ["a"]): { root: string; rows: number } {
  const root = Deno.makeTempDirSync();
  let rows = 0;
  for (const host of hosts) {
    rows += simulateHost({
      root,
      host,
      start: day + 23 * H,
      durationMs: 2 * H,
      stepMs: 30_000,
      chunkMs: 600_000,
    }).rows;
  }
  return { root, rows };
}

/** Row count, distinct keys and an order-independent checksum of every row. */
async function census(root: string): Promise<{ n: number; distinct: number; sum: string }> {
  const lake = await openLake({ root });
  const [row] = await lake.query<{ n: number; distinct: number; sum: string }>(
    "SELECT count(*) AS n, count(DISTINCT (host, ts, metric, labels)) AS distinct, " +
      "sum(hash(host, ts, metric, labels, value))::VARCHAR AS sum FROM samples",
  );
  lake.close();
  return row!;
}

Deno.test("compactLake() merges each partition into one sorted file and keeps every sample once", async () => {
  const { root, rows } = smallLake();
  const before = await census(root);
  assert.equal(before.n, rows);
  const summary = await compactLake({ root, now: () => day + 2 * 86_400_000 });
  assert.equal(summary.partitions, 2);
  assert.equal(summary.filesMerged, 12);
  assert.equal(summary.rows, rows);
  assert.ok(summary.bytesAfter < summary.bytesBefore);
  assert.deepEqual(await census(root), before);
  const files = visibleFiles(root, "metrics");
  assert.equal(files.length, 2);
  assert.ok(files.every((f) => /compact-\d+\.parquet$/.test(f)));
  const lake = await openLake({ root });
  const order = await lake.query<{ bad: number }>(
    `SELECT count(*) AS bad FROM (SELECT metric, labels, ts, lag((metric, labels, ts)) OVER () AS prev
       FROM read_parquet('${files[0]}')) WHERE prev > (metric, labels, ts)`,
  );
  assert.deepEqual(order, [{ bad: 0 }]);
  lake.close();
  const again = await compactLake({ root, now: () => day + 2 * 86_400_000 });
  assert.equal(again.partitions, 0);
});

Deno.test("Rollups match aggregates computed from the raw samples in DuckDB", async () => {
  const { root } = smallLake();
  await compactLake({ root, now: () => day });
  const lake = await openLake({ root });
  for (const [view, width] of [["rollup_1m", "1 minute"], ["rollup_1h", "1 hour"]] as const) {
    const [diff] = await lake.query<{ rows: number; raw: number; bad: number }>(`
      WITH raw AS (
        SELECT host, time_bucket(INTERVAL '${width}', ts) AS ts, metric, labels, min(value) AS min,
               avg(value) AS avg, max(value) AS max, arg_max(value, ts) AS last, count(*) AS count
          FROM samples GROUP BY ALL)
      SELECT (SELECT count(*) FROM ${view}) AS rows, (SELECT count(*) FROM raw) AS raw,
             count(*) FILTER (WHERE r.ts IS NULL OR r.min <> raw.min OR r.max <> raw.max OR r.last <> raw.last
                              OR r.count <> raw.count OR abs(r.avg - raw.avg) > 1e-9 * (1 + abs(raw.avg))) AS bad
        FROM raw LEFT JOIN ${view} r USING (host, ts, metric, labels)`);
    assert.equal(diff!.rows, diff!.raw, view);
    assert.equal(diff!.bad, 0, view);
  }
  lake.close();
});

Deno.test("compactLake() deletes date partitions older than the retention in every tree", async () => {
  const { root } = smallLake();
  await compactLake({ root, now: () => day });
  const now = day + 30 * 86_400_000 + 1000; // 2024-07-31: keeps 2024-07-02, drops 2024-07-01
  const summary = await compactLake({ root, now: () => now, retentionMs: 29 * 86_400_000 });
  assert.equal(summary.partitionsExpired, 3);
  for (const tree of ["metrics", "rollup_1m", "rollup_1h"]) {
    assert.deepEqual([...Deno.readDirSync(`${root}/${tree}/host=a`)].map((e) => e.name), [
      "date=2024-07-02",
    ]);
  }
  await assert.rejects(() => compactLake({ root, retentionMs: 0 }), RangeError);
});

Deno.test("compactLake() on an empty lake does nothing", async () => {
  const summary = await compactLake({ root: Deno.makeTempDirSync() });
  assert.deepEqual(summary, {
    partitions: 0,
    filesMerged: 0,
    rows: 0,
    bytesBefore: 0,
    bytesAfter: 0,
    partitionsExpired: 0,
    quarantined: 0,
  });
});

for (const stop of ["rollup_1m", "rollup_1h", "merged"] as CompactStep[]) {
  Deno.test(`Compaction stopped after "${stop}" leaves every sample visible exactly once, and the next run finishes`, async () => {
    const { root, rows } = smallLake();
    const before = await census(root);
    let first = true;
    await assert.rejects(() =>
      compactLake({
        root,
        now: () => day,
        onStep: (step) => {
          if (step === stop && first) {
            first = false;
            throw new Error("crash");
          }
        },
      }), /crash/);
    assert.deepEqual(await census(root), before);
    // a collector keeps writing in between
    writeSamples([{ ts: day + 24 * H + 1, host: "a", metric: "m", labels: {}, value: 1 }], {
      root,
      id: day + 48 * H,
    });
    const lake = await openLake({ root });
    const s = await lake.series({
      metric: "load_average",
      labels: "window=1m",
      host: "a",
      from: day,
      to: day + 48 * H,
      tier: "1h",
    });
    assert.equal(s.ts.length, 2);
    lake.close();
    const middle = await census(root);
    assert.deepEqual([middle.n, middle.distinct], [rows + 1, rows + 1]);
    await compactLake({ root, now: () => day });
    assert.deepEqual(await census(root), middle);
    assert.equal(visibleFiles(root, "metrics").length, 2);
  });
}

Deno.test("A compaction killed with SIGKILL at several points never loses or duplicates a sample", async () => {
  const { root } = smallLake(["a", "b", "c", "d", "e", "f"]);
  const before = await census(root);
  for (const delayMs of [300, 600, 900, 1200]) {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli/compact.ts", "--data", root, "--now", "2024-07-01T00:00:00Z"],
      cwd: repo,
      stdout: "null",
      stderr: "null",
    }).spawn();
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    await child.status;
    clearTimeout(timer);
    assert.deepEqual(await census(root), before, `after a kill at ${delayMs} ms`);
  }
  // a stale temporary file from a killed writer is cleaned up after ten minutes
  const dir = `${root}/metrics/host=a/date=2024-07-01`;
  Deno.writeFileSync(`${dir}/compact-000000000000001.parquet.99.tmp`, new Uint8Array(3));
  await compactLake({ root, now: () => Date.now() + 3_600_000, retentionMs: 3650 * 86_400_000 });
  assert.deepEqual(await census(root), before);
  assert.ok(![...Deno.readDirSync(dir)].some((e) => e.name.endsWith(".tmp")));
});

/** Every file under `root` whose name ends with `suffix`, relative to `root`. */
function filesEnding(root: string, suffix: string, dir = root): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(dir)) {
    const path = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...filesEnding(root, suffix, path));
    else if (e.name.endsWith(suffix)) out.push(path.slice(root.length + 1));
  }
  return out.sort();
}

Deno.test("A part file that is not Parquet is moved to quarantine, and the rest is compacted", async () => {
  const root = Deno.makeTempDirSync();
  writeSamples([{ ts: day, host: "h", metric: "m", labels: {}, value: 1 }], { root, id: 1 });
  const dir = `${root}/metrics/host=h/date=2024-07-01`;
  Deno.writeTextFileSync(`${dir}/part-000000000000002.parquet`, "not parquet");
  const warnings: string[] = [];
  const summary = await compactLake({ root, now: () => day, warn: (l) => warnings.push(l) });
  assert.equal(summary.quarantined, 1);
  assert.equal(summary.rows, 1);
  assert.match(
    warnings.join("\n"),
    /moved .*part-000000000000002\.parquet to .*quarantine.*: not Parquet/,
  );
  assert.equal(warnings.length, 1);
  assert.deepEqual(filesEnding(`${root}/quarantine`, "").length, 1);
  assert.deepEqual((await census(root)).n, 1);
});

Deno.test("A forged newest compact file of CSV neither breaks readers nor costs a sample, and compaction quarantines it", async () => {
  const { root } = smallLake();
  const before = await census(root);
  const dir = `${root}/metrics/host=a/date=2024-07-01`;
  const forged = `${dir}/compact-999999999999999.parquet`;
  Deno.writeTextFileSync(forged, "ts,metric,labels,value\n1,x,,1\n".repeat(100));
  assert.deepEqual(await census(root), before); // readers skip it (with a warning)
  assert.ok(!visibleFiles(root, "metrics").includes(forged));
  const summary = await compactLake({ root, now: () => day, warn: () => {} });
  assert.equal(summary.quarantined, 1);
  assert.deepEqual(await census(root), before);
  assert.match(
    filesEnding(`${root}/quarantine`, "").join(" "),
    /^metrics\/host=a\/date=2024-07-01\/compact-999999999999999\.parquet\.\d+$/,
  );
  const again = await compactLake({ root, now: () => day });
  assert.deepEqual([again.quarantined, again.partitions], [0, 0]);
  assert.deepEqual(await census(root), before);
});

Deno.test("A forged compact file that is real Parquet but lacks the rows it hides is quarantined, not trusted", async () => {
  const { root } = smallLake();
  const before = await census(root);
  const dir = `${root}/metrics/host=a/date=2024-07-01`;
  // a valid lake file with one sample, named as if it merged everything
  const other = Deno.makeTempDirSync();
  writeSamples([{ ts: day, host: "a", metric: "m", labels: {}, value: 1 }], { root: other, id: 1 });
  Deno.copyFileSync(
    visibleFiles(other, "metrics")[0]!,
    `${dir}/compact-999999999999999.parquet`,
  );
  const warnings: string[] = [];
  const summary = await compactLake({ root, now: () => day, warn: (l) => warnings.push(l) });
  assert.equal(summary.quarantined, 1);
  assert.match(warnings[0]!, /lacks rows of the files it supersedes/);
  assert.deepEqual(await census(root), before);
});

Deno.test("Compaction keeps its inputs when the merged file it wrote does not verify", async () => {
  const { root } = smallLake();
  const before = await census(root);
  const dir = `${root}/metrics/host=a/date=2024-07-01`;
  const partsBefore = filesEnding(dir, ".parquet");
  await assert.rejects(
    () =>
      compactLake({
        root,
        now: () => day,
        onStep: (step, partition) => {
          if (step !== "written" || partition !== dir) return;
          // a disk or a DuckDB fault: the temporary file now holds one input's rows only
          const [tmp] = filesEnding(dir, ".tmp");
          Deno.copyFileSync(`${dir}/${partsBefore[0]}`, `${dir}/${tmp}`);
        },
      }),
    { name: "LakeError", message: /Compaction failed for .*the merged file holds \d+ rows/ },
  );
  assert.deepEqual(filesEnding(dir, ".parquet"), partsBefore);
  assert.deepEqual(filesEnding(dir, ".tmp"), []);
  assert.deepEqual(await census(root), before);
});

Deno.test("Temporary files of dead writers are removed in every tree, even zero-byte and with --now in the past", async () => {
  const { root } = smallLake();
  await compactLake({ root, now: () => day });
  const before = await census(root);
  const dead = new Deno.Command("true").spawn();
  await dead.status;
  const stale: string[] = [];
  for (const tree of ["metrics", "rollup_1m", "rollup_1h"]) {
    const dir = `${root}/${tree}/host=a/date=2024-07-01`;
    stale.push(`${dir}/compact-000000000000009.parquet.${dead.pid}.tmp`);
    stale.push(`${dir}/part-000000000000009.parquet.${dead.pid}-3.tmp`);
  }
  for (const path of stale) Deno.writeFileSync(path, new Uint8Array(0));
  // a live writer's fresh temporary file stays (process 1 always runs)
  const live = `${root}/metrics/host=a/date=2024-07-01/part-000000000000010.parquet.1-1.tmp`;
  Deno.writeFileSync(live, new Uint8Array(0));
  await compactLake({ root, now: () => day });
  assert.deepEqual(filesEnding(root, ".tmp"), [live.slice(root.length + 1)]);
  // by the real clock, an hour-old one goes whoever wrote it
  const old = new Date(Date.now() - 3_600_000);
  Deno.utimeSync(live, old, old);
  await compactLake({ root, now: () => day });
  assert.deepEqual(filesEnding(root, ".tmp"), []);
  assert.deepEqual(await census(root), before);
});

Deno.test("A part written below the id of the compact file that hides it is moved to quarantine, not deleted, and the compact file stays", async () => {
  const { root } = smallLake();
  await compactLake({ root, now: () => day });
  const before = await census(root);
  // a writer that broke the id rule: its file is hidden by the compact file at once
  writeSamples([{ ts: day + 23 * H, host: "a", metric: "late", labels: {}, value: 1 }], {
    root,
    id: 5,
  });
  assert.deepEqual(await census(root), before);
  const warnings: string[] = [];
  const summary = await compactLake({ root, now: () => day, warn: (l) => warnings.push(l) });
  assert.equal(summary.quarantined, 1);
  assert.match(warnings.join("\n"), /part-000000000000005\.parquet .*: written after compact-\d+/);
  assert.match(
    filesEnding(`${root}/quarantine`, "").join(" "),
    /part-000000000000005\.parquet\.\d+$/,
  );
  assert.deepEqual(await census(root), before);
});
