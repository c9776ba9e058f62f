/**
 * How `serve` counts stop signals. A Ctrl-C in the terminal running `deno task serve` reaches
 * serve twice at once: from the terminal (serve is in its foreground process group) and from
 * `deno task`, which forwards it. That is one stop; a second stop is a signal sent later.
 *
 * @module
 */
import assert from "node:assert/strict";
import { exited, spawnServe, untilLogged } from "../_serve_process.ts";

const ENV = { PERFSCOPE_TEST_HOOKS: "1" };
const ROOT = new URL("../../", import.meta.url).pathname;

function hasSetsid(): boolean {
  try {
    return new Deno.Command("setsid", { args: ["--version"], stdout: "null", stderr: "null" })
      .outputSync().success;
  } catch {
    return false;
  }
}

/** Starts `deno task serve` in a process group of its own, as a terminal's foreground job, sends
 * the group one SIGINT (a Ctrl-C) once it listens, and returns its exit code and stderr. */
async function ctrlCOnDenoTask(data: string): Promise<[number, string]> {
  const child = new Deno.Command("setsid", {
    args: [Deno.execPath(), "task", "serve", "--data", data, "--no-collect", "--port", "0"],
    cwd: ROOT,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let out = "";
  while (!/open http/.test(out)) {
    const { value, done } = await reader.read();
    if (done) break;
    out += value;
  }
  Deno.kill(-child.pid, "SIGINT");
  while (!(await reader.read()).done);
  return [(await child.status).code, await stderr];
}

Deno.test({
  name:
    "one Ctrl-C on deno task serve (the terminal's SIGINT and deno task's copy) stops it cleanly",
  ignore: !hasSetsid(),
  async fn() {
    const data = await Deno.makeTempDir({ prefix: "perfscope-signals-" });
    try {
      // the copy comes before or after serve's handler ran: a race, so a few rounds (without
      // the fix about half of them exited 1)
      for (let round = 0; round < 4; round++) {
        const [code, log] = await ctrlCOnDenoTask(data);
        // serve's own stop is the log's; deno task, which got the SIGINT too, reports it as 130
        // when the signal reaches it before its child has exited (seen once under CI's load,
        // with serve's "stopped" line), else the child's 0
        assert.ok(code === 0 || code === 130, `exit ${code}\n${log}`);
        assert.match(log, /perfscope serve: stopped/);
        assert.doesNotMatch(log, /second stop signal/);
      }
    } finally {
      await Deno.remove(data, { recursive: true });
    }
  },
});

Deno.test("a second stop signal while serve still stops exits at once with 1", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-signals-" });
  try {
    const s = await spawnServe(["--data", data, "--no-collect"], { env: ENV, stderr: "piped" });
    const request = fetch(new URL("/__test/hang", s.url)).then((r) => r.body?.cancel(), () => {});
    await new Promise((r) => setTimeout(r, 500)); // the request reaches serve
    s.process.kill("SIGTERM");
    // the grace for requests in flight has run out: the stop is well under way
    await untilLogged(s.stderr, /interrupting their queries/);
    s.process.kill("SIGTERM");
    const status = await exited(s.process);
    const log = s.stderr.join("");
    assert.equal(status.code, 1, log);
    assert.match(log, /perfscope serve: second stop signal: exiting now/);
    await request;
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
