import assert from "node:assert/strict";
import { deliver } from "../../alerts/mod.ts";

const ONCE = { attempts: 1 };

Deno.test("deliver() says a refused connection in a user's words, not Deno's chain of wrappers", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close(); // nobody listens there now
  const result = await deliver(`http://127.0.0.1:${port}/hook`, {}, ONCE);
  assert.deepEqual(result, {
    ok: false,
    attempts: 1,
    status: 0,
    error: "Cannot connect: Connection refused",
  });
});

Deno.test("deliver() says a connection closed before the answer as a failed request", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closing = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    const result = await deliver(`http://127.0.0.1:${listener.addr.port}/hook`, {}, ONCE);
    assert.equal(result.error, "Request failed: connection closed before message completed");
  } finally {
    listener.close();
    await closing.catch(() => {});
  }
});
