import assert from "node:assert/strict";
import { createSampler, type Sample, SeriesTable } from "../../collectors/mod.ts";
import {
  listOutbox,
  listSegments,
  openLake,
  type Quarantined,
  quarantineDir,
  readSegment,
  replaySpool,
  snapshotRows,
  SPOOL_MAGIC,
  SpoolDecoder,
  spoolDir,
  SpoolEncoder,
  spoolReadersDir,
  SpoolWriter,
  tailSpool,
  type TailSpoolOptions,
} from "../../lake/mod.ts";

const t0 = Date.UTC(2024, 4, 1, 12);
const row = (ts: number, value: number, host = "h") => ({
  ts,
  host,
  metric: "load_average",
  labels: "window=1m",
  value,
});

/** Decodes whole bytes (with the magic in front). */
function decodeAll(...chunks: Uint8Array[]): ReturnType<SpoolDecoder["push"]> {
  const d = new SpoolDecoder();
  return [SPOOL_MAGIC, ...chunks].flatMap((c) => d.push(c));
}

Deno.test("SpoolEncoder.rows() keeps per-row times, hosts, odd names and every value", () => {
  const rows = [
    { ts: 5, host: 'h"1', metric: "m\n", labels: 'a="x\\\\y"', value: 1.5e-7 },
    { ts: 5, host: 'h"1', metric: "m\n", labels: 'a="x\\\\y"', value: -0 },
    { ts: 5, host: 'h"1', metric: "n", labels: "", value: 1e21 },
    { ts: 6, host: 'h"1', metric: "n", labels: "", value: Infinity },
    { ts: 7, host: "other\u2028", metric: "é", labels: "", value: NaN },
    { ts: 5, host: "h", metric: "n", labels: "", value: -3 },
  ];
  const encoder = new SpoolEncoder();
  const first = encoder.rows(rows).slice();
  assert.equal(first.length % 8, 0);
  const back = snapshotRows(decodeAll(first));
  assert.deepEqual(back, rows);
  assert.ok(Object.is(back[1]!.value, -0));
  // the same series again: no new definitions, so far fewer bytes
  const again = encoder.rows(rows.slice(0, 3)).slice();
  assert.ok(again.length < first.length / 3);
  assert.deepEqual(snapshotRows(decodeAll(first, again)).slice(6), rows.slice(0, 3));
});

Deno.test("SpoolDecoder takes the bytes in any pieces", () => {
  const rows = [1, 2, 3].map((v) => row(t0 + v * 1000, v));
  const bytes = new Uint8Array([...SPOOL_MAGIC, ...new SpoolEncoder().rows(rows)]);
  const d = new SpoolDecoder();
  const got = [];
  for (let i = 0; i < bytes.length; i++) got.push(...d.push(bytes.subarray(i, i + 1)));
  assert.deepEqual(snapshotRows(got), rows);
  assert.equal(d.pendingBytes, 0);
  assert.equal(d.broken, false);
  assert.deepEqual(d.push(new Uint8Array(0)), []);
});

Deno.test("SpoolDecoder stops for good at bytes that are not a spool", () => {
  const body = new SpoolEncoder().rows([row(t0, 1)]);
  const other = new SpoolDecoder();
  assert.deepEqual(other.push(new TextEncoder().encode('{"t":1}\n')), []);
  assert.equal(other.broken, true);
  assert.deepEqual(other.push(SPOOL_MAGIC), []);
  const short = new SpoolDecoder();
  short.push(new TextEncoder().encode("PSP"));
  assert.equal(short.broken, false);
  short.push(new TextEncoder().encode("X"));
  assert.equal(short.broken, true);
  // a bad kind, a series numbered out of order, a snapshot naming an unknown series
  const damaged = (at: number, value: number) => {
    const b = body.slice();
    new DataView(b.buffer).setUint32(at, value, true);
    const d = new SpoolDecoder();
    const out = [SPOOL_MAGIC, b].flatMap((c) => d.push(c));
    return { out, broken: d.broken };
  };
  assert.deepEqual(damaged(4, 9), { out: [], broken: true });
  assert.deepEqual(damaged(8, 1), { out: [], broken: true });
  assert.deepEqual(damaged(12, 1000), { out: [], broken: true });
  const seriesEnd = 8 + new DataView(body.buffer).getUint32(0, true);
  assert.deepEqual(damaged(seriesEnd + 8 + 16 + 8, 7), { out: [], broken: true });
  assert.deepEqual(damaged(seriesEnd + 8 + 8, 1e6), { out: [], broken: true });
  assert.deepEqual(damaged(seriesEnd, 3), { out: [], broken: true });
  // the text of a series that is not [host, metric, labels]
  const bad = body.slice();
  bad.set(
    new TextEncoder().encode('["h", 1, ""]'.padEnd(new DataView(bad.buffer).getUint32(12, true))),
    16,
  );
  const d = new SpoolDecoder();
  assert.deepEqual([SPOOL_MAGIC, bad].flatMap((c) => d.push(c)), []);
  assert.equal(d.broken, true);
});

