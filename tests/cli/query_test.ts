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
  // two SELECTs printed the first one's rows alone; a script that writes first runs as before
  await assert.rejects(() => main(["--data", lake(), "SELECT 1 AS a; SELECT 2 AS b"], () => {}), {
    name: "UsageError",
    message: "Expected one SQL statement, got 2 SELECTs (run them one at a time)",
  });
  let script = "";
  const made = ["--data", lake(), "--format", "csv", "CREATE TABLE t AS SELECT 5 AS x; FROM t"];
  assert.equal(await main(made, (t) => (script += t)), 0);
  assert.equal(script, "x\n5\n");
  // an empty one was "got 1 arguments"
  await assert.rejects(() => main(["  "]), {
    name: "UsageError",
    message: 'Expected one SQL statement, got an empty one (e.g. "SELECT count(*) FROM samples")',
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

Deno.test("query main() prints a table of 300,000 rows (the widths are not a spread of every cell)", async () => {
  const out = await capture(["--data", lake(), "SELECT range AS n FROM range(300000)"]);
  const lines = out.trimEnd().split("\n");
  assert.equal(lines.length, 300_003);
  assert.equal(lines[2], "     0");
  assert.equal(lines.at(-2), "299999");
  assert.equal(lines.at(-1), "(300000 rows)");
});

Deno.test("deno task query piped into a reader that stops early ends quietly with 141", async () => {
  // as `… | head -1` does: the reader closes the pipe after the first lines
  const child = new Deno.Command(Deno.execPath(), {
    args: ["task", "-q", "query", "--data", lake(), "SELECT range FROM range(300000)"],
    cwd: new URL("../..", import.meta.url).pathname,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  const first = await reader.read();
  assert.match(new TextDecoder().decode(first.value), /^ *range\n/);
  await reader.cancel();
  const [status, err] = await Promise.all([child.status, new Response(child.stderr).text()]);
  assert.equal(status.code, 141);
  assert.equal(err, "");
});

/** [SQL expression, JSON value, CSV/table cell before quoting] for every DuckDB type family. */
const TYPES: [string, unknown, string][] = [
  ["INTERVAL 1 SECOND", "PT1S", "PT1S"],
  ["INTERVAL '1 year 2 months 3 days 04:05:06.5'", "P1Y2M3DT4H5M6.5S", "P1Y2M3DT4H5M6.5S"],
  ["-INTERVAL 90 MINUTE", "PT-1H-30M", "PT-1H-30M"],
  ["INTERVAL 0 SECOND", "PT0S", "PT0S"],
  ["'\\xAA\\x00z'::BLOB", "0xaa007a", "0xaa007a"],
  ["''::BLOB", "0x", "0x"],
  [
    "170141183460469231731687303715884105727::HUGEINT",
    "170141183460469231731687303715884105727",
    "170141183460469231731687303715884105727",
  ],
  ["12::HUGEINT", 12, "12"],
  ["9007199254740993::BIGINT", "9007199254740993", "9007199254740993"],
  ["18446744073709551615::UBIGINT", "18446744073709551615", "18446744073709551615"],
  ["1.25::DECIMAL(4,2)", 1.25, "1.25"],
  [
    "12345678901234567890.123::DECIMAL(38,3)",
    "12345678901234567890.123",
    "12345678901234567890.123",
  ],
  [
    "'a1b2c3d4-0000-4000-8000-000000000001'::UUID",
    "a1b2c3d4-0000-4000-8000-000000000001",
    "a1b2c3d4-0000-4000-8000-000000000001",
  ],
  ["[1, 2, NULL]", [1, 2, null], "[1,2,null]"],
  ["[1, 2]::INTEGER[2]", [1, 2], "[1,2]"],
  ["{'a': 1, 'b': [INTERVAL 1 DAY]}", { a: 1, b: ["P1D"] }, '{"a":1,"b":["P1D"]}'],
  ["MAP {'k': 1.5}", { k: 1.5 }, '{"k":1.5}'],
  ["MAP {[1]: 2::HUGEINT}", { "[1]": 2 }, '{"[1]":2}'],
  ["union_value(n := 2)::UNION(n INT, s VARCHAR)", 2, "2"],
  ["TIME '12:34:56'", "12:34:56", "12:34:56"],
  ["TIMETZ '12:00:00+01'", "12:00:00+01", "12:00:00+01"],
  ["DATE '2024-02-29'", "2024-02-29", "2024-02-29"],
  ["'infinity'::DATE", "infinity", "infinity"],
  ["TIMESTAMP '2024-01-01 01:02:03.5'", "2024-01-01T01:02:03.500Z", "2024-01-01T01:02:03.500Z"],
  ["TIMESTAMPTZ '2024-01-01 00:00:00+02'", "2023-12-31T22:00:00.000Z", "2023-12-31T22:00:00.000Z"],
  ["'infinity'::TIMESTAMP", "infinity", "infinity"],
  ["'0101'::BIT", "0101", "0101"],
  ["'x'::ENUM('x', 'y')", "x", "x"],
  ["NULL", null, ""],
  ["'NaN'::DOUBLE", "NaN", "NaN"],
  ["'inf'::DOUBLE", "Infinity", "Infinity"],
  ["-'inf'::FLOAT", "-Infinity", "-Infinity"],
  ["[1.5, 'nan'::DOUBLE]", [1.5, "NaN"], '[1.5,"NaN"]'],
  ["true", true, "true"],
  ["'a,b\"c'", 'a,b"c', 'a,b"c'],
];

Deno.test("query main() prints every DuckDB type in table, CSV and JSON without a BigInt or Buffer error", async () => {
  const root = Deno.makeTempDirSync();
  const sql = "SELECT " + TYPES.map(([expr], i) => `${expr} AS c${i}`).join(", ");
  const json = JSON.parse(await capture(["--data", root, "--format", "json", sql]));
  const csv = (await capture(["--data", root, "--format", "csv", sql])).split("\n");
  const table = await capture(["--data", root, sql]);
  for (const [i, [expr, want, text]] of TYPES.entries()) {
    assert.deepEqual(json[0][`c${i}`], want, expr);
    if (text !== "") assert.ok(table.includes(text), expr);
  }
  const esc = (s: string) => /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  assert.equal(csv[1], TYPES.map(([, , text]) => esc(text)).join(","));
});

// Regression: a process's name carried an escape sequence into its labels (the collector took
// it as the kernel gave it), and the table printed it to the terminal: a window title set, the
// colours changed, a newline starting a row of its own.
Deno.test("query main() prints a label's control characters in the table as \\u001b escapes", async () => {
  const root = Deno.makeTempDirSync();
  writeSamples([{
    ts: day,
    host: "h",
    metric: "process_cpu_ratio",
    labels: { name: "\x1b]0;pwn\x07\u009b31m\nx" },
    value: 1,
  }], { root, id: 1 });
  const out = await capture(["--data", root, "SELECT labels FROM samples"]);
  assert.equal(
    out,
    "labels\n" + "-".repeat(39) + "\nname=\\u001b]0;pwn\\u0007\\u009b31m\\u000ax\n(1 row)\n",
  );
  // CSV and JSON keep the value as it is (quoted, escaped by their own rules)
  const csv = await capture(["--data", root, "--format", "csv", "SELECT labels FROM samples"]);
  assert.ok(csv.includes("\x1b]0;pwn"));
});

// A label value with a right-to-left override, stored before ingest refused them: in a terminal
// `name=<RLO>gnp.exe` read `name=exe.png`, and U+2028 broke the row in some terminals and pagers.
Deno.test("query main() prints a stored label's bidi controls and U+2028 as \\u202e escapes", async () => {
  const root = Deno.makeTempDirSync();
  writeSamples([{
    ts: day,
    host: "h",
    metric: "process_cpu_ratio",
    labels: { name: "\u202egnp.exe\u2066x\u2069\u2028y", ok: "👩\u200d💻\u200f" },
    value: 1,
  }], { root, id: 1 });
  const out = await capture(["--data", root, "SELECT labels FROM samples"]);
  const row = out.split("\n")[2];
  assert.equal(row, "name=\\u202egnp.exe\\u2066x\\u2069\\u2028y,ok=👩\u200d💻\u200f");
});
