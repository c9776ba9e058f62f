/**
 * `serve` as a real child process following its config file: a FIFO beside the file does not
 * stop reloads (nor the stop), and a slow rewrite (truncated, filled a second later) never
 * applies the defaults in between.
 *
 * @module
 */
import assert from "node:assert/strict";
import { spawnServe } from "../_serve_process.ts";
import { which } from "../_skip.ts";

const SLOW = "  - {alert: Slow, metric: app_latency_ms, above: 250}\n";
const FAST = "  - {alert: Fast, metric: app_latency_ms, below: 1}\n";

/** The names of the alert rules `serve` runs now. */
async function ruleNames(base: string): Promise<string[]> {
  const res = await fetch(new URL("/api/alerts", base));
  const body = await res.json();
  return (body.rules as { alert: string }[]).map((r) => r.alert);
}

/** Waits (up to 60 s) until `check` holds, calling it every 100 ms. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  const end = Date.now() + 60_000;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`waited 60 s for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A temp folder with a config of `rules` and a lake, removed on disposal. */
async function configDir(rules: string) {
  const dir = await Deno.makeTempDir({ prefix: "perfscope-reload-" });
  const file = `${dir}/perfscope.yaml`;
  await Deno.writeTextFile(file, `rules:\n${rules}`);
  return {
    dir,
    file,
    async [Symbol.asyncDispose]() {
      await Deno.remove(dir, { recursive: true });
    },
  };
}

Deno.test({
  name: "serve reloads its config with a FIFO beside it, and exits on SIGTERM",
  ignore: which("mkfifo") === undefined,
  async fn() {
    await using d = await configDir(SLOW);
    const s = await spawnServe(["--data", `${d.dir}/lake`, "--no-collect", "--config", d.file], {
      stderr: "piped",
    });
    try {
      assert.deepEqual(await ruleNames(s.url), ["Slow"]);
      const mkfifo = await new Deno.Command("mkfifo", { args: [`${d.dir}/pipe`] }).output();
      assert.equal(mkfifo.code, 0);
      await Deno.writeTextFile(d.file, `rules:\n${SLOW}${FAST}`);
      await until(async () => (await ruleNames(s.url)).includes("Fast"), "the reload");
    } finally {
      s.process.kill("SIGTERM");
    }
    const status = await s.process.status;
    assert.equal(status.code, 0, s.stderr.join(""));
  },
});

Deno.test("serve keeps its rules while its config is truncated and filled a second later", async () => {
  await using d = await configDir(SLOW);
  const s = await spawnServe(["--data", `${d.dir}/lake`, "--no-collect", "--config", d.file], {
    stderr: "piped",
  });
  const seen: string[][] = [];
  try {
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.push(await ruleNames(s.url));
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    // a slow writer: the file is empty for a while, then has its new content
    await Deno.writeTextFile(d.file, "");
    await new Promise((r) => setTimeout(r, 2500));
    // and at least ten looks at the rules meanwhile, however slowly a loaded machine answers
    for (let i = 0; i < 1200 && seen.length <= 10; i++) await new Promise((r) => setTimeout(r, 50));
    await Deno.writeTextFile(d.file, `rules:\n${SLOW}${FAST}`);
    await until(async () => (await ruleNames(s.url)).includes("Fast"), "the reload");
    watching = false;
    await watcher;
  } finally {
    s.process.kill("SIGTERM");
  }
  assert.equal((await s.process.status).code, 0);
  assert.ok(seen.length > 10, `${seen.length} looks`);
  // never the defaults (no rules) in between
  for (const names of seen) assert.ok(names.includes("Slow"), JSON.stringify(seen));
});
