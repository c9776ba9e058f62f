import assert from "node:assert/strict";
import {
  IngestWriter,
  type IngestWriterOptions,
  listSegments,
  openLake,
  type Quarantined,
  quarantineDir,
  replaySpool,
  SpoolWriter,
  startCollection,
} from "../../lake/mod.ts";
import { ingestSpoolDir, listIngestSegments } from "../../lake/ingest_spool.ts";
import { keepInQuarantine } from "../../lake/quarantine.ts";
import { startAndStopServe } from "../_serve.ts";

const T0 = Date.UTC(2024, 0, 1);
const enc = new TextEncoder();
/** 252 bytes: the host check of older versions allowed 253, but `host=` + 252 > 255 bytes. */
const LONG = "x".repeat(252);

function lines(host: string, n: number, from = 0): string {
  return Array.from(
    { length: n },
    (_, i) => JSON.stringify({ ts: T0 + from + i * 1000, host, metric: "m", value: i }),
  ).join("\n") + "\n";
}

/** Writes an ingest segment by hand (records as an older version spooled them, unchecked). */
function craftSegment(root: string, id: number, records: string[]): void {
  Deno.mkdirSync(ingestSpoolDir(root), { recursive: true });
  const bytes = records.map((r) => `#${enc.encode(r).length}\n${r}`).join("");
  Deno.writeTextFileSync(`${ingestSpoolDir(root)}/${String(id).padStart(15, "0")}.seg`, bytes);
}

async function hosts(root: string): Promise<Record<string, number>> {
  const lake = await openLake({ root });
  try {
    const rows = await lake.query<{ host: string; n: bigint }>(
      "SELECT host, count(*) AS n FROM samples GROUP BY host ORDER BY host",
    );
    return Object.fromEntries(rows.map((r) => [r.host, Number(r.n)]));
  } finally {
    lake.close();
  }
}

function quarantined(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of Deno.readDirSync(quarantineDir(root))) {
    out.set(e.name, Deno.readTextFileSync(`${quarantineDir(root)}/${e.name}`));
  }
  return out;
}

/**
 * A writer on `root` without fsync, an hour past T0, that reports what it quarantines into
 * `reports` (with more `options`).
 */
function reportingWriter(
  root: string,
  reports: Quarantined[],
  options: Omit<IngestWriterOptions, "root" | "onQuarantine"> = {},
): IngestWriter {
  return new IngestWriter({
    root,
    sync: false,
    now: () => T0 + 3_600_000,
    onQuarantine: (q) => reports.push(q),
    ...options,
  });
}

Deno.test("IngestWriter quarantines a spooled record with a 252-byte host at start, and the other hosts reach Parquet", async () => {
  const root = await Deno.makeTempDir();
  const bad = lines(LONG, 3);
  craftSegment(root, 1, [lines("a", 2), bad, lines("b", 4)]);
  const reports: Quarantined[] = [];
  const w = reportingWriter(root, reports);
  assert.equal(w.quarantined, 3);
  assert.equal(reports.length, 1);
  assert.match(reports[0]!.reason, /host: "x+…" is not a host name \(252 bytes, at most 250\)/);
  assert.equal(reports[0]!.rows, 3);
  // later requests still flow
  w.write(enc.encode(lines("c", 1)));
  w.close();
  assert.deepEqual(await hosts(root), { a: 2, b: 4, c: 1 });
  // kept verbatim, not deleted; the spool is empty again
  assert.deepEqual([...quarantined(root).values()], [bad]);
  assert.equal(reports[0]!.path, `${quarantineDir(root)}/ingest-1-2.jsonl`);
  assert.deepEqual(listIngestSegments(root), []);
  // a second start finds nothing left to replay
  new IngestWriter({ root, sync: false, onQuarantine: (q) => reports.push(q) }).close();
  assert.equal(reports.length, 1);
});

