/**
 * `SpoolBuffer` with `Lake.includeBuffered`: the collector's spooled rows read with the files,
 * each once at every step of a flush (Parquet written, segment deleted), including a flush that
 * lands between the spool read and the lake's listing.
 */
import assert from "node:assert/strict";
import {
  type BufferedSource,
  IngestWriter,
  joinBuffered,
  openLake,
  SpoolBuffer,
  SpoolWriter,
  writeSamples,
} from "../../lake/mod.ts";

const T0 = Date.UTC(2024, 0, 1);
const ID = T0 + 5_000; // the segment's id, as the collector names it: its start

function rows(host = "h", n = 10) {
  return Array.from({ length: n }, (_, i) => ({
    ts: T0 + i * 1000,
    host,
    metric: "m",
    labels: "disk=a",
    value: i,
  }));
}

async function setUp() {
  const root = await Deno.makeTempDir({ prefix: "perfscope-spoolbuf-" });
  const lake = await openLake({ root });
  return {
    root,
    lake,
    async [Symbol.asyncDispose]() {
      lake.close();
      await Deno.remove(root, { recursive: true });
    },
  };
}

/** Every read shape: raw points, one hourly bucket (a mean: a row read twice moves it), the
 * listing and the extent. */
async function answers(lake: Awaited<ReturnType<typeof openLake>>) {
  const range = { from: T0, to: T0 + 60_000 };
  const one = await lake.series({ metric: "m", labels: "disk=a", ...range });
  const many = await lake.seriesMany({ metric: "m", ...range });
  const hour = await lake.seriesMany({ metric: "m", ...range, step: 3_600_000 });
  return {
    one: [[...one.ts], [...one.values]],
    many: many.series.map((s) => [s.host, s.labels, [...s.values]]),
    hour: hour.series.map((s) => [...s.values]),
    metrics: await lake.metrics(),
    extent: await lake.extent(),
  };
}

Deno.test("a series only in the spool is answered, then once at each step of its flush", async () => {
  await using t = await setUp();
  t.lake.includeBuffered(new SpoolBuffer(t.root));
  const writer = new SpoolWriter(t.root, ID);
  writer.append(rows());
  const before = await answers(t.lake);
  assert.deepEqual(before.one, [rows().map((r) => r.ts), rows().map((r) => r.value)]);
  assert.deepEqual(before.hour, [[4.5]]);
  assert.deepEqual(before.metrics, [{ host: "h", metric: "m", labels: "disk=a" }]);
  assert.deepEqual(before.extent, [{ host: "h", first: T0, last: T0 + 9000 }]);
  // the flush writes the segment's rows as part-<segment id>, then deletes the segment
  writeSamples(rows(), { root: t.root, id: ID });
  assert.deepEqual(await answers(t.lake), before, "in Parquet and in the spool: once");
  writer.close(true);
  assert.deepEqual(await answers(t.lake), before, "in Parquet only");
});

// The collector's whole flush (Parquet written, segment deleted) lands at a moment of the read:
// just before the spool is read (a lake that listed its files first would miss the rows: not
// in its listing, no longer in the spool), or after the read and before the listing.
for (const when of ["before the spool read", "between the spool read and the listing"]) {
  Deno.test(`a flush ${when} counts its rows once`, async () => {
    await using t = await setUp();
    const spool = new SpoolBuffer(t.root);
    const writer = new SpoolWriter(t.root, ID);
    writer.append(rows());
    let flushed = false;
    const flush = () => {
      if (flushed) return;
      flushed = true;
      writeSamples(rows(), { root: t.root, id: ID });
      writer.close(true);
    };
    const racing: BufferedSource = {
      bufferedRows(filter, stored) {
        if (when.startsWith("before")) flush();
        return spool.bufferedRows(filter, (host, date, id) => {
          flush();
          return stored(host, date, id);
        });
      },
      bufferedSeries: () => spool.bufferedSeries(),
      bufferedExtent: () => spool.bufferedExtent(),
    };
    t.lake.includeBuffered(racing);
    const hour = await t.lake.seriesMany({
      metric: "m",
      from: T0,
      to: T0 + 60_000,
      step: 3_600_000,
    });
    assert.equal(flushed, true);
    assert.deepEqual(hour.series.map((s) => [...s.values]), [[4.5]]);
  });
}

Deno.test("spooled rows Parquet will not hold are left out: no value, a refused host name", async () => {
  await using t = await setUp();
  t.lake.includeBuffered(new SpoolBuffer(t.root));
  const writer = new SpoolWriter(t.root, ID);
  try {
    writer.append([{ ...rows()[0]!, value: NaN }, ...rows("bad host").slice(0, 2)]);
    writer.append(rows("H").slice(1, 2));
    const r = await answers(t.lake);
    assert.deepEqual(r.many, [["h", "disk=a", [1]]]);
    assert.deepEqual(r.metrics, [{ host: "h", metric: "m", labels: "disk=a" }]);
  } finally {
    writer.close();
  }
});

Deno.test("joinBuffered: the spool's and the ingest writer's rows in one read, each its series", async () => {
  await using t = await setUp();
  const ingest = new IngestWriter({ root: t.root, sync: false, now: () => T0 + 60_000 });
  try {
    t.lake.includeBuffered(joinBuffered([new SpoolBuffer(t.root), ingest]));
    const writer = new SpoolWriter(t.root, ID);
    writer.append(rows("a", 3));
    const pushed = rows("b", 2);
    ingest.writeBatch({
      ts: pushed.map((r) => r.ts),
      host: pushed.map((r) => r.host),
      metric: pushed.map((r) => r.metric),
      labels: pushed.map((r) => r.labels),
      value: pushed.map((r) => r.value + 10),
    });
    const r = await answers(t.lake);
    writer.close();
    assert.deepEqual(r.many, [["a", "disk=a", [0, 1, 2]], ["b", "disk=a", [10, 11]]]);
    assert.deepEqual(r.metrics.map((e) => e.host), ["a", "b"]);
    assert.deepEqual(r.extent.map((e) => [e.host, e.last]), [["a", T0 + 2000], ["b", T0 + 1000]]);
  } finally {
    ingest.close();
  }
});
