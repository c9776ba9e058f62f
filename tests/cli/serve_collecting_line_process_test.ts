import assert from "node:assert/strict";
import { exited, serveChild } from "../_serve_process.ts";

/** Everything a stream says until it ends, and what it said so far. */
function gather(stream: ReadableStream<Uint8Array<ArrayBuffer>>) {
  const chunks: string[] = [];
  const done = (async () => {
    for await (const chunk of stream.pipeThrough(new TextDecoderStream())) chunks.push(chunk);
  })();
  return { chunks, done };
}

Deno.test("serve says once that it collects: the collector's own line, when it starts", async () => {
  const data = await Deno.makeTempDir({ prefix: "serve-collecting-" });
  const child = serveChild(["--data", data], { stdout: "piped", stderr: "piped" });
  const stdout = gather(child.stdout);
  const stderr = gather(child.stderr);
  try {
    // the collector's line comes once it samples (after any spool replay): the tests that wait
    // for the collector wait for it
    for (let i = 0; i < 600 && !/Collecting every/.test(stderr.chunks.join("")); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    child.kill("SIGTERM");
  }
  const status = await exited(child);
  await Promise.all([stdout.done, stderr.done]);
  const out = stdout.chunks.join("");
  const log = stderr.chunks.join("");
  assert.equal(status.code, 0, out + log);
  assert.match(out, /^perfscope serve: open http:\/\/127\.0\.0\.1:\d+\/\n/);
  const said = `${out}${log}`.split("\n").filter((line) => /Collecting/.test(line));
  assert.deepEqual(said, [`[collect] Collecting every 1s into ${data} until stopped (Ctrl-C)`]);
  await Deno.remove(data, { recursive: true });
});
