import assert from "node:assert/strict";
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import {
  openLake,
  quantizeValue,
  visibleFiles,
  writeFileAtomic,
  writeSamples,
} from "../../lake/mod.ts";
import { splitVisible } from "../../lake/_paths.ts";

const day = Date.UTC(2024, 2, 10);

Deno.test("writeSamples() splits rows by host and UTC date and drops NaN values", async () => {
  const root = Deno.makeTempDirSync();
  const files = writeSamples([
    { ts: day - 1000, host: "a", metric: "load_average", labels: { window: "1m" }, value: 1.5 },
    { ts: day, host: "a", metric: "load_average", labels: { window: "1m" }, value: 2 },
    { ts: day, host: "b", metric: "cpu_ratio", labels: "cpu=0,mode=user", value: NaN },
    { ts: day, host: "b", metric: "cpu_ratio", labels: "cpu=0,mode=idle", value: 0.123456789 },
  ], { root, id: day });
  assert.deepEqual(files.map((f) => [f.path.slice(root.length), f.rows]), [
    ["/metrics/host=a/date=2024-03-09/part-001710028800000.parquet", 1],
    ["/metrics/host=a/date=2024-03-10/part-001710028800000.parquet", 1],
    ["/metrics/host=b/date=2024-03-10/part-001710028800000.parquet", 1],
  ]);
  const lake = await openLake({ root });
  const rows = await lake.query(
    "SELECT ts, host, metric, labels, value, date FROM samples ORDER BY host, ts",
  );
  assert.deepEqual(rows, [
    {
      ts: day - 1000,
      host: "a",
      metric: "load_average",
      labels: "window=1m",
      value: 1.5,
      date: "2024-03-09",
    },
    {
      ts: day,
      host: "a",
      metric: "load_average",
      labels: "window=1m",
      value: 2,
      date: "2024-03-10",
    },
    {
      ts: day,
      host: "b",
      metric: "cpu_ratio",
      labels: "cpu=0,mode=idle",
      value: 0.123457,
      date: "2024-03-10",
    },
  ]);
  lake.close();
});

Deno.test("writeSamples() stores ts as a millisecond timestamp and the other columns as in the contract", async () => {
  const root = Deno.makeTempDirSync();
  const [file] = writeSamples([{ ts: day + 7, host: "h", metric: "m", labels: {}, value: 1 }], {
    root,
    id: 1,
  });
  const buffer = Deno.readFileSync(file!.path).buffer;
  const meta = parquetMetadata(buffer);
  const columns = meta.schema.slice(1).map((s) => [s.name, s.type, s.converted_type]);
  assert.deepEqual(columns, [
    ["ts", "INT64", "TIMESTAMP_MILLIS"],
    ["metric", "BYTE_ARRAY", "UTF8"],
    ["labels", "BYTE_ARRAY", "UTF8"],
    ["value", "DOUBLE", undefined],
  ]);
  const rows = await parquetReadObjects({ file: buffer });
  assert.equal((rows[0]!.ts as Date).getTime(), day + 7);
});

Deno.test("writeSamples() with skipExisting leaves a partition that already holds the id alone", () => {
  const root = Deno.makeTempDirSync();
  const row = { ts: day, host: "h", metric: "m", labels: "", value: 1 };
  assert.equal(writeSamples([row], { root, id: 5 }).length, 1);
  assert.equal(writeSamples([row], { root, id: 5, skipExisting: true }).length, 0);
  assert.equal(writeSamples([row], { root, id: 6, skipExisting: true }).length, 1);
});

Deno.test("writeSamples() rejects a host name that would escape its directory", () => {
  const root = Deno.makeTempDirSync();
  assert.throws(
    () =>
      writeSamples([{ ts: day, host: "../x", metric: "m", labels: "", value: 1 }], { root, id: 1 }),
    RangeError,
  );
});

Deno.test("writeFileAtomic() throws a LakeError naming the path when the directory is not writable", () => {
  assert.throws(() => writeFileAtomic("/proc/perfscope-test/x.parquet", new Uint8Array(1)), {
    name: "LakeError",
    message: /Cannot write \/proc\/perfscope-test\/x.parquet/,
  });
});

Deno.test("quantizeValue() keeps whole numbers, six significant digits otherwise, and passes NaN", () => {
  assert.equal(quantizeValue(2 ** 40), 2 ** 40);
  assert.equal(quantizeValue(-0.000123456789), -0.000123457);
  assert.equal(quantizeValue(987654321.123), 987654000);
  assert.ok(Number.isNaN(quantizeValue(NaN)));
  assert.equal(quantizeValue(Infinity), Infinity);
});

Deno.test("splitVisible() shows the newest compact file and only the parts written after it", () => {
  const names = [
    "part-000000000000005.parquet",
    "compact-000000000000010.parquet",
    "part-000000000000010.parquet",
    "part-000000000000011.parquet",
    "compact-000000000000004.parquet",
    "part-000000000000012.parquet.123-1.tmp",
    "notes.txt",
  ];
  assert.deepEqual(splitVisible(names), {
    visible: ["compact-000000000000010.parquet", "part-000000000000011.parquet"],
    superseded: [
      "compact-000000000000004.parquet",
      "part-000000000000005.parquet",
      "part-000000000000010.parquet",
    ],
    invalid: [],
    gone: false,
  });
  // a bad newest compact file hides nothing: the next good one and the parts above it show
  const bad = new Set(["compact-000000000000010.parquet", "part-000000000000011.parquet"]);
  assert.deepEqual(splitVisible(names, (n) => bad.has(n) ? "not Parquet" : undefined), {
    visible: [
      "compact-000000000000004.parquet",
      "part-000000000000005.parquet",
      "part-000000000000010.parquet",
    ],
    superseded: [],
    invalid: ["compact-000000000000010.parquet", "part-000000000000011.parquet"],
    gone: false,
  });
  assert.deepEqual(visibleFiles(Deno.makeTempDirSync(), "metrics"), []);
});

Deno.test("A reader in this process never sees a torn file while another process writes files", async () => {
  const root = Deno.makeTempDirSync();
  const writer = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { writeSamples } from "${new URL("../../lake/mod.ts", import.meta.url).href}";
       const rows = Array.from({ length: 20000 }, (_, i) => ({ ts: ${day} + i, host: "h", metric: "m" + (i % 50), labels: "k=" + i, value: i / 7 }));
       for (let id = 1; id <= 40; id++) writeSamples(rows, { root: ${JSON.stringify(root)}, id });`,
    ],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const seen = new Set<string>();
  let reads = 0;
  let finished = false;
  const status = writer.status.then((s) => {
    finished = true;
    return s;
  });
  while (!finished) {
    for (const path of visibleFiles(root, "metrics")) {
      // every name a reader's glob can match must parse completely
      const buffer = Deno.readFileSync(path).buffer;
      const meta = parquetMetadata(buffer);
      assert.equal(Number(meta.num_rows), 20000);
      seen.add(path);
      reads++;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const s = await status;
  assert.equal(s.code, 0, new TextDecoder().decode((await writer.output()).stderr));
  assert.equal(visibleFiles(root, "metrics").length, 40);
  assert.ok(reads > 0);
});
