import assert from "node:assert/strict";
import { simulateHost } from "../../lake/mod.ts";

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

Deno.test("every command that reads a lake takes data: from ./perfscope.yaml when --data is not given", async () => {
  const dir = await Deno.makeTempDir();
  const root = `${dir}/lake`;
  const start = Date.parse("2026-01-01T00:00:00Z");
  simulateHost({ root, host: "web1", seed: 1, start, durationMs: 3_600_000, stepMs: 60_000 });
  // the lake is not ./data: a command that ignored the file would answer "No lake at data"
  await Deno.writeTextFile(`${dir}/perfscope.yaml`, `data: ${root}\n`);
  const series = ["--metric", "memory_bytes", "--labels", "state=used", "--since", "3650d"];
  const runs: [string, string[], RegExp][] = [
    ["query", ["SELECT DISTINCT host FROM samples"], /web1/],
    ["forecast", [...series, "--horizon", "5"], /^timestamp,mean/],
    ["anomaly", series, /^timestamp,value,anomaly_score/],
    ["capacity", [...series, "--threshold", "1e15"], /"status"/],
    ["capacity", ["--since", "3650d"], /"host": "web1"/],
    ["train", ["--since", "3650d"], /models? stored in .*lake\/models/],
    ["report", ["--out", `${dir}/r.html`], /r\.html/],
    ["audit", [], /No audit records/],
    ["maintenance", ["--duration", "1h"], /Not enough data yet: .* of cpu_busy on web1/],
  ];
  for (const [name, args, stdout] of runs) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", cli(name), ...args],
      cwd: dir,
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, `${name}: ${stderr}`);
    assert.match(new TextDecoder().decode(out.stdout), stdout, name);
  }
  assert.ok(await exists(`${dir}/r.html`));
  assert.ok(!(await exists(`${dir}/data`)), "a command made ./data");
  await Deno.remove(dir, { recursive: true });
});