Deno.test("IngestWriter quarantines a partition the file system refuses at flush instead of failing every flush", async () => {
  // A lake root deep enough that a valid 250-byte host makes the file path exceed PATH_MAX
  // (4096 bytes): the real ENAMETOOLONG, on any Linux file system.
  let root = await Deno.makeTempDir();
  while (root.length < 3800) root += `/${"d".repeat(200)}`;
  Deno.mkdirSync(root, { recursive: true });
  const host = "h".repeat(250);
  const reports: Quarantined[] = [];
  const errors: unknown[] = [];
  const w = reportingWriter(root, reports, { onError: (e) => errors.push(e) });
  w.write(enc.encode(lines("a", 2) + lines(host, 3)));
  w.write(enc.encode(lines("b", 1)));
  assert.equal(w.flush(), 3);
  assert.equal(w.buffered, 0);
  assert.equal(reports.length, 1);
  assert.match(reports[0]!.reason, /File name too long/);
  const [text] = [...quarantined(root).values()];
  assert.equal(text, lines(host, 3).replaceAll(',"value"', ',"labels":"","value"'));
  w.write(enc.encode(lines("a", 1, 60_000)));
  assert.equal(w.flush(), 1);
  w.close();
  assert.deepEqual(errors, []);
  assert.deepEqual(listIngestSegments(root), []);
  assert.deepEqual(await hosts(root), { a: 3, b: 1 });
});

Deno.test("replaySpool() quarantines a collector segment's unwritable host and writes the others", async () => {
  const root = await Deno.makeTempDir();
  const spool = new SpoolWriter(root, T0);
  spool.append([
    { ts: T0, host: "good", metric: "m", labels: "", value: 1 },
    { ts: T0, host: LONG, metric: "m", labels: "k=v", value: 2 },
    { ts: T0 + 1000, host: "good", metric: "m", labels: "", value: 3 },
  ]);
  spool.close();
  const reports: Quarantined[] = [];
  assert.equal(replaySpool(root, { onQuarantine: (q) => reports.push(q) }), 2);
  assert.deepEqual(listSegments(root), []);
  assert.equal(reports.length, 1);
  assert.match(reports[0]!.reason, /252 bytes/);
  assert.deepEqual([...quarantined(root).values()], [
    JSON.stringify({ ts: T0, host: LONG, metric: "m", labels: "k=v", value: 2 }) + "\n",
  ]);
  assert.deepEqual(await hosts(root), { good: 2 });
});

Deno.test("startCollection() starts over a leftover spool holding an unwritable host", async () => {
  const root = await Deno.makeTempDir();
  const spool = new SpoolWriter(root, T0);
  spool.append([{ ts: T0, host: LONG, metric: "m", labels: "", value: 1 }]);
  spool.close();
  const now = Date.now();
  const collection = await startCollection({
    root,
    sampler: { sample: () => [{ ts: now, host: "h", metric: "m", labels: {}, value: 1 }] },
    intervalMs: 60_000,
  });
  const summary = await collection.stop();
  assert.equal(summary.replayed, 0);
  assert.equal(quarantined(root).size, 1);
  assert.deepEqual(await hosts(root), { h: 1 });
});

Deno.test("serve starts over an ingest spool holding an unwritable host, and the good records reach the lake", async () => {
  const root = await Deno.makeTempDir();
  craftSegment(root, 1, [lines("a", 2), lines(LONG, 1)]);
  const { health, code } = await startAndStopServe(["--data", root, "--no-collect"]);
  assert.equal(health, 200);
  assert.equal(code, 0);
  assert.deepEqual(await hosts(root), { a: 2 });
  assert.deepEqual([...quarantined(root).values()], [lines(LONG, 1)]);
});

Deno.test("keepInQuarantine() keeps a segment once, and another of the same name beside it", () => {
  const root = Deno.makeTempDirSync();
  Deno.writeTextFileSync(`${root}/a.spool`, "first");
  const kept = keepInQuarantine(root, `${root}/a.spool`, "collect-1.spool");
  assert.equal(keepInQuarantine(root, `${root}/a.spool`, "collect-1.spool"), kept);
  Deno.removeSync(`${root}/a.spool`);
  Deno.writeTextFileSync(`${root}/a.spool`, "second");
  const again = keepInQuarantine(root, `${root}/a.spool`, "collect-1.spool");
  assert.equal(again, `${quarantineDir(root)}/collect-1-2.spool`);
  assert.deepEqual(
    [Deno.readTextFileSync(kept), Deno.readTextFileSync(again)],
    ["first", "second"],
  );
  Deno.removeSync(root, { recursive: true });
});
