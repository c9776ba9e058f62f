import assert from "node:assert/strict";
import type { Sample } from "../../collectors/mod.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  listSegments,
  openLake,
  readSegment,
  replaySpool,
  SpoolWriter,
  tailSpool,
} from "../../lake/mod.ts";

const t0 = Date.UTC(2024, 4, 1, 12);
const row = (ts: number, value: number, host = "h") => ({
  ts,
  host,
  metric: "load_average",
  labels: "window=1m",
  value,
});

Deno.test("encodeSnapshot() keeps per-sample ts and host that differ from the line's", () => {
  const rows = [row(t0, 1), row(t0 + 5, 2), row(t0, 3, "other")];
  assert.deepEqual(decodeSnapshot(encodeSnapshot(rows)), rows);
  assert.equal(encodeSnapshot([]), '{"t":0,"h":"","s":[]}\n');
  assert.throws(() => decodeSnapshot('{"x":1}'), SyntaxError);
});

Deno.test("readSegment() skips a torn last line left by a killed writer", () => {
  const root = Deno.makeTempDirSync();
  const w = new SpoolWriter(root, t0);
  w.append([row(t0, 1)]);
  w.append([row(t0 + 1000, 2)]);
  w.append([]);
  w.close();
  const line = encodeSnapshot([row(t0 + 2000, 3)]);
  Deno.writeTextFileSync(listSegments(root)[0]!.path, line.slice(0, 20), { append: true });
  assert.deepEqual(readSegment(listSegments(root)[0]!.path).map((r) => r.value), [1, 2]);
});

Deno.test("replaySpool() writes leftover segments once, even if a crash came after the Parquet write", async () => {
  const root = Deno.makeTempDirSync();
  for (const id of [t0, t0 + 60_000]) {
    const w = new SpoolWriter(root, id);
    w.append([row(id, 1)]);
    w.append([row(id + 1000, 2)]);
    w.close();
  }
  // the first segment was already flushed to Parquet before the crash: copy it aside and replay it again
  const first = Deno.readTextFileSync(listSegments(root)[0]!.path);
  assert.equal(replaySpool(root), 4);
  assert.deepEqual(listSegments(root), []);
  Deno.writeTextFileSync(`${root}/spool/${String(t0).padStart(15, "0")}.jsonl`, first);
  assert.equal(replaySpool(root), 0);
  const lake = await openLake({ root });
  assert.deepEqual(await lake.query("SELECT count(*) AS n, count(DISTINCT ts) AS d FROM samples"), [
    { n: 4, d: 4 },
  ]);
  lake.close();
});

Deno.test("SpoolWriter throws a LakeError when the spool directory cannot be created", () => {
  assert.throws(() => new SpoolWriter("/proc/perfscope-no", 1), {
    name: "LakeError",
    message: /Cannot write spool/,
  });
});

Deno.test("tailSpool() follows appends across a rotation and stops on abort", async () => {
  const root = Deno.makeTempDirSync();
  const old = new SpoolWriter(root, t0);
  old.append([row(t0, 0)]); // before the tail starts: not delivered
  const controller = new AbortController();
  const seen: Sample[][] = [];
  let wake: () => void = () => {};
  const done = tailSpool(root, (samples) => {
    seen.push(samples);
    wake();
  }, { signal: controller.signal, pollMs: 5 });
  const next = () => new Promise<void>((r) => (wake = r));
  await new Promise((r) => setTimeout(r, 30));
  let arrived = next();
  old.append([row(t0 + 1000, 1)]);
  await arrived;
  // rotation as the collector does it: a new segment, then the old one deleted after its flush
  arrived = next();
  old.append([row(t0 + 2000, 2)]);
  const fresh = new SpoolWriter(root, t0 + 2001);
  old.close(true);
  fresh.append([row(t0 + 3000, 3)]);
  await arrived;
  while (seen.length < 3) {
    arrived = next();
    await arrived;
  }
  controller.abort();
  await done;
  fresh.close(true);
  assert.deepEqual(seen.map((s) => s[0]!.value), [1, 2, 3]);
  assert.deepEqual(seen[0]![0]!.labels, { window: "1m" });
});

Deno.test("tailSpool() with fromStart delivers the snapshots already spooled, and waits for a spool to appear", async () => {
  const root = Deno.makeTempDirSync();
  const controller = new AbortController();
  const seen: number[] = [];
  const done = tailSpool(root, (s) => {
    seen.push(s[0]!.value);
    if (seen.length === 2) controller.abort();
  }, { signal: controller.signal, pollMs: 5, fromStart: true });
  await new Promise((r) => setTimeout(r, 20));
  const w = new SpoolWriter(root, t0);
  w.append([row(t0, 1)]);
  w.append([row(t0 + 1000, 2)]);
  await done;
  w.close(true);
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("encodeSnapshot() writes exactly the JSON of the line, with odd names and values", () => {
  const rows = [
    { ts: 5, host: 'h"1', metric: "m\n", labels: 'a="x\\\\y"', value: 1.5e-7 },
    { ts: 5, host: 'h"1', metric: "m\n", labels: 'a="x\\\\y"', value: -0 },
    { ts: 5, host: 'h"1', metric: "n", labels: "", value: 1e21 },
    { ts: 6, host: 'h"1', metric: "n", labels: "", value: Infinity },
    { ts: 7, host: "other\u2028", metric: "é", labels: "", value: -3 },
  ];
  const s = [
    ["m\n", 'a="x\\\\y"', 1.5e-7],
    ["m\n", 'a="x\\\\y"', 0],
    ["n", "", 1e21],
    ["n", "", null, 6],
    ["é", "", -3, 7, "other\u2028"],
  ];
  for (let i = 0; i < 2; i++) {
    assert.equal(encodeSnapshot(rows), JSON.stringify({ t: 5, h: 'h"1', s }) + "\n");
  }
  assert.equal(encodeSnapshot([]), '{"t":0,"h":"","s":[]}\n');
  const back = decodeSnapshot(encodeSnapshot(rows));
  assert.deepEqual(back.map((r) => r.labels), rows.map((r) => r.labels));
  assert.deepEqual(back.map((r) => r.host), rows.map((r) => r.host));
});
