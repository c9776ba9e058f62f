import assert from "node:assert/strict";

const cli = (name: string) => new URL(`../../cli/${name}.ts`, import.meta.url).pathname;

/** Runs one CLI command as its own process; its exit status and stderr. */
async function runCli(name: string, args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", cli(name), ...args],
    stdout: "piped",
    stderr: "piped",
    stdin: "null",
  }).output();
  return { out, stderr: new TextDecoder().decode(out.stderr) };
}

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
    const { out, stderr } = await runCli(name, [...args, "--data", file]);
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

Deno.test("every command that only reads a lake names a missing --data in one line, exits 2 and creates nothing", async () => {
  const dir = await Deno.makeTempDir();
  const missing = `${dir}/typo-lake`;
  await Deno.writeTextFile(
    `${dir}/p.yaml`,
    "rules:\n  - {alert: Hot, metric: cpu, above: 1, for: 1s, severity: warning}\n",
  );
  const series = ["--metric", "cpu_ratio", "--labels", "cpu=total"];
  const runs: [string, string[]][] = [
    ["query", ["SELECT 1"]],
    ["compact", []],
    ["audit", []],
    ["maintenance", ["--duration", "1h"]],
    ["report", []],
    ["capacity", []],
    ["train", []],
    ["forecast", [...series, "--horizon", "5"]],
    ["anomaly", series],
    ["alerts", ["backtest", "--config", `${dir}/p.yaml`]],
  ];
  for (const [name, args] of runs) {
    const { out, stderr } = await runCli(name, [...args, "--data", missing]);
    assert.equal(out.code, 2, `${name}: ${stderr}`);
    assert.equal(
      stderr,
      `perfscope ${name}: No lake at ${missing} (use --data or run collect/serve first)\n`,
    );
    assert.ok(!(await exists(missing)), `${name} created ${missing}`);
  }
  await Deno.remove(dir, { recursive: true });
});

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch {
    return false;
  }
}