Deno.test("SpoolWriter.appendSnapshot() defines each series once per segment and round-trips a real sampler's values", () => {
  const root = Deno.makeTempDirSync();
  using sampler = createSampler({ host: "h1", topN: 2 });
  const w = new SpoolWriter(root, t0);
  const snaps = [];
  const sizes = [];
  for (let i = 0; i < 3; i++) {
    const snap = sampler.snapshot();
    snaps.push({
      ts: snap.ts,
      series: snap.series.slice(0, snap.length),
      values: snap.values.slice(0, snap.length),
    });
    w.appendSnapshot(snap);
    sizes.push(Deno.statSync(w.segment.path).size);
  }
  w.appendSnapshot({ ts: t0, length: 0, series: [], values: new Float64Array(0) });
  w.close();
  assert.equal(Deno.statSync(w.segment.path).size, sizes[2]);
  // the third snapshot has (nearly) the series of the second: its record is values and numbers,
  // plus the text of the series it adds (a busy machine's top processes can change in between)
  const known = new Set(
    snaps.slice(0, 2).flatMap((s) => s.series.map((x) => x.metric + x.labelText)),
  );
  const added = snaps[2]!.series.filter((x) => !known.has(x.metric + x.labelText));
  const addedText = added.reduce((n, x) => n + 64 + 3 * (x.metric.length + x.labelText.length), 0);
  const third = sizes[2]! - sizes[1]!;
  assert.ok(
    third <= 24 + 12 * snaps[2]!.series.length + 4 + 200 + addedText,
    `third record ${third} B (${added.length} series added)`,
  );
  const rows = readSegment(w.segment.path);
  const expected = snaps.flatMap((s) =>
    s.series.map((x, i) => ({
      ts: s.ts,
      host: "h1",
      metric: x.metric,
      labels: x.labelText,
      value: s.values[i]!,
    }))
  );
  assert.deepEqual(rows, expected);
});

Deno.test("SpoolEncoder.snapshot() keeps series of two tables apart when their ids collide", () => {
  const a = new SeriesTable("a").get("m", {});
  const b = new SeriesTable("b").get("m", {});
  assert.equal(a.id, b.id);
  const encoder = new SpoolEncoder();
  const first = encoder.snapshot({
    ts: 1,
    length: 2,
    series: [a, b],
    values: new Float64Array([1, 2]),
  }).slice();
  const second = encoder.snapshot({
    ts: 2,
    length: 2,
    series: [b, a],
    values: new Float64Array([3, 4]),
  }).slice();
  const rows = snapshotRows(decodeAll(first, second));
  assert.deepEqual(rows.map((r) => `${r.ts} ${r.host} ${r.value}`), [
    "1 a 1",
    "1 b 2",
    "2 b 3",
    "2 a 4",
  ]);
});

Deno.test("SpoolWriter refuses a segment that already exists", () => {
  const root = Deno.makeTempDirSync();
  new SpoolWriter(root, t0).close();
  assert.throws(() => new SpoolWriter(root, t0), {
    name: "LakeError",
    message: /Cannot write spool/,
  });
});

