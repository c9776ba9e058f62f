import assert from "node:assert/strict";

const RUN = new URL("../../bench/run.ts", import.meta.url);
const LAST_RUN = new URL("../../bench/last_run.json", import.meta.url);

async function bench(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", RUN.pathname, ...args],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder();
  return { code: out.code, stdout: text.decode(out.stdout), stderr: text.decode(out.stderr) };
}

async function lastRun(): Promise<string | null> {
  try {
    return await Deno.readTextFile(LAST_RUN);
  } catch {
    return null;
  }
}

Deno.test("deno task bench --help prints the usage with every bench name and exits 0", async () => {
  const before = await lastRun();
  const { code, stdout, stderr } = await bench("--help");
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^Usage: deno task bench \[--quick\] \[--only NAME,\.\.\.\]/);
  assert.match(stdout, /collector, lake, web, forecast, m4/);
  assert.equal(await lastRun(), before);
});

Deno.test("deno task bench with an unknown flag prints one line and exits 2", async () => {
  const { code, stderr } = await bench("--nope");
  assert.equal(code, 2);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.match(stderr, /^perfscope bench: Invalid arguments: Unknown option '--nope'/);
});

Deno.test("deno task bench --only with an unknown name runs nothing and keeps last_run.json", async () => {
  const before = await lastRun();
  const { code, stdout, stderr } = await bench("--only", "lake,nope");
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr, /^perfscope bench: Unknown bench: nope \(known: collector, lake/);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
  assert.equal(await lastRun(), before);
});

Deno.test("deno task bench --only keeps the other benches' figures from the run before", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/last_run.json`;
  try {
    const earlier = { at: "2026-01-01T00:00:00.000Z", summary: { lake: { rows: 1 }, notify: 0 } };
    await Deno.writeTextFile(out, JSON.stringify(earlier));
    const { code, stderr } = await bench("--quick", "--only", "notify", "--out", out);
    assert.equal(code, 0, stderr);
    const now = JSON.parse(await Deno.readTextFile(out));
    assert.deepEqual(now.summary.lake, { rows: 1 });
    assert.notEqual(now.summary.notify, 0);
    assert.deepEqual(now.ran, ["notify"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task bench --only receivers_ab skips it with one line: it needs an older checkout", async () => {
  const dir = await Deno.makeTempDir();
  const out = `${dir}/last_run.json`;
  try {
    const { code, stdout, stderr } = await bench("--only", "receivers_ab", "--out", out);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /\(receivers_ab: skipped, needs --old DIR, an older checkout: /);
    assert.deepEqual(JSON.parse(await Deno.readTextFile(out)).ran, []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task bench --help names the benches added in session 26", async () => {
  const { stdout } = await bench("--help");
  for (
    const name of [
      "forecast_transform",
      "ratio_transform",
      "m4_clip",
      "buffered_read",
      "spool_read",
      "query_buffered",
    ]
  ) {
    assert.ok(stdout.includes(name), name);
  }
});

Deno.test("deno task bench --help names nonratio_transform (session 27)", async () => {
  const { stdout } = await bench("--help");
  assert.ok(stdout.includes("nonratio_transform"));
});
