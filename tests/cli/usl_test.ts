import assert from "node:assert/strict";
import { main } from "../../cli/usl.ts";
import { tempCsv } from "./_temp_csv.ts";
import { failure } from "./_failure.ts";

const CODAHALE =
  "concurrency,throughput\n1,65\n18,996\n36,1652\n72,1853\n108,1829\n144,1775\n216,1702\n";

Deno.test("usl CLI prints the codahale example's parameters as JSON", async () => {
  const path = await tempCsv(CODAHALE);
  let out = "";
  assert.equal(await main(["--input", path], (t) => (out += t)), 0);
  const j = JSON.parse(out);
  assert.deepEqual(
    Object.keys(j).slice(0, 6),
    ["sigma", "kappa", "lambda", "peak_concurrency", "peak_throughput", "r2"],
  );
  assert.ok(Math.abs(j.sigma - 0.02773) < 1e-4);
  assert.ok(Math.abs(j.kappa - 0.0001043) < 1e-6);
  assert.ok(Math.abs(j.lambda - 89.99) < 0.05);
  assert.ok(Math.abs(j.peak_throughput - 1883.8) < 0.5);
  assert.ok(Math.abs(j.peak_concurrency - 96) < 1);
  await Deno.remove(path);
});

Deno.test("usl CLI reads other column names", async () => {
  const path = await tempCsv("users,rps,x\n1,10,a\n2,19,b\n4,34,c\n8,52,d\n");
  let out = "";
  await main(
    ["--input", path, "--concurrency-column", "users", "--throughput-column", "rps"],
    (t) => (out += t),
  );
  assert.ok(JSON.parse(out).lambda > 0);
  await Deno.remove(path);
});

Deno.test("usl CLI names what is wrong in a bad CSV", async () => {
  const missing = await tempCsv("n,x\n1,2\n");
  await assert.rejects(() => main(["--input", missing], () => {}), {
    name: "UsageError",
    message: /^Missing column "concurrency" in .* \(columns: n, x\)$/,
  });
  const bad = await tempCsv("concurrency,throughput\n1,10\n2,abc\n");
  // the data's fault, not the call's: exit 1, as forecast's bad CSV (it was 2)
  assert.deepEqual(await failure(() => main(["--input", bad], () => {})), [
    1,
    'Invalid throughput on line 3: "abc"',
  ]);
  const few = await tempCsv("concurrency,throughput\n1,10\n2,19\n");
  assert.deepEqual(await failure(() => main(["--input", few], () => {})), [
    1,
    "Too few points for a USL fit: 2 (need 3)",
  ]);
  await assert.rejects(() => main([], () => {}), /Missing --input/);
  for (const p of [missing, bad, few]) await Deno.remove(p);
});

Deno.test("deno task usl exits non-zero with one line for a bad CSV", async () => {
  const bad = await tempCsv("concurrency,throughput\n1,x\n");
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../cli/usl.ts", import.meta.url).pathname, "--input", bad],
  }).output();
  assert.equal(out.code, 1);
  const err = new TextDecoder().decode(out.stderr).trim();
  assert.equal(err.split("\n").length, 1);
  assert.match(err, /^perfscope usl: Invalid throughput on line 2/);
  await Deno.remove(bad);
});

Deno.test("usl's one line quotes a header's control characters escaped, not to the terminal", async () => {
  // ESC [31m turned the terminal red, ESC ] 0 ; … BEL set its title, backspaces ate the line
  const path = await tempCsv("ts,\x1b[31mred\x1b]0;title\x07,\bvalue\n1,2,3\n");
  const [code, line] = await failure(() => main(["--input", path], () => {}));
  assert.equal(code, 2);
  assert.match(line, /\(columns: ts, \\u001b\[31mred\\u001b\]0;title\\u0007, \\u0008value\)$/);
  assert.ok(![...line].some((c) => c.charCodeAt(0) < 0x20), line);
  await Deno.remove(path);
});

Deno.test("usl --help prints the usage and the JSON keys", async () => {
  let out = "";
  assert.equal(await main(["--help"], (t) => (out += t)), 0);
  assert.match(out, /^Usage: deno task usl --input FILE\.csv/);
  assert.match(out, /--concurrency-column NAME/);
  await assert.rejects(() => main(["--bogus"], () => {}), /Unknown option '--bogus'/);
});

Deno.test("usl bounds what a hostile CSV costs: wide headers, long lines, its size limit", async () => {
  // a new user's walkthrough: a header of 10^6 columns printed an 8.9 MB error "line", and the
  // size error advised a --max-input-mb that usl did not take
  const wide = await tempCsv(
    Array.from({ length: 5_000 }, (_, i) => `c${i}`).join(",") + "\n" +
      Array.from({ length: 5_000 }, () => "1").join(",") + "\n",
  );
  await assert.rejects(() => main(["--input", wide], () => {}), {
    name: "UsageError",
    message: /^Missing column "concurrency" in .* \(columns: c0, c1, .*, c9, … and 4990 more\)$/,
  });
  const long = await tempCsv("concurrency,throughput," + "x".repeat(70_000) + "\n1,2\n");
  await assert.rejects(
    () => main(["--input", long], () => {}),
    /Invalid CSV: line 1 is longer than 65536 characters$/,
  );
  const big = await tempCsv(CODAHALE + "1,65\n".repeat(300_000));
  await assert.rejects(
    () => main(["--input", big, "--max-input-mb", "1"], () => {}),
    /larger than the 1 MiB limit \(1\.4 MiB; --max-input-mb raises it\)/,
  );
  let out = "";
  assert.equal(await main(["--input", big, "--max-input-mb", "2"], (t) => (out += t)), 0);
  assert.ok(JSON.parse(out).points > 300_000);
  // blank lines are skipped as in forecast's CSV, and errors name the file's own line
  const blank = await tempCsv("concurrency,throughput\n1,65\n\n18,996\n36,x\n");
  await assert.rejects(() => main(["--input", blank], () => {}), {
    message: 'Invalid throughput on line 5: "x"',
  });
  for (const p of [wide, long, big, blank]) await Deno.remove(p);
});