Deno.test("readSegment() skips a torn last record left by a killed writer", () => {
  const root = Deno.makeTempDirSync();
  const w = new SpoolWriter(root, t0);
  w.append([row(t0, 1)]);
  w.append([row(t0 + 1000, 2)]);
  w.append([]);
  w.close();
  const next = new SpoolEncoder().rows([row(t0 + 2000, 3)]);
  Deno.writeFileSync(listSegments(root)[0]!.path, next.subarray(0, 20), { append: true });
  assert.deepEqual(readSegment(listSegments(root)[0]!.path).map((r) => r.value), [1, 2]);
});

Deno.test("replaySpool() replays a JSON-lines segment of an older version, skipping torn lines", async () => {
  const root = Deno.makeTempDirSync();
  Deno.mkdirSync(`${root}/spool`);
  const lines = [
    JSON.stringify({ t: t0, h: "h", s: [["load_average", "window=1m", 1], ["m", "", null]] }),
    JSON.stringify({ t: t0 + 1000, h: "h", s: [["load_average", "window=1m", 2, t0 + 999, "h2"]] }),
    JSON.stringify({ x: 1 }),
    '{"t":' + (t0 + 2000) + ',"h":"h","s":[["load_av',
  ];
  Deno.writeTextFileSync(`${root}/spool/${String(t0).padStart(15, "0")}.jsonl`, lines.join("\n"));
  assert.deepEqual(listSegments(root).map((s) => s.format), ["jsonl"]);
  assert.equal(replaySpool(root), 2);
  assert.deepEqual(listSegments(root), []);
  const lake = await openLake({ root });
  assert.deepEqual(
    await lake.query("SELECT host, epoch_ms(ts) AS ts, value FROM samples ORDER BY host"),
    [{ host: "h", ts: t0, value: 1 }, { host: "h2", ts: t0 + 999, value: 2 }],
  );
  lake.close();
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
  const first = Deno.readFileSync(listSegments(root)[0]!.path);
  assert.equal(replaySpool(root), 4);
  assert.deepEqual(listSegments(root), []);
  Deno.writeFileSync(`${root}/spool/${String(t0).padStart(15, "0")}.spool`, first);
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

/** Tails the spool at `root` until two snapshots came, keeping each one's first value. */
function tailTwo(
  root: string,
  options: Omit<TailSpoolOptions, "signal">,
): { seen: number[]; done: Promise<void> } {
  const controller = new AbortController();
  const seen: number[] = [];
  const done = tailSpool(root, (samples) => {
    seen.push(samples[0]!.value);
    if (seen.length === 2) controller.abort();
  }, { signal: controller.signal, ...options });
  return { seen, done };
}

Deno.test("tailSpool() with fromStart delivers the snapshots already spooled, and waits for a spool to appear", async () => {
  const root = Deno.makeTempDirSync();
  const { seen, done } = tailTwo(root, { pollMs: 5, fromStart: true });
  await new Promise((r) => setTimeout(r, 20));
  const w = new SpoolWriter(root, t0);
  w.append([row(t0, 1)]);
  w.append([row(t0 + 1000, 2)]);
  await done;
  w.close(true);
  assert.deepEqual(seen, [1, 2]);
});

/** A segment of three one-row snapshots whose second record has a damaged size field. */
function damagedSegment(root: string): { path: string; bytes: Uint8Array; at: number } {
  const w = new SpoolWriter(root, t0);
  w.append([row(t0, 1)]);
  const path = listSegments(root)[0]!.path;
  const at = Deno.statSync(path).size; // the next record starts here
  w.append([row(t0 + 1000, 2)]);
  w.append([row(t0 + 2000, 3)]);
  w.close();
  const bytes = Deno.readFileSync(path);
  bytes[at + 1]! ^= 0x10; // payload size + 4096: still a multiple of 8, beyond the file
  Deno.writeFileSync(path, bytes);
  return { path, bytes, at };
}

Deno.test("SpoolDecoder is broken at a damaged size field instead of waiting for more bytes", () => {
  const root = Deno.makeTempDirSync();
  const { bytes, at } = damagedSegment(root);
  const d = new SpoolDecoder();
  assert.deepEqual(snapshotRows(d.push(bytes)).map((r) => r.value), [1]);
  assert.equal(d.broken, true);
  assert.equal(d.pendingBytes, 0);
  assert.equal(d.undecodedBytes, bytes.length - at);
  // followed as it grows: broken once the record's first 16 payload bytes are in
  const follow = new SpoolDecoder();
  follow.push(bytes.subarray(0, at + 23));
  assert.equal(follow.broken, false);
  follow.push(bytes.subarray(at + 23, at + 24));
  assert.equal(follow.broken, true);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("replaySpool() keeps a damaged segment in the quarantine after replaying what precedes the damage", async () => {
  const root = Deno.makeTempDirSync();
  const { bytes, at } = damagedSegment(root);
  const reports: Quarantined[] = [];
  assert.equal(replaySpool(root, { onQuarantine: (q) => reports.push(q) }), 1);
  assert.deepEqual(listSegments(root), []);
  assert.equal(reports.length, 1);
  const kept = `${quarantineDir(root)}/collect-${t0}.spool`;
  assert.equal(reports[0]!.path, kept);
  assert.equal(
    reports[0]!.reason,
    `damaged spool segment: its last ${bytes.length - at} bytes cannot be decoded (the 1 ` +
      "samples before them were replayed)",
  );
  assert.deepEqual(Deno.readFileSync(kept), bytes); // byte for byte, nothing lost
  const lake = await openLake({ root });
  try {
    assert.deepEqual(await lake.query("SELECT value FROM samples"), [{ value: 1 }]);
  } finally {
    lake.close();
  }
  // a second start finds nothing to replay; the same damage again gets its own file
  assert.equal(replaySpool(root, { onQuarantine: (q) => reports.push(q) }), 0);
  damagedSegment(root);
  replaySpool(root, { onQuarantine: (q) => reports.push(q) });
  assert.equal(reports.at(-1)!.path, `${quarantineDir(root)}/collect-${t0}-2.spool`);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("tailSpool() still delivers each append after a FIFO is made in the spool directory", async () => {
  const root = Deno.makeTempDirSync();
  const writer = new SpoolWriter(root, t0);
  const controller = new AbortController();
  const seen: number[] = [];
  let wake: () => void = () => {};
  const done = tailSpool(root, (s) => {
    seen.push(s[0]!.value);
    wake();
  }, { signal: controller.signal, pollMs: 5 });
  await new Promise((r) => setTimeout(r, 30)); // the tail is following
  // with Deno.watchFs on the folder, no event came after this and the tail never woke again
  const mkfifo = new Deno.Command("mkfifo", { args: [`${spoolDir(root)}/odd.fifo`] });
  assert.equal((await mkfifo.output()).code, 0);
  for (let i = 1; i <= 3; i++) {
    const arrived = new Promise<string>((r) => (wake = () => r("delivered")));
    writer.append([row(t0 + i * 1000, i)]);
    // fails instead of hanging; not a timing assertion (a poll is 5 ms)
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<string>((
      r,
    ) => (timer = setTimeout(() => r(`append ${i} lost`), 10_000)));
    assert.equal(await Promise.race([arrived, late]), "delivered");
    clearTimeout(timer);
  }
  controller.abort();
  await done;
  writer.close(true);
  assert.deepEqual(seen, [1, 2, 3]);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("tailSpool() moves on when a flushed segment is moved to the outbox for a spool reader", async () => {
  const root = Deno.makeTempDirSync();
  Deno.mkdirSync(spoolReadersDir(root), { recursive: true });
  Deno.writeTextFileSync(`${spoolReadersDir(root)}/rw.json`, '{"segment":0,"offset":0}');
  const old = new SpoolWriter(root, t0);
  const { seen, done } = tailTwo(root, { pollMs: 5 });
  await new Promise((r) => setTimeout(r, 30));
  old.append([row(t0 + 1000, 1)]);
  await new Promise((r) => setTimeout(r, 30));
  const fresh = new SpoolWriter(root, t0 + 2001);
  old.retire(root); // a rename keeps the file's link count: the tail must still notice
  assert.equal(listOutbox(root).length, 1);
  fresh.append([row(t0 + 3000, 3)]);
  await done;
  fresh.close(true);
  assert.deepEqual(seen, [1, 3]);
});
