/**
 * What a client sees of `serve` once it got SIGTERM (a real child process): new connections are
 * refused at once and an idle keep-alive connection is closed, so a load balancer's health check
 * (`/healthz`) fails at once, while a request already in flight still gets its answer. The
 * request in flight is the lake query `PERFSCOPE_TEST_HOOKS=1` adds, which holds the stop for its
 * grace (5 s) before it is interrupted.
 *
 * @module
 */
import assert from "node:assert/strict";
import net from "node:net";
import { exited, spawnServe, untilLogged } from "../_serve_process.ts";

/** A raw HTTP/1.1 connection kept open after one answered `/healthz`; `closed` settles when the
 * server closes it. */
async function keepAlive(base: string): Promise<{ closed: Promise<void>; first: string }> {
  const url = new URL(base);
  const socket = net.connect(Number(url.port), url.hostname);
  await new Promise((resolve, reject) => socket.once("connect", resolve).once("error", reject));
  let text = "";
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const answered = new Promise<void>((resolve) => {
    socket.on("data", (chunk) => {
      text += chunk.toString();
      if (/\r\n\r\n[\s\S]*\}/.test(text)) resolve();
    });
  });
  socket.write(`GET /healthz HTTP/1.1\r\nHost: ${url.host}\r\n\r\n`);
  await answered;
  return { closed, first: text };
}

Deno.test("After SIGTERM serve refuses new connections and closes idle ones at once, while the request in flight still gets its answer", async () => {
  const data = await Deno.makeTempDir({ prefix: "perfscope-stop-refuse-" });
  try {
    const s = await spawnServe(["--data", data, "--no-collect"], {
      env: { PERFSCOPE_TEST_HOOKS: "1" },
      stderr: "piped",
    });
    const idle = await keepAlive(s.url);
    assert.match(idle.first, /^HTTP\/1\.1 200/);
    let settled = false;
    const inFlight = fetch(new URL("/__test/slow-lake-query", s.url)).then(async (r) => {
      await r.body?.cancel();
      return r.status;
    }).finally(() => settled = true);
    await untilLogged(s.stderr, /slow lake query running/); // the request has reached serve
    s.process.kill("SIGTERM");
    await idle.closed; // the server closes the idle keep-alive connection
    // a new connection is refused (after a few tries: the signal takes a moment to arrive)
    let refused: unknown;
    for (let i = 0; i < 100 && refused === undefined; i++) {
      try {
        const r = await fetch(new URL("/healthz", s.url));
        await r.body?.cancel();
        await new Promise((r) => setTimeout(r, 20));
      } catch (error) {
        refused = error;
      }
    }
    assert.ok(refused instanceof TypeError, `not refused: ${refused}`);
    // refused, or reset when the connect raced the listener's close (a pooled connection of the
    // loop above, or one the kernel queued as the socket closed): either way nothing answered
    assert.match(String((refused as TypeError).cause ?? refused), /refused|reset/i);
    assert.equal(settled, false, "the request in flight ended before the refusal was seen");
    assert.equal(await inFlight, 500); // the interrupted query's answer, on its connection
    const status = await exited(s.process);
    assert.equal(status.code, 0, s.stderr.join(""));
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
