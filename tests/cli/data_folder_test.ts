import assert from "node:assert/strict";

const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

Deno.test("serve, collect, query and compact refuse a --data that is a file in one line, exit 2, and leave it alone", async () => {
  const file = await Deno.makeTempFile();
  await Deno.writeTextFile(file, "not a lake\n");
  const runs: [string, string[]][] = [
    ["serve", ["--no-collect", "--port", "0"]],
    ["collect", ["--duration", "1s"]],
    ["query", ["SELECT 1"]],
    ["compact", []],
  ];
  for (const [name, args] of runs) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli(name), ...args, "--data", file],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 2, `${name}: ${stderr}`);
    // it was an OS error about a path inside the file, e.g. mkdir '/etc/passwd' or readdir '…/rollup_1m'
    assert.equal(
      stderr,
      `perfscope ${name}: Invalid --data: ${file} is not a folder (give the lake's folder)\n`,
    );
  }
  assert.equal(await Deno.readTextFile(file), "not a lake\n");
  await Deno.remove(file);
});
