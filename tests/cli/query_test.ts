import assert from "node:assert/strict";
import { main } from "../../cli/query.ts";
import { writeSamples } from "../../lake/mod.ts";

const day = Date.UTC(2024, 0, 15);

function lake(): string {
  const root = Deno.makeTempDirSync();
  writeSamples([
    {
      ts: day,
      host: "h",
      metric: "filesystem_used_bytes",
      labels: { mountpoint: "/a,b" },
      value: 4096,
    },
    {
      ts: day + 1000,
      host: "h",
      metric: "cpu_ratio",
      labels: { cpu: "0", mode: "user" },
      value: 0.25,
    },
  ], { root, id: 1 });
  return root;
}

async function capture(args: string[]): Promise<string> {
  let out = "";
  const code = await main(args, (t) => (out += t));
  assert.equal(code, 0);
  return out;
}

Deno.test("query main() prints an aligned table with numbers right-aligned and a row count", async () => {
  const out = await capture([
    "--data",
    lake(),
    "SELECT ts, metric, value FROM samples ORDER BY ts",
  ]);
  assert.equal(
    out,
    [
      "ts                        metric                 value",
      "------------------------  ---------------------  -----",
      "2024-01-15T00:00:00.000Z  filesystem_used_bytes   4096",
      "2024-01-15T00:00:01.000Z  cpu_ratio               0.25",
      "(2 rows)",
      "",
    ].join("\n"),
  );
});

Deno.test("query main() writes CSV with quoting and JSON with one object per row", async () => {
  const root = lake();
  const csv = await capture([
    "--data",
    root,
    "--format",
    "csv",
    "SELECT labels, value FROM samples ORDER BY ts",
  ]);
  assert.equal(csv, 'labels,value\n"mountpoint=/a\\,b",4096\n"cpu=0,mode=user",0.25\n');
  const json = await capture([
    "--data",
    root,
    "--format",
    "json",
    "SELECT ts, value, NULL AS n, [1] AS l FROM samples ORDER BY ts",
  ]);
  assert.deepEqual(JSON.parse(json), [
    { ts: "2024-01-15T00:00:00.000Z", value: 4096, n: null, l: [1] },
    { ts: "2024-01-15T00:00:01.000Z", value: 0.25, n: null, l: [1] },
  ]);
  const table = await capture(["--data", root, "SELECT [1] AS l, NULL AS n WHERE false"]);
  assert.equal(table, "l  n\n-  -\n(0 rows)\n");
});

Deno.test("query main() on an empty lake answers from empty views", async () => {
  const out = await capture([
    "--data",
    Deno.makeTempDirSync(),
    "--format",
    "csv",
    "SELECT count(*) AS n FROM rollup_1h",
  ]);
  assert.equal(out, "n\n0\n");
});

Deno.test("query main() rejects bad SQL with a LakeError and bad flags with a UsageError", async () => {
  await assert.rejects(() => main(["--data", lake(), "SELEC 1"], () => {}), {
    name: "LakeError",
    message: /^Query failed/,
  });
  await assert.rejects(() => main(["--format", "xml", "SELECT 1"]), {
    name: "UsageError",
    message: /Invalid --format: xml/,
  });
  await assert.rejects(() => main([]), {
    name: "UsageError",
    message: /Expected one SQL statement/,
  });
  await assert.rejects(() => main(["a", "b"]), { name: "UsageError" });
  await assert.rejects(() => main(["--nope"]), { name: "UsageError" });
  let help = "";
  assert.equal(await main(["--help"], (t) => (help += t)), 0);
  assert.match(help, /^Usage: deno task query/);
});

Deno.test("deno task query with bad SQL prints one line and exits 1", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "query", "--data", lake(), "SELECT * FROM nope"],
    cwd: new URL("../..", import.meta.url).pathname,
  }).output();
  assert.equal(out.code, 1);
  const err = new TextDecoder().decode(out.stderr);
  assert.match(err, /^perfscope query: Query failed: Catalog Error/);
  assert.equal(err.trim().split("\n").length, 1);
});
