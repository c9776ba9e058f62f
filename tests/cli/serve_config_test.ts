import assert from "node:assert/strict";
import { parseServeFlags } from "../../cli/serve.ts";
import { startServe } from "../_serve.ts";

const noEnv = () => undefined;

Deno.test("parseServeFlags() takes web.* and data from the config; flags and PERFSCOPE_TOKEN win", () => {
  const config = {
    data: "/srv/lake",
    web: { host: "0.0.0.0", port: 9100, token: "file-token", collect: false },
  };
  const fromFile = parseServeFlags([], noEnv, config);
  assert.equal(fromFile.host, "0.0.0.0");
  assert.equal(fromFile.port, 9100);
  assert.equal(fromFile.data, "/srv/lake");
  assert.equal(fromFile.collect, false);
  assert.equal(fromFile.token, "file-token");
  const flags = parseServeFlags(
    ["--port", "9200", "--data", "d", "--host", "127.0.0.1"],
    () => "env-token",
    config,
  );
  assert.equal(flags.port, 9200);
  assert.equal(flags.data, "d");
  assert.equal(flags.host, "127.0.0.1");
  assert.equal(flags.token, "env-token");
  // --insecure on the command line drops the file's token rather than clashing with it
  assert.equal(parseServeFlags(["--insecure"], noEnv, config).token, undefined);
  assert.equal(parseServeFlags([], noEnv, {}).port, 8000);
});

function commandLine(pid: number): string {
  return Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").join(" ");
}

async function until(check: () => boolean, what: string | (() => string)): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`Waited in vain for ${typeof what === "string" ? what : what()}`);
}

Deno.test("serve starts its collector with the config's collect.* and restarts it when they change", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, `data: ${dir}/lake\ncollect:\n  interval: 2s\n  top: 3\n`);
  const pids: number[] = [];
  const errors: string[] = [];
  const error = console.error;
  console.error = (line: string) => errors.push(String(line));
  const served = await startServe(["--config", file], {
    onCollectorSpawn: (pid) => pids.push(pid),
    compact: false,
  });
  try {
    await until(() => pids.length === 1, "the first collector");
    const first = commandLine(pids[0]!);
    assert.match(first, /--data \S+\/lake --interval 2s --top 3 --no-config --supervised/);
    // a valid edit of collect.* restarts the collector with the new settings (written again
    // until it is seen: the file watch may start after the collector does)
    for (let round = 0; pids.length < 2 && round < 20; round++) {
      await Deno.writeTextFile(file, `data: ${dir}/lake\ncollect:\n  interval: 3s\n  top: 3\n`);
      for (let i = 0; i < 20 && pids.length < 2; i++) await new Promise((r) => setTimeout(r, 50));
    }
    await until(
      () => pids.length === 2,
      () => `the restarted collector (serve said: ${errors.join(" / ")})`,
    );
    assert.match(commandLine(pids[1]!), /--interval 3s --top 3/);
    await until(() => errors.some((l) => /reloaded .*collector restarts/.test(l)), "a notice");
    // an invalid edit is reported in one line and changes nothing
    await Deno.writeTextFile(file, `collect:\n  interval: soon\n`);
    await until(() => errors.some((l) => /keeping the last good settings/.test(l)), "an error");
    assert.ok(
      errors.some((l) => /perfscope.yaml:2:13: collect.interval: invalid duration/.test(l)),
    );
    assert.equal(pids.length, 2);
  } finally {
    served.stop();
    assert.equal(await served.done, 0);
    console.error = error;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("serve refuses an invalid --config before it listens", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/p.yaml`;
  await Deno.writeTextFile(file, "web:\n  port: http\n");
  await assert.rejects(startServe(["--config", file]), /p.yaml:2:9: web.port: expected number/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("serve refuses a config nested 100,000 deep with one line, not a stack overflow", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/p.yaml`;
  await Deno.writeTextFile(file, `web: ${"{a: ".repeat(100_000)}\n`);
  await assert.rejects(
    startServe(["--config", file]),
    /^ConfigError: .*p.yaml:1:402: nesting deeper than 100 levels$/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("serve refuses tiers in the wrong order with the config's place, not a RangeError in ms", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/p.yaml`;
  // raw past the 1-minute tier's default (8d): config check said valid, serve then exited with
  // "Invalid tiers: raw 864000000 ms, minute 691200000 ms"
  await Deno.writeTextFile(file, "lake:\n  tiers:\n    raw: 10d\n");
  await assert.rejects(
    startServe(["--config", file, "--no-collect", "--data", `${dir}/data`]),
    /p.yaml:3:10: lake.tiers.raw: must be at most lake.tiers.minute \(default 8d\), got 10 days/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("serve refuses a probe CA file it cannot read at its key, as config check does", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/p.yaml`;
  // config check named the key; serve stopped with "Cannot start the receivers: No such file or
  // directory (os error 2): readfile …", naming none
  await Deno.writeTextFile(
    file,
    `probes:\n  - { name: internal, http: "https://intranet.example/", ca_file: ${dir}/ca.pem }\n`,
  );
  await assert.rejects(
    startServe(["--config", file, "--no-collect", "--data", `${dir}/data`]),
    new RegExp(`p.yaml:2:67: probes\\[0\\].ca_file: cannot read ${dir}/ca.pem: no such file`),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("serve applies ingest.* from the config to /api/ingest", async () => {
  const dir = await Deno.makeTempDir();
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, `data: ${dir}/lake\ningest:\n  max_age: 1h\n  max_lines: 2\n`);
  const served = await startServe(["--config", file, "--no-collect"], { compact: false });
  const post = (lines: unknown[]) =>
    fetch(new URL("/api/ingest", served.url), {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body: lines.map((l) => JSON.stringify(l)).join("\n"),
    }).then(async (r) => ({ status: r.status, text: await r.text() }));
  const sample = (ageMs: number) => ({ ts: Date.now() - ageMs, host: "h", metric: "m", value: 1 });
  try {
    assert.equal((await post([sample(30 * 60_000)])).status, 200);
    const old = await post([sample(2 * 3_600_000)]);
    assert.equal(old.status, 400);
    assert.match(old.text, /outside the accepted window/);
    const many = await post([sample(0), sample(0), sample(0)]);
    assert.equal(many.status, 400);
    assert.match(many.text, /Too many lines/);
  } finally {
    served.stop();
    assert.equal(await served.done, 0);
    await Deno.remove(dir, { recursive: true });
  }
});
