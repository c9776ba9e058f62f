/**
 * A statement that runs out of DuckDB's own memory limit (`memoryLimit`, 512 MB by default) is a
 * resource limit like the process' resident-memory cap: 422 naming the limit, not a 400
 * "Invalid sql: Out of Memory Error…", which told the user their valid SQL was malformed.
 */
import assert from "node:assert/strict";
import { testApp } from "./_app.ts";

Deno.test("POST /api/query answers DuckDB's out-of-memory with 422 and a memory-limit message, then answers again", async () => {
  await using t = await testApp({ sandbox: { memoryLimit: "64MB", timeoutMs: 60_000 } });
  const post = (sql: string) =>
    t.app.request("/api/query", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ sql }),
    });
  const res = await post("SELECT string_agg(repeat('x', 1000000), '') FROM range(200)");
  const body = await res.json();
  assert.equal(res.status, 422, JSON.stringify(body));
  assert.match(body.error, /^Query memory limit: /);
  assert.doesNotMatch(body.error, /Invalid sql/);
  const after = await post("SELECT 42 AS x");
  assert.deepEqual((await after.json()).rows, [[42]]);
});
