import assert from "node:assert/strict";
import { quietWait } from "../../collectors/mod.ts";

const repo = new URL("../..", import.meta.url).pathname;

/**
 * Runs `body` (TypeScript, with `quietWait` and `libc`'s pipe/write/close in scope) in a child
 * process and returns what it printed last, parsed as JSON. Why a child: the wait also ends when
 * the process' event loops have work (it watches their epoll descriptors), and `deno test
 * --parallel` runs the other test modules on threads of this same process, whose busy event loops
 * would cut these waits short at random.
 */
async function inChild(body: string): Promise<unknown> {
  const script = `
    import { quietWait } from "${repo}collectors/mod.ts";
    const libc = Deno.dlopen("libc.so.6", {
      pipe: { parameters: ["buffer"], result: "i32" },
      write: { parameters: ["i32", "buffer", "u64"], result: "i64" },
      close: { parameters: ["i32"], result: "i32" },
    }).symbols;
    const turn = () => new Promise((r) => setTimeout(r, 20));
    // a wait of ms that passes whole, as the milliseconds it took; -1 if none of a few tries did
    // (a try cut short is followed by a turn of the event loop, as the collector does)
    async function quietly(wait, ms) {
      for (let i = 0; i < 5; i++) {
        const before = Date.now();
        if (wait(ms)) return Date.now() - before;
        await turn();
      }
      return -1;
    }
    // the start's own work is pending until the first turn (in the collector, waits begin in a
    // timer callback)
    await new Promise((r) => setTimeout(r, 50));
    const out = await (async () => { ${body} })();
    console.log(JSON.stringify(out));
    Deno.exit(0);
  `;
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
  }).output();
  const text = new TextDecoder().decode(stdout);
  assert.equal(code, 0, text + new TextDecoder().decode(stderr));
  return JSON.parse(text.trim().split("\n").at(-1)!);
}

Deno.test("quietWait() sleeps the whole time and says so when nothing happens", async () => {
  const [made, slept, zero, negative] = await inChild(`
    const wait = quietWait();
    return [!!wait, await quietly(wait, 30), await quietly(wait, 0), await quietly(wait, -5)];
  `) as [boolean, number, number, number];
  assert.ok(made, "libc is reachable here (64-bit Linux, -A)");
  // a lower bound only: the sleep must not end early (no upper bound: the machine may be busy)
  assert.ok(slept >= 29, `slept ${slept} ms`);
  assert.ok(zero >= 0);
  assert.ok(negative >= 0, "a negative time is no wait, not an error");
});

Deno.test("quietWait() ends at its deadline and answers false from then on", async () => {
  const until = Date.now() + 20;
  const wait = quietWait({ until })!;
  // cut at the deadline, 20 ms away instead of 10 s (or before it, when the event loop has
  // something to do: then it runs, and the wait goes on)
  while (Date.now() < until) {
    assert.equal(wait(10_000), false);
    if (Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  }
  assert.equal(wait(10_000), false, "past the deadline: at once");
});

Deno.test("quietWait() ends when a watched descriptor has input or is hung up", async () => {
  const [quiet, input, hungUp] = await inChild(`
    const fds = new Int32Array(2);
    if (libc.pipe(new Uint8Array(fds.buffer)) !== 0) throw new Error("pipe failed");
    const [readEnd, writeEnd] = [fds[0], fds[1]];
    const wait = quietWait({ watch: [readEnd] });
    const quiet = await quietly(wait, 5);
    libc.write(writeEnd, new Uint8Array([1]), 1n);
    const input = wait(10_000);
    libc.close(writeEnd);
    const hungUp = wait(10_000);
    libc.close(readEnd);
    return [quiet, input, hungUp];
  `) as [number, boolean, boolean];
  assert.ok(quiet >= 0, "nothing written yet");
  assert.equal(input, false, "input: at once instead of 10 s");
  assert.equal(hungUp, false, "hung up (and still unread input)");
});

Deno.test("a signal cuts a quiet wait short, and the process's signal listener runs right after", async () => {
  // A child waits 60 s; SIGTERM must end the wait and reach its listener through the event loop.
  const script = `
    import { quietWait } from "${repo}collectors/mod.ts";
    let heard = false;
    Deno.addSignalListener("SIGTERM", () => { heard = true; });
    const wait = quietWait();
    // one turn of the event loop first, as in the collector (its quiet waits begin in a timer
    // callback): until then the start's own work is pending and the wait would end at once
    await new Promise((r) => setTimeout(r, 50));
    console.log("waiting");
    const slept = wait(60_000);
    await new Promise((r) => setTimeout(r, 50));
    console.log(JSON.stringify({ slept, heard }));
    Deno.exit(0);
  `;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["eval", "--ext=ts", script],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("waiting\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  // The child prints before it enters the wait: give it a moment to be in poll(2). If the signal
  // came before, the default action would not apply (the listener is set), the wait would run its
  // full 60 s and `slept` would be true: the assertion below tells which.
  await new Promise((r) => setTimeout(r, 300));
  const guard = setTimeout(() => child.kill("SIGKILL"), 30_000);
  child.kill("SIGTERM");
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  clearTimeout(guard);
  const status = await child.status;
  assert.equal(status.code, 0, text);
  assert.deepEqual(JSON.parse(text.trim().split("\n").at(-1)!), { slept: false, heard: true });
});

Deno.test("a signal caught just before the wait (while a snapshot ran) still ends it at once", async () => {
  // The handler of a signal that arrives while JavaScript runs has already run when poll(2)
  // starts, so poll is not interrupted: the wait must see that the event loop has something to
  // do (the listener) instead of sleeping on, which in the collector meant until the next flush.
  const [quiet, cut, heard, quietAgain] = await inChild(`
    let heard = 0;
    Deno.addSignalListener("SIGUSR1", () => heard++);
    const wait = quietWait();
    // the listener is polled from the next turn on (collect adds its listeners at its start)
    await new Promise((r) => setTimeout(r, 50));
    const quiet = await quietly(wait, 5);
    Deno.kill(Deno.pid, "SIGUSR1"); // caught here, before the wait begins
    const cut = wait(10_000);
    for (let i = 0; i < 100 && heard === 0; i++) await new Promise((r) => setTimeout(r, 20));
    return [quiet, cut, heard, await quietly(wait, 5)];
  `) as [number, boolean, number, number];
  assert.ok(quiet >= 0, "nothing pending yet");
  assert.equal(cut, false, "the pending listener ends the wait at once");
  assert.equal(heard, 1, "the listener ran once the event loop turned");
  assert.ok(quietAgain >= 0, "quiet again once the listener ran");
});
