import assert from "node:assert/strict";
import { join } from "node:path";
import { main } from "../../cli/report.ts";
import { UsageError } from "../../cli/_args.ts";
import { runCliProcess } from "../../cli/_run_cli_process.ts";
import { NOW, testLake } from "../reports/_lake.ts";

Deno.test("report --help prints the usage and exits 0", async () => {
  assert.equal(await main(["--help"]), 0);
});

Deno.test("report rejects unknown flags and bad values with a usage error", async () => {
  await assert.rejects(() => main(["--bogus"]), UsageError);
  await assert.rejects(() => main(["--since", "0"]), /Invalid --since: 0/);
  await assert.rejects(() => main(["--horizon", "soon"]), /Invalid --horizon: soon/);
  // as compact and maintenance say it: what to give instead
  await assert.rejects(() => main(["--now", "yesterday"]), {
    message: "Invalid --now: yesterday (use an ISO date)",
  });
  await assert.rejects(() => main(["--hosts", ","]), /Invalid --hosts: ,/);
  // an interval's 10th and 90th percentiles need more than a handful of rounds each
  await assert.rejects(() => main(["--bootstrap", "10"]), /Invalid --bootstrap: 10/);
});

Deno.test("report --out naming a folder is a usage error before any analysis, and leaves no file", async () => {
  const dir = await Deno.makeTempDir();
  // an empty lake: the analysis would run (and say "not enough data") before the old failure
  const data = await Deno.makeTempDir();
  for (const out of [dir, `${dir}/`, `${join(dir, "new")}/`]) {
    await assert.rejects(() => main(["--data", data, "--out", out]), {
      name: "UsageError",
      message:
        /^Invalid --out: .* is a folder \(give the file to write, e\.g\. .*capacity\.html\)$/,
    });
  }
  assert.deepEqual([...Deno.readDirSync(dir)], []);
  assert.deepEqual([...Deno.readDirSync(data)], []);
});

Deno.test("report --out '' (an unset variable) is refused before any analysis", async () => {
  // it ran the whole analysis, then failed with "No such file or directory (os error 2): rename
  // '.13381.tmp' -> ''" and left nothing to say which option was wrong
  const data = await Deno.makeTempDir();
  await assert.rejects(() => main(["--data", data, "--out", ""]), {
    name: "UsageError",
    message: "Invalid --out: empty (give the file to write, e.g. capacity.html)",
  });
  assert.deepEqual([...Deno.readDirSync(data)], []);
});

Deno.test("report --out naming a FIFO, a device or a symbolic link is refused before any analysis", async () => {
  // a new user's walkthrough: --out /dev/full (as root) renamed the report over the device node,
  // and --out /dev/stdout would replace that link; here a FIFO and links in a temporary folder
  const dir = await Deno.makeTempDir();
  const data = await Deno.makeTempDir();
  const fifo = join(dir, "fifo");
  assert.equal((await new Deno.Command("mkfifo", { args: [fifo] }).output()).code, 0);
  await Deno.writeTextFile(join(dir, "old.html"), "old");
  await Deno.symlink(join(dir, "old.html"), join(dir, "link.html"));
  await Deno.symlink(fifo, join(dir, "to-fifo"));
  for (
    const [name, kind] of [
      ["fifo", "a FIFO"],
      ["link.html", "a symbolic link"],
      ["to-fifo", "a symbolic link"],
    ] as const
  ) {
    await assert.rejects(() => main(["--data", data, "--out", join(dir, name)]), {
      name: "UsageError",
      message: new RegExp(`^Invalid --out: .*${name} is ${kind}, not a regular file \\(`),
    });
  }
  assert.ok(Deno.lstatSync(fifo).isFifo);
  assert.ok(Deno.lstatSync(join(dir, "link.html")).isSymlink);
  assert.equal(await Deno.readTextFile(join(dir, "old.html")), "old");
  assert.deepEqual([...Deno.readDirSync(data)], []);
});

