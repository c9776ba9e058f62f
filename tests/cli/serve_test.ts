import assert from "node:assert/strict";
import { isLoopback, main, parseServeFlags } from "../../cli/serve.ts";
import { UsageError } from "../../cli/_args.ts";
import { startServe } from "../_serve.ts";

const noEnv = () => undefined;

Deno.test("parseServeFlags() reads every flag and defaults to loopback:8000 with collection", () => {
  assert.deepEqual(parseServeFlags([], noEnv), {
    host: "127.0.0.1",
    port: 8000,
    data: "data",
    collect: true,
    token: undefined,
    insecure: false,
  });
  const f = parseServeFlags([
    "--host",
    "0.0.0.0",
    "--port",
    "0",
    "--data",
    "/x",
    "--no-collect",
    "--token",
    "t",
  ], noEnv);
  assert.deepEqual([f.host, f.port, f.data, f.collect, f.token], ["0.0.0.0", 0, "/x", false, "t"]);
  assert.equal(parseServeFlags(["--host", "0.0.0.0"], () => "from-env").token, "from-env");
  assert.equal(parseServeFlags(["--host", "::", "--insecure"], noEnv).insecure, true);
});

Deno.test("parseServeFlags() refuses a public address without a token and other mistakes", () => {
  const cases: [string[], RegExp][] = [
    [["--host", "0.0.0.0"], /Binding 0.0.0.0 needs a token: pass --token T/],
    [["--host", "192.168.1.5"], /needs a token/],
    [["--port", "70000"], /Invalid --port: 70000/],
    [["--port", "http"], /Invalid --port: http/],
    [["--token", "a", "--insecure"], /exclude each other/],
    [["--token", " "], /Invalid --token: empty/],
    [["--host", ""], /Invalid --host: empty/],
    [["--data", ""], /Invalid --data: empty/],
    [["--verbose"], /Unknown option '--verbose'/],
    [["extra"], /Unexpected argument 'extra'/],
  ];
  for (const [args, message] of cases) {
    assert.throws(
      () => parseServeFlags(args, noEnv),
      (e: unknown) => e instanceof UsageError && message.test(e.message),
      args.join(" "),
    );
  }
});

Deno.test("isLoopback() knows loopback names and addresses", () => {
  for (const h of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.equal(isLoopback(h), true, h);
  }
  for (const h of ["0.0.0.0", "::", "10.0.0.1", "example.com"]) {
    assert.equal(isLoopback(h), false, h);
  }
});

async function nextSamplesEvent(url: URL, headers: HeadersInit = {}): Promise<unknown[][]> {
  const res = await fetch(new URL("/api/live", url), { headers });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error("stream ended");
      text += value;
      const m = text.match(/event: samples\ndata: (.*)\n\n/);
      if (m) return JSON.parse(m[1]!);
    }
  } finally {
    await reader.cancel();
  }
}

Deno.test("main() collects this machine and streams it live, then shuts down cleanly", async () => {
  const data = await Deno.makeTempDir();
  const s = await startServe(["--data", data]);
  const rows = await nextSamplesEvent(s.url);
  assert.ok(rows.some((r) => r[2] === "cpu_ratio"));
  const health = await (await fetch(new URL("/healthz", s.url))).json();
  assert.equal(health.status, "ok");
  s.stop();
  assert.equal(await s.done, 0);
  await Deno.remove(data, { recursive: true });
});

Deno.test("main() --no-collect follows the spool of a separate collector", async () => {
  const { SpoolWriter } = await import("../../lake/mod.ts");
  const data = await Deno.makeTempDir();
  const s = await startServe(["--data", data, "--no-collect", "--token", "t0k"]);
  assert.equal((await fetch(new URL("/healthz", s.url.origin))).status, 401);
  const writer = new SpoolWriter(data, Date.now());
  const pending = nextSamplesEvent(s.url, { authorization: "Bearer t0k" });
  const timer = setInterval(() => {
    writer.append([{
      ts: Date.now(),
      host: "other",
      metric: "load_average",
      labels: "window=1m",
      value: 3,
    }]);
  }, 100);
  const rows = await pending;
  clearInterval(timer);
  writer.close();
  assert.deepEqual(rows[0]!.slice(1), ["other", "load_average", "window=1m", 3]);
  s.stop();
  assert.equal(await s.done, 0);
  await Deno.remove(data, { recursive: true });
});

Deno.test("serve --help prints every flag and exits 0 without binding", async () => {
  const lines: string[] = [];
  const original = console.log;
  console.log = (text: string) => lines.push(text);
  try {
    assert.equal(await main(["--help"]), 0);
  } finally {
    console.log = original;
  }
  const help = lines.join("\n");
  for (const flag of ["--host", "--port", "--data", "--no-collect", "--token", "--insecure"]) {
    assert.ok(help.includes(flag), `help names ${flag}`);
  }
});
