/**
 * Host names are case-insensitive, as DNS names are: `Web1` and `web1` are one host, stored
 * under its lower-case name, so no two partition directories differ only by case (on a
 * case-insensitive file system such as macOS' default APFS they would be one directory, and one
 * host's files would replace or take the name of the other's). A lake written before, with
 * mixed-case host directories, is still read, its hosts folded the same way.
 */
import assert from "node:assert/strict";
import { checkHost, IngestWriter, openLake, writePartition, writeSamples } from "../../lake/mod.ts";
import { IngestSpoolSegment } from "../../lake/ingest_spool.ts";
import { IngestSpoolEncoder } from "../../lake/ingest_spool_format.ts";

const day = Date.UTC(2024, 2, 10);

/** The host directories of a tree, and whether two of them differ only by case. */
function hostDirs(root: string, tier = "metrics"): string[] {
  return [...Deno.readDirSync(`${root}/${tier}`)].map((e) => e.name).sort();
}

function caseClashes(names: string[]): string[] {
  const seen = new Map<string, string>();
  const out: string[] = [];
  for (const n of names) {
    const k = n.toLowerCase();
    if (seen.has(k) && seen.get(k) !== n) out.push(`${seen.get(k)} / ${n}`);
    seen.set(k, n);
  }
  return out;
}

Deno.test("checkHost() folds a host name to lower case", () => {
  assert.equal(checkHost("Web1.Example.COM"), "web1.example.com");
  assert.equal(checkHost("web-1:9100"), "web-1:9100");
});

Deno.test("/api/ingest lines and receiver batches for Web1 and web1 are stored as one host, web1", async () => {
  const root = await Deno.makeTempDir();
  const writer = new IngestWriter({ root, sync: false, now: () => day });
  try {
    const body = [
      { ts: day, host: "Web1", metric: "load", value: 1 },
      { ts: day + 1000, host: "web1", metric: "load", value: 2 },
      { ts: day + 2000, host: "WEB1", metric: "load", value: 3 },
    ].map((l) => JSON.stringify(l)).join("\n") + "\n";
    const parsed = await writer.write(new TextEncoder().encode(body));
    assert.deepEqual(parsed.host, ["web1", "web1", "web1"]);
    const accepted = writer.writeBatch({
      ts: [day + 3000],
      host: ["Web1"],
      metric: ["up"],
      labels: ["target=app"],
      value: [1],
    });
    assert.deepEqual(accepted.host, ["web1"]);
    writer.flush();
  } finally {
    writer.close();
  }
  assert.deepEqual(hostDirs(root), ["host=web1"]);
  const lake = await openLake({ root });
  try {
    const rows = await lake.query("SELECT host, count(*)::INT AS n FROM samples GROUP BY host");
    assert.deepEqual(rows, [{ host: "web1", n: 4 }]);
  } finally {
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("The collector's write path stores Web1 under host=web1", () => {
  const root = Deno.makeTempDirSync();
  const files = writeSamples([
    { ts: day, host: "Web1", metric: "load_average", labels: {}, value: 1 },
    { ts: day, host: "web1", metric: "cpu_ratio", labels: {}, value: 0.5 },
  ], { root, id: day });
  assert.deepEqual(files.map((f) => f.path.slice(root.length)), [
    "/metrics/host=web1/date=2024-03-10/part-001710028800000.parquet",
  ]);
  assert.deepEqual(caseClashes(hostDirs(root)), []);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("A lake with a mixed-case host directory from before is read as the folded host, with the new data", async () => {
  const root = await Deno.makeTempDir();
  // an older perfscope wrote host=Web1 (this one writes host=web1; the rename stands in for it)
  writePartition(
    { ts: [day], metric: ["load"], labels: [""], value: [1] },
    { root, id: day, host: "web1", date: "2024-03-10", sync: false },
  );
  Deno.renameSync(`${root}/metrics/host=web1`, `${root}/metrics/host=Web1`);
  writePartition(
    { ts: [day + 60_000], metric: ["load"], labels: [""], value: [2] },
    { root, id: day + 60_000, host: "web1", date: "2024-03-10", sync: false },
  );
  assert.deepEqual(hostDirs(root), ["host=Web1", "host=web1"]);
  const lake = await openLake({ root });
  try {
    const rows = await lake.query("SELECT host, value FROM samples ORDER BY ts");
    assert.deepEqual(rows, [{ host: "web1", value: 1 }, { host: "web1", value: 2 }]);
    assert.deepEqual((await lake.extent()).map((e) => [e.host, e.first, e.last]), [
      ["web1", day, day + 60_000],
    ]);
    for (const host of ["web1", "Web1"]) {
      const s = await lake.series({ metric: "load", host, from: day, to: day + 120_000 });
      assert.deepEqual([...s.values], [1, 2], host);
    }
  } finally {
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("A spool replayed after the upgrade finds what it wrote before under host=Web1 and writes it no second time", () => {
  const root = Deno.makeTempDirSync();
  const rows = [{ ts: day, host: "Web1", metric: "load", labels: "", value: 1 }];
  // before: the segment was written under host=Web1, then the process died before deleting it
  writePartition(
    { ts: [day], metric: ["load"], labels: [""], value: [1] },
    { root, id: day, host: "web1", date: "2024-03-10", sync: false },
  );
  Deno.renameSync(`${root}/metrics/host=web1`, `${root}/metrics/host=Web1`);
  assert.deepEqual(writeSamples(rows, { root, id: day, skipExisting: true, sync: false }), []);
  assert.deepEqual(hostDirs(root), ["host=Web1"]);
  // a segment it had not written yet goes to host=web1
  const next = writeSamples(rows.map((r) => ({ ...r, ts: day + 1000 })), {
    root,
    id: day + 1000,
    skipExisting: true,
    sync: false,
  });
  assert.equal(next.length, 1);
  assert.deepEqual(hostDirs(root), ["host=Web1", "host=web1"]);
  Deno.removeSync(root, { recursive: true });
});

Deno.test("IngestWriter replays a spool segment from before with Web1 and web1 into one host, web1", async () => {
  const root = await Deno.makeTempDir();
  // an older serve spooled the hosts as sent, then stopped before writing them
  const seg = new IngestSpoolSegment(root, day);
  const encoder = new IngestSpoolEncoder();
  seg.append(encoder.encode({
    ts: [day, day + 1000],
    host: ["Web1", "web1"],
    metric: ["load", "load"],
    labels: ["", ""],
    value: [1, 2],
  }));
  encoder.commit();
  seg.close();
  const writer = new IngestWriter({ root, sync: false, now: () => day });
  writer.flush();
  writer.close();
  assert.deepEqual(hostDirs(root), ["host=web1"]);
  const lake = await openLake({ root });
  try {
    assert.deepEqual(await lake.query("SELECT host, value FROM samples ORDER BY ts"), [
      { host: "web1", value: 1 },
      { host: "web1", value: 2 },
    ]);
  } finally {
    lake.close();
    await Deno.remove(root, { recursive: true });
  }
});