Deno.test("report writes one self-contained file to DATA/reports/capacity-DATE.html", async () => {
  const root = await Deno.makeTempDir();
  const lake = await testLake();
  // Work on a copy so the default output lands in this test's own directory.
  await new Deno.Command("cp", { args: ["-r", `${lake}/.`, root] }).output();
  const code = await main([
    "--data",
    root,
    "--since",
    "2d",
    "--horizon",
    "3d",
    "--now",
    new Date(NOW).toISOString(),
  ]);
  assert.equal(code, 0);
  const out = join(root, "reports", `capacity-${new Date(NOW).toISOString().slice(0, 10)}.html`);
  const html = await Deno.readTextFile(out);
  assert.match(html, /<h1>Capacity report<\/h1>/);
  assert.doesNotMatch(html, /<script[^>]+src=/);
  const leftovers = [...Deno.readDirSync(join(root, "reports"))].map((e) => e.name);
  assert.deepEqual(leftovers, [`capacity-${new Date(NOW).toISOString().slice(0, 10)}.html`]);
});

Deno.test("report --out --hosts --title writes where asked, for the hosts asked", async () => {
  const out = join(await Deno.makeTempDir(), "nested", "r.html");
  const code = await main([
    "--data",
    await testLake(),
    "--since",
    "2d",
    "--now",
    new Date(NOW).toISOString(),
    "--hosts",
    "sim-1",
    "--title",
    "Weekly <capacity>",
    "--bootstrap",
    "50",
    "--out",
    out,
  ]);
  assert.equal(code, 0);
  const html = await Deno.readTextFile(out);
  assert.match(html, /<title>Weekly &lt;capacity&gt;<\/title>/);
  assert.match(html, /Data behind this report:<ul><li>sim-1: 2 days of data/);
});

Deno.test("report --out - writes the HTML to stdout, the progress and size to stderr, and no file", async () => {
  const root = await Deno.makeTempDir();
  await new Deno.Command("cp", { args: ["-r", `${await testLake()}/.`, root] }).output();
  const out = await runCliProcess(
    "report.ts",
    ["--data", root, "--since", "2d", "--now", new Date(NOW).toISOString(), "--out", "-"],
    new AbortController().signal,
  );
  const stderr = new TextDecoder().decode(out.stderr);
  assert.equal(out.code, 0, stderr);
  const html = new TextDecoder().decode(out.stdout);
  assert.match(html, /^<!doctype html>\n/);
  assert.match(html, /<h1>Capacity report<\/h1>/);
  assert.match(html, /<\/html>\n?$/);
  // the last stderr line says where it went and how much, as for a file
  const kib = (out.stdout.length / 1024).toFixed(0);
  assert.match(stderr, new RegExp(`report: wrote stdout \\(${kib} KiB\\) in [\\d.]+ s\\n$`));
  // no file named "-" in the working folder, none in DATA/reports
  assert.equal(await Deno.stat(join(root, "reports")).catch(() => undefined), undefined);
  assert.equal(await Deno.stat("-").catch(() => undefined), undefined);
  await Deno.remove(root, { recursive: true });
});

Deno.test("report --out at a place it cannot write is one line with the path and the OS's reason, exit 1, before any analysis", async () => {
  const dir = await Deno.makeTempDir();
  const file = join(dir, "a-file");
  await Deno.writeTextFile(file, "");
  const cases: [string, string][] = [
    // /proc takes no new files, even from root
    ["/proc/perfscope-report.html", "No such file or directory (os error 2)"],
    [join(file, "r.html"), `${file} is not a folder`],
  ];
  for (const [path, reason] of cases) {
    const out = await runCliProcess(
      "report.ts",
      ["--data", await testLake(), "--out", path],
      new AbortController().signal,
    );
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, stderr);
    // one line, no stack trace, no progress: the analysis did not run
    assert.equal(stderr, `perfscope report: Cannot write ${path}: ${reason}\n`);
    assert.equal(out.stdout.length, 0);
  }
  assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a-file"]);
  await Deno.remove(dir, { recursive: true });
});
