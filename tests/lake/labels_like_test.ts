/**
 * `labels_like` patterns: the series a pattern picks are the ones DuckDB's own LIKE picks, also
 * for patterns that LIKE backtracks on exponentially (`%_%_…`), which are read in linear time,
 * through the lake and through a real `serve` (child process, lake in a temporary folder).
 */
import assert from "node:assert/strict";
import { openLake, writeSamples } from "../../lake/mod.ts";
import { fileHashes } from "../_file_hashes.ts";
import { spawnServeIn, stopServe } from "../_serve_process.ts";

/** Label sets with LIKE's and RE2's special characters, a line break and long values. */
const LABELS = [
  "cpu=0,mode=idle",
  "cpu=1,mode=user",
  "cpu=10,mode=user",
  "command=/usr/bin/python3 -m http.server (8080) [a|b] {x} ^$ +?*\\d,pid=42",
  "command=a.b*c,pid=7",
  "path=C:\\dir\\file%_,pid=1",
  "note=line\nbreak",
  `command=${"x".repeat(900)},pid=3`,
];

function lakeRows(now: number) {
  return LABELS.flatMap((labels) =>
    Array.from({ length: 60 }, (_, i) => ({
      ts: now - 600_000 + i * 10_000,
      host: "h",
      metric: "m",
      labels,
      value: i,
    }))
  );
}

Deno.test("seriesMany() picks with labelsLike exactly the series DuckDB's LIKE picks", async () => {
  const root = await Deno.makeTempDir();
  const now = Date.now();
  writeSamples(lakeRows(now), { root, id: now });
  const lake = await openLake({ root });
  try {
    const patterns = [
      "%",
      "cpu=1%",
      "%mode=user",
      "%mode=user%",
      "cpu=_,%",
      "cpu=__,%",
      "%(8080)%",
      "%[a|b]%",
      "%{x} ^$ +?*\\d%",
      "command=a.b*c%",
      "command=a_b_c%",
      "%.%",
      "%\\dir\\%",
      "%file%_,%",
      "note=line_break",
      "%_%_%_%",
      "%x%x%x%,pid=3",
      "cpu=0,mode=idle",
      "nothing%",
    ];
    for (const labelsLike of patterns) {
      const like = await lake.query<{ labels: string }>(
        "SELECT DISTINCT labels FROM samples WHERE labels LIKE $p ORDER BY labels",
        { p: labelsLike },
      );
      const got = await lake.seriesMany({
        metric: "m",
        labelsLike,
        from: now - 3_600_000,
        to: now,
      });
      assert.deepEqual(
        got.series.map((s) => s.labels).sort(),
        like.map((r) => r.labels).sort(),
        labelsLike,
      );
    }
  } finally {
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("GET /api/series answers a labels_like of 1,000 '%_' pairs (LIKE still ran after 3 minutes) and stores nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-labels-like-" });
  const now = Date.now();
  writeSamples(lakeRows(now), { root: `${dir}/data`, id: now });
  await Deno.writeTextFile(`${dir}/perfscope.yaml`, "");
  const before = await fileHashes(`${dir}/data/metrics`);
  const served = await spawnServeIn(dir);
  try {
    // the time-out only ends a hung request; before this fix serve was still matching after 3 minutes
    const get = (like: string) =>
      fetch(
        new URL(`/api/series?metric=m&labels_like=${encodeURIComponent(like)}`, served.url),
        { signal: AbortSignal.timeout(120_000) },
      );
    const res = await get("%_".repeat(1000) + "zz");
    assert.equal(res.status, 200);
    assert.deepEqual((await res.json()).series, []);
    // the lake's connection is free for the next reader
    const next = await get("%pid=3");
    assert.equal(next.status, 200);
    assert.deepEqual((await next.json()).series.map((s: { labels: string }) => s.labels), [
      `command=${"x".repeat(900)},pid=3`,
    ]);
  } finally {
    assert.equal((await stopServe(served.process)).code, 0);
  }
  assert.deepEqual(await fileHashes(`${dir}/data/metrics`), before);
  await Deno.remove(dir, { recursive: true });
});
